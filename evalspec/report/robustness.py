"""The report's view of what a task evaluates beside its test split: one table of the
primary metric on every set, then per extra set or perturbation the full metric table with
each metric's change from the test split, and the most robust model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalspec.report import numbers as fmt
from evalspec.report import significance, tables
from evalspec.report.numbers import visible
from evalspec.report.page import Column, Evaluated, Row, Table, Value
from evalspec.results.schema import ResultsDocument, SeedSummary, Standing, Task

KINDS = {"set": "extra set", "perturbation": "perturbation"}


def beyond(document: ResultsDocument, task: Task, order: Sequence[str],
           colours: Mapping[str, str]) -> Table | None:
    """Rows: models; columns: the test split, then each evaluation; cells: the primary
    metric, its interval, and (evaluations) its change from the test split."""
    if not task.evaluations:
        return None
    primary = document.primary
    higher = tables.higher_is_better(document)
    floor = significance.ranking_floor(document)
    names = list(task.evaluations)
    columns = (Column("test split", visible(primary), primary=True),
               *(Column(visible(n), KINDS[task.evaluations[n].kind]) for n in names))
    grid: list[list[SeedSummary | None]] = [
        [task.models[m].metrics.get(primary) if m in task.models else None,
         *(task.evaluations[n].models[m].metrics.get(primary)
           if m in task.evaluations[n].models else None for n in names)] for m in order]
    best = [tables.best_of([_mean(row[j]) for row in grid], higher) for j in range(len(columns))]
    rows = []
    for i, model in enumerate(order):
        values = []
        for j, summary in enumerate(grid[i]):
            change = task.evaluations[names[j - 1]].changes.get(model, {}).get(primary) \
                if j else None
            values.append(Value(fmt.MISSING) if summary is None else Value(
                fmt.number(summary.mean), fmt.span(summary.interval.low, summary.interval.high),
                i in best[j], visible(summary.undefined or ""),
                tables.change_text(change, floor) if change else ""))
        rows.append(Row(visible(model), colours[model], tuple(values)))
    return Table(columns, tuple(rows))


def floor_note(document: ResultsDocument, task: Task) -> str:
    """What `p ≤ …` means, when a change's or a ranking's p-value beyond the test split is
    at the bootstrap's floor."""
    ps = [change.p_value for summary in task.evaluations.values()
          for by_metric in summary.changes.values() for change in by_metric.values()]
    ps += [row.p_value for summary in task.evaluations.values() for row in summary.leaderboard]
    return significance.ranking_floor(document).note(ps)


def _mean(summary: SeedSummary | None) -> float | None:
    return summary.mean if summary is not None else None


def evaluated(document: ResultsDocument, task: Task, order: Sequence[str],
              colours: Mapping[str, str]) -> tuple[Evaluated, ...]:
    """Each extra set and perturbation with its full metric table."""
    found = []
    floor = significance.ranking_floor(document)
    for name, summary in task.evaluations.items():
        models = {m: summary.models[m].metrics for m in order if m in summary.models}
        seeds = {m: task.models[m].seeds for m in models if m in task.models}
        robust = summary.most_robust
        change = summary.changes.get(robust, {}).get(document.primary) if robust else None
        found.append(Evaluated(
            visible(name), KINDS[summary.kind], visible(summary.description),
            f"{summary.size:,}",
            tables.metrics(document, models, seeds, order, colours, summary.changes),
            f"{visible(robust)}, {tables.change_text(change, floor)}" if robust and change
            else "", _ranking(summary.leaderboard, floor)))
    return tuple(found)


def _ranking(rows: Sequence[Standing], floor: significance.Floor) -> str:
    """`minilm 0.824 · scratch 0.572 (p ≤ 0.002 vs first, worse)`, best first; with two or
    more comparisons, the Holm-adjusted p that decides beside each."""
    shown = []
    for row in rows:
        value = fmt.number(row.value.value)
        if row.rank == 1:
            shown.append(f"{visible(row.model)} {value}")
            continue
        verdict = "tied for first" if row.tied_for_first else "worse"
        adjusted = f", Holm-adjusted {significance.adjusted_text(row, floor)}" \
            if significance.adjusts(rows) and row.p_value is not None else ""
        shown.append(f"{visible(row.model)} {value} (p {floor.text(row.p_value)} vs first"
                     f"{adjusted}, {verdict})")
    return " · ".join(shown)
