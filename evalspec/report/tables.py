"""The report's tables: leaderboard, metrics, cost, every run, confusion matrices, entity
types. Each decides its own rounding and its "best" marks."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalspec.report import curves, significance
from evalspec.report import numbers as fmt
from evalspec.report.numbers import visible
from evalspec.report.page import (
    Bar,
    Candidate,
    Column,
    Confusion,
    ConfusionCell,
    EntityType,
    EntityTypes,
    Leaderboard,
    Place,
    Row,
    Table,
    TypeScores,
    Value,
)
from evalspec.results.schema import (
    Cell,
    Change,
    Cost,
    Latency,
    MetricInfo,
    ResultsDocument,
    SeedSummary,
    Stage,
    Standing,
    Task,
)

MAX_CONFUSION_LABELS = 30
LATENCY_NOTE = "p50 (IQR · p95)"
PER_CELL = ("cuda cell", "cpu cell")  # peak memory scopes measured per cell, so comparable


@dataclass(frozen=True)
class Measure:
    """A cost column: its heading, the number compared (None: never marked), whether higher
    is better, the text shown and the detail line under it."""

    column: Column
    value: Callable[[Cost], float | None]
    higher: bool
    text: Callable[[Cost], str]
    detail: Callable[[Cost], str] = lambda c: ""


def higher_is_better(document: ResultsDocument) -> bool:
    """The primary metric's direction."""
    info = next((m for m in document.metrics if m.name == document.primary), None)
    return info is None or info.higher_is_better


def leaderboard(document: ResultsDocument, task: Task,
                 colours: Mapping[str, str]) -> Leaderboard | None:
    if not task.leaderboard:
        return None
    ends = [v for r in task.leaderboard for v in (r.interval.low, r.interval.high, r.value.value)
            if v is not None]
    low, high = (min(ends), max(ends)) if ends else (0.0, 1.0)
    pad = (high - low) * 0.06 or 0.01
    unit = low >= 0.0 and high <= 1.0  # a share stays on [0, 1]
    low, high = low - pad, high + pad
    if unit:
        low, high = max(low, 0.0), min(high, 1.0)
    seeds = task.models[task.leaderboard[0].model].seeds
    floor = significance.ranking_floor(document)
    rows = tuple(_standing(r, colours, low, high, seeds, floor) for r in task.leaderboard)
    direction = "higher is better" if higher_is_better(document) else "lower is better"
    return Leaderboard(visible(document.primary), direction,
                       fmt.percent(task.leaderboard[0].interval.level), fmt.number(low),
                       fmt.number(high), rows, significance.adjusts(task.leaderboard),
                       floor.note([r.p_value for r in task.leaderboard]))


def _standing(row: Standing, colours: Mapping[str, str], low: float, high: float,
              seeds: Sequence[int], floor: significance.Floor) -> Place:
    width = high - low
    bar = None
    if row.interval.low is not None and row.interval.high is not None and \
            row.value.value is not None:
        bar = Bar(fmt.share((row.interval.low - low) / width),
                  fmt.share((row.interval.high - row.interval.low) / width),
                  fmt.share((row.value.value - low) / width))
    prefix = len(seeds) > 1
    mcnemar = tuple((f"seed {seed}  " if prefix else "")
                    + f"{m.a_only} : {m.b_only}  p {fmt.p_value(m.p_value)}"
                    for seed, m in zip(seeds, row.mcnemar or (), strict=False))
    return Place(row.rank, visible(row.model), colours[row.model],
                     fmt.number(row.value.value),
                     fmt.span(row.interval.low, row.interval.high), bar,
                     floor.text(row.p_value), row.tied_for_first, mcnemar,
                     visible(row.value.undefined or ""),
                     significance.adjusted_text(row, floor) if row.p_value is not None
                     else fmt.MISSING)


def _quality(document: ResultsDocument, summaries: Mapping[str, Mapping[str, Any]]
             ) -> list[MetricInfo]:
    present = {name for metrics in summaries.values() for name in metrics}
    return [m for m in document.metrics if not m.cost and m.name in present]


def _direction(higher: bool) -> str:
    return "↑ higher is better" if higher else "↓ lower is better"


def best_of(values: Sequence[float | None], higher: bool) -> set[int]:
    """Indices holding the best value when there is more than one to compare."""
    found = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(found) < 2:
        return set()
    target = max(v for _, v in found) if higher else min(v for _, v in found)
    return {i for i, v in found if fmt.number(v) == fmt.number(target)}


def _columns_best(matrix: Sequence[Sequence[float | None]],
                  higher: Sequence[bool]) -> list[set[int]]:
    return [best_of([row[j] for row in matrix], higher[j]) for j in range(len(higher))]


def metrics(document: ResultsDocument, summaries: Mapping[str, Mapping[str, SeedSummary]],
            seeds: Mapping[str, Sequence[int]], order: Sequence[str],
            colours: Mapping[str, str],
            changes: Mapping[str, Mapping[str, Change]] | None = None) -> Table:
    """Per model (in `order`, those summarised): each quality metric's mean ± sd over seeds
    and its pooled interval; with `changes`, the change from the test split under it."""
    quality = _quality(document, summaries)
    models = [m for m in order if m in summaries]
    floor = significance.ranking_floor(document)
    columns = tuple(Column(visible(m.name), _direction(m.higher_is_better),
                           m.name == document.primary) for m in quality)
    means = [[summaries[model][m.name].mean if m.name in summaries[model] else None
              for m in quality] for model in models]
    best = _columns_best(means, [m.higher_is_better for m in quality])
    rows = []
    for i, model in enumerate(models):
        values = []
        for j, m in enumerate(quality):
            s = summaries[model].get(m.name)
            if s is None:
                values.append(Value(fmt.MISSING))
                continue
            text = fmt.number(s.mean) + (f" ± {fmt.number(s.sd)}" if s.sd is not None else "")
            change = (changes or {}).get(model, {}).get(m.name)
            values.append(Value(text, fmt.span(s.interval.low, s.interval.high),
                                i in best[j], visible(s.undefined or ""),
                                change_text(change, floor) if change else ""))
        count = len(seeds.get(model, ()))
        rows.append(Row(visible(model), colours[model], tuple(values),
                        f"{count} seed{'s' if count != 1 else ''}"))
    return Table(columns, tuple(rows))


def change_text(change: Change, floor: significance.Floor) -> str:
    """`Δ −0.081 (−0.152 – −0.020), p 0.004`: a change from the test split, its interval and
    (perturbations) its paired p-value, `p ≤ …` at the bootstrap's floor."""
    if change.difference is None:
        return f"Δ {fmt.MISSING}"
    p = f", p {floor.text(change.p_value)}" if change.p_value is not None else ""
    return (f"Δ {fmt.signed(change.difference)} "
            f"({fmt.span(change.interval.low, change.interval.high)}){p}")


def cost(task: Task, order: Sequence[str], colours: Mapping[str, str]) -> Table:
    """Parameters, latency, throughput, training time and memory; the cheapest marked."""
    costs: list[Cost] = [task.models[m].cost for m in order]
    measures = [Measure(Column("parameters", "total (head)"), lambda c: float(c.params.total),
                        False, lambda c: fmt.count(c.params.total),
                        lambda c: fmt.count(c.params.head))]
    for name in sorted({k for c in costs for k in c.latency}):
        batch = next(c.latency[name].batch for c in costs if name in c.latency)
        measures.append(_latency(name, batch))
    for name in sorted({k for c in costs for k in c.throughput}):
        measures.append(_throughput(name))
    measures += [
        Measure(Column("train time", "mean over seeds"), lambda c: c.train_time.seconds, False,
                lambda c: fmt.seconds(c.train_time.seconds)),
        # marked only when measured per cell, not as the whole process's peak (older runs)
        Measure(Column("peak memory", "once the model is built"),
                lambda c: c.peak_memory.mib if c.peak_memory.scope in PER_CELL else None,
                False, lambda c: fmt.mebibytes(c.peak_memory.mib),
                lambda c: visible(c.peak_memory.scope))]
    best = _columns_best([[m.value(c) for m in measures] for c in costs],
                         [m.higher for m in measures])
    rows = tuple(Row(visible(model), colours[model],
                     tuple(Value(m.text(c), m.detail(c), i in best[j])
                           for j, m in enumerate(measures)))
                 for i, (model, c) in enumerate(zip(order, costs, strict=True)))
    return Table(tuple(m.column for m in measures), rows)


def _latency(name: str, batch: int) -> Measure:
    def p50(c: Cost) -> float | None:
        found = c.latency.get(name)
        return found.p50 if found else None

    def spread(c: Cost) -> str:
        found = c.latency.get(name)
        return latency_spread(found) if found else ""

    return Measure(Column(visible(name), f"ms per input, batch {batch}: {LATENCY_NOTE}"), p50,
                   False, lambda c: fmt.milliseconds(p50(c)), spread)


def latency_spread(latency: Latency) -> str:
    """`IQR 0.61 ms – 0.79 ms · p95 1.02 ms`, and `machine busy (load 1.6 per core)` when it
    was measured on a busy machine; files written before the quartiles show p95 alone."""
    parts = [f"p95 {fmt.milliseconds(latency.p95)}"]
    if latency.p25 is not None and latency.p75 is not None:
        parts.insert(0, f"IQR {fmt.milliseconds(latency.p25)} – "
                        f"{fmt.milliseconds(latency.p75)}")
    if latency.busy and latency.load_per_core is not None:
        parts.append(f"machine busy (load {latency.load_per_core:.1f} per core)")
    return " · ".join(parts)


def _throughput(name: str) -> Measure:
    def rate(c: Cost) -> float | None:
        found = c.throughput.get(name)
        return found.per_second if found else None

    return Measure(Column(visible(name), "inputs per second"), rate, True,
                   lambda c: fmt.per_second(rate(c)))


def seeds(document: ResultsDocument, task: Task, cells: Sequence[Cell], order: Sequence[str],
           colours: Mapping[str, str]) -> Table:
    quality = _quality(document, {m: s.metrics for m, s in task.models.items()})
    latency = sorted({k for c in cells for k in c.cost.latency})
    columns = (tuple(Column(visible(m.name), "test", m.name == document.primary)
                     for m in quality)
               + tuple(Column(visible(k), LATENCY_NOTE) for k in latency)
               + (Column("train time"),
                  Column("stages", "kept epoch / epochs run", numeric=False)))
    ranked = sorted(cells, key=lambda c: (order.index(c.model) if c.model in order else 99,
                                          c.seed))
    rows = []
    for cell in ranked:
        values = []
        for m in quality:
            t = cell.test.get(m.name)
            if t is None:
                values.append(Value(fmt.MISSING))
                continue
            detail = fmt.span(t.interval.low, t.interval.high) if t.interval else ""
            values.append(Value(fmt.number(t.value), detail, False, visible(t.undefined or "")))
        for k in latency:
            found = cell.cost.latency.get(k)
            values.append(Value(fmt.milliseconds(found.p50), latency_spread(found))
                          if found else Value(fmt.MISSING))
        values.append(Value(fmt.seconds(cell.cost.train_time.seconds)))
        stages = " · ".join(f"{visible(s.name)} {s.best_epoch or fmt.MISSING}/{len(s.epochs)}"
                            + stage_notes(s) for s in cell.stages)
        values.append(Value(stages or "no training"))
        rows.append(Row(visible(cell.model), colours[cell.model], tuple(values),
                        f"seed {cell.seed}"))
    return Table(columns, tuple(rows))


def stage_notes(stage: Stage) -> str:
    """` (stopped early, bf16, compiled)`: how a stage trained, beyond plain float32."""
    notes = ["stopped early"] if stage.stopped_early else []
    if stage.precision not in (None, "fp32"):
        notes.append(str(stage.precision))
    if stage.compiled:
        notes.append("compiled")
    elif stage.compile_failure:
        notes.append("not compiled: " + visible(stage.compile_failure))
    return f" ({', '.join(notes)})" if notes else ""


def confusions(task: Task, pooled: Mapping[str, curves.Scores], order: Sequence[str],
                colours: Mapping[str, str]) -> tuple[Confusion, ...]:
    if len(task.labels) > MAX_CONFUSION_LABELS:
        return ()
    found = []
    for model in order:
        if model not in pooled:
            continue
        matrix = curves.confusion(pooled[model], len(task.labels))
        seeds = len(task.models[model].seeds)
        rows = []
        for i, counts in enumerate(matrix):
            total = sum(counts) or 1
            rows.append(tuple(ConfusionCell(f"{n:,}", f"{n / total:.2f}", n / total > 0.55,
                                            i == j, n == 0) for j, n in enumerate(counts)))
        note = f"summed over {seeds} seeds" if seeds > 1 else "one seed"
        found.append(Confusion(visible(model), colours[model], note,
                               tuple(visible(label) for label in task.labels), tuple(rows)))
    return tuple(found)


# ------------------------------------------------------------------------------ entity types
PerType = dict[str, dict[str, Any]]  # entity type -> precision, recall, f1, support
MEASURES = (("precision", "none predicted"), ("recall", "none in the test split"),
            ("f1", "none predicted or true"))


def _per_type(detail: Mapping[str, Any] | None) -> PerType | None:
    """An entity metric's per-type detail (entries that are not records left out)."""
    found = (detail or {}).get("per_type")
    if not isinstance(found, dict):
        return None
    return {str(kind): entry for kind, entry in found.items() if isinstance(entry, dict)}


def entity_metric(document: ResultsDocument, task: Task, cells: Sequence[Cell]
                  ) -> MetricInfo | None:
    """The metric whose per-type detail the table shows: the primary if it has one, else
    the first declared metric that has one."""
    quality = _quality(document, {m: s.metrics for m, s in task.models.items()})
    ranked = sorted(quality, key=lambda m: m.name != document.primary)
    for info in ranked:
        summaries = [s.metrics.get(info.name) for s in task.models.values()]
        details = [v.detail for s in summaries if s for v in s.per_seed] + \
            [c.test[info.name].detail for c in cells if info.name in c.test]
        if any(_per_type(d) is not None for d in details):
            return info
    return None


def _type_details(task: Task, cells: Sequence[Cell], model: str, name: str
                  ) -> tuple[list[PerType], str]:
    """A model's per-type detail on each seed (from its summary), else its first seed's
    cell; and the note under its name."""
    summary = task.models[model].metrics.get(name) if model in task.models else None
    found = [_per_type(v.detail) for v in summary.per_seed] if summary else []
    if found and all(f is not None for f in found):
        return [f for f in found if f is not None], \
            f"{len(found)} seeds" if len(found) > 1 else ""
    seeds = task.models[model].seeds if model in task.models else []
    mine = sorted((c for c in cells if c.model == model and name in c.test),
                  key=lambda c: (seeds.index(c.seed) if c.seed in seeds else len(seeds), c.seed))
    first = _per_type(mine[0].test[name].detail) if mine else None
    return ([first], f"seed {mine[0].seed}" if len(seeds) > 1 else "") if first else ([], "")


def _type_value(values: Sequence[float | None], why: str, seeds: Sequence[int],
                best: bool) -> Value:
    """The mean over seeds (± sd when there are several); undefined if any seed is."""
    if all(v is not None for v in values):
        numbers = [float(v) for v in values if v is not None]
        sd = f"± {fmt.number(statistics.stdev(numbers))}" if len(numbers) > 1 else ""
        return Value(fmt.number(statistics.fmean(numbers)), sd, best)
    if len(values) > 1 and any(v is not None for v in values):
        missing = [str(seed) for seed, v in zip(seeds, values, strict=False) if v is None]
        why = f"{why} on seed {', '.join(missing)}"
    return Value(fmt.MISSING, undefined=why)


def _mean(values: Sequence[float | None]) -> float | None:
    return None if any(v is None for v in values) else \
        statistics.fmean(float(v) for v in values if v is not None)


def _type_row(kind: str, models: Sequence[str], details: Mapping[str, list[PerType]],
              seeds: Mapping[str, Sequence[int]]) -> EntityType:
    """One entity type: its support and each model's scores, the best of each marked."""
    support = next(int(d[kind].get("support") or 0) for m in models for d in details[m]
                   if kind in d)
    values = {m: {measure: [d.get(kind, {}).get(measure) for d in details[m]]
                  for measure, _ in MEASURES} for m in models}
    best = {measure: best_of([_mean(values[m][measure]) for m in models], True)
            for measure, _ in MEASURES}
    return EntityType(visible(kind), f"{support:,}", tuple(
        TypeScores(visible(m), *(_type_value(values[m][measure], why, seeds[m], i in best[measure])
                                 for measure, why in MEASURES))
        for i, m in enumerate(models)))


def entity_types(document: ResultsDocument, task: Task, cells: Sequence[Cell],
                 order: Sequence[str], colours: Mapping[str, str]) -> EntityTypes | None:
    """Each entity type's precision, recall, F1 and support per model, from the primary
    metric's per-type detail if it has one, else the first entity metric's."""
    info = entity_metric(document, task, cells)
    if info is None:
        return None
    found = {m: _type_details(task, cells, m, info.name) for m in order}
    models = [m for m in order if found[m][0]]
    details = {m: found[m][0] for m in models}
    seeds = {m: task.models[m].seeds if m in task.models else [] for m in models}
    types = sorted({kind for m in models for d in details[m] for kind in d})
    mode = info.params.get("mode")
    caption = (f"Entities as {visible(info.name)} reads them"
               + (f" (mode = {visible(str(mode))})" if mode else "")
               + ("; means over each model's seeds, ± standard deviation below"
                  if any(len(d) > 1 for d in details.values()) else "") + ".")
    return EntityTypes(visible(info.name), caption,
                       tuple(Candidate(visible(m), colours[m], found[m][1]) for m in models),
                       tuple(_type_row(kind, models, details, seeds) for kind in types))
