"""The report's view model: plain frozen dataclasses built from a results document. Every
rounding, ordering, colour and "best" mark is decided here; templates only lay it out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evalspec.report import curves, figures
from evalspec.report import numbers as fmt
from evalspec.report.numbers import visible
from evalspec.results.files import read_jsonl
from evalspec.results.schema import Cell, Cost, ResultsDocument, Standing, Task

PALETTE = ("#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777",
           "#65a30d", "#4b5563", "#9333ea")
MAX_CONFUSION_LABELS = 30
# A cost column: its heading, the number compared, whether higher is better, text, detail.
Measure = tuple["Column", Callable[[Cost], float | None], bool, Callable[[Cost], str],
                Callable[[Cost], str]]


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Value:
    """A table cell: the number as shown, a smaller second line, and whether it is the best."""

    text: str
    detail: str = ""
    best: bool = False
    undefined: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    note: str = ""  # direction arrow, unit or definition
    primary: bool = False
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    colour: str
    values: tuple[Value, ...]
    sub: str = ""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Verdict:
    """Which model to pick on one task, and how sure we are.

    kind: `clear` (one model significantly best), `tied` (several not significantly
    different), `single` (one candidate), `none` (no ranking; `reason` says why)."""

    kind: str
    pick: str
    metric: str
    value: str
    interval: str
    level: str
    alpha: str
    others: tuple[str, ...]  # clear: the significantly worse; tied: those tied with `pick`
    p_value: str  # clear: the largest p among the worse; tied: the smallest among the tied
    cheapest: str
    cheapest_by: str
    reason: str


@dataclass(frozen=True)
class Bar:
    """An interval drawn across a shared scale: CSS offsets as percentages."""

    left: str
    width: str
    mark: str


@dataclass(frozen=True)
class Standing_:
    rank: int
    model: str
    colour: str
    value: str
    interval: str
    bar: Bar | None
    p_value: str
    tied: bool
    mcnemar: tuple[str, ...]  # per seed pair: "seed 0  12 : 3  p 0.035"
    undefined: str


@dataclass(frozen=True)
class Leaderboard:
    metric: str
    direction: str
    level: str
    low: str
    high: str
    rows: tuple[Standing_, ...]


@dataclass(frozen=True)
class ConfusionCell:
    count: str
    shade: str  # background opacity, 0.00 … 1.00
    dark: bool  # white text on a dark cell
    diagonal: bool


@dataclass(frozen=True)
class Confusion:
    model: str
    colour: str
    note: str
    labels: tuple[str, ...]
    rows: tuple[tuple[ConfusionCell, ...], ...]


@dataclass(frozen=True)
class TaskView:
    name: str
    anchor: str
    type: str
    labels: tuple[str, ...]
    positive: str
    sizes: tuple[Fact, ...]
    split: str
    fingerprints: tuple[Fact, ...]
    verdict: Verdict
    leaderboard: Leaderboard | None
    metrics: Table
    cost: Table
    seeds: Table
    confusions: tuple[Confusion, ...]
    plots: tuple[figures.Plot, ...]
    learning: figures.Learning | None
    tradeoff: figures.Tradeoff | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Provenance:
    facts: tuple[Fact, ...]
    versions: tuple[Fact, ...]
    cells: Table


@dataclass(frozen=True)
class Report:
    title: str
    complete: bool
    byline: tuple[Fact, ...]
    tasks: tuple[TaskView, ...]
    glossary: tuple[Fact, ...]
    spec_path: str
    spec_text: str
    spec_sha256: str
    provenance: Provenance
    generator: str


# ------------------------------------------------------------------------------ loading
def load_predictions(document: ResultsDocument, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Each cell's predictions file, by its name in the document; files that are missing,
    unreadable or outside the results folder are left out (the report says so)."""
    found = {}
    base = root.resolve()
    for cell in document.cells:
        path = (base / cell.predictions).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            continue
        try:
            found[cell.predictions] = read_jsonl(path)
        except (OSError, ValueError):
            continue
    return found


# ------------------------------------------------------------------------------ building
def build(document: ResultsDocument, predictions: Mapping[str, list[dict[str, Any]]]) -> Report:
    colours = _colours(document)
    anchors = _anchors(document.tasks)
    tasks = tuple(_task(document, name, task, anchors[name], colours, predictions)
                  for name, task in document.tasks.items())
    env = document.environment
    byline = (Fact("Spec", visible(document.spec.path)),
              Fact("Finished", _when(document.finished) if document.finished else "in progress"),
              Fact("Device", visible(f"{env.device_name} ({env.device})")),
              Fact("Seeds", ", ".join(str(s) for s in document.seeds)))
    glossary = tuple(Fact(visible(m.name), visible(_metric_title(m.metric, m.params) + " — "
                                                   + m.definition)) for m in document.metrics)
    return Report(visible(document.title), document.complete, byline, tasks, glossary,
                  visible(document.spec.path), visible(document.spec.text, keep_lines=True),
                  document.spec.sha256, _provenance(document),
                  f"evalspec {visible(document.evalspec_version)} · results schema "
                  f"{document.schema_version}")


def _colours(document: ResultsDocument) -> dict[str, str]:
    order: list[str] = []
    for task in document.tasks.values():
        for model in [r.model for r in task.leaderboard] + list(task.models):
            if model not in order:
                order.append(model)
    for cell in document.cells:
        if cell.model not in order:
            order.append(cell.model)
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(order)}


def _anchors(names: Sequence[str]) -> dict[str, str]:
    return {name: f"task-{i}-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x")
            for i, name in enumerate(names, start=1)}


def _when(stamp: str) -> str:
    return visible(stamp.replace("T", " ").replace("+00:00", " UTC"))


def _metric_title(metric: str, params: Mapping[str, Any]) -> str:
    inside = ", ".join(f"{k} = {v}" for k, v in params.items() if v is not None)
    return f"{metric}({inside})" if inside else metric


def _order(task: Task) -> list[str]:
    ranked = [r.model for r in task.leaderboard]
    return ranked + [m for m in task.models if m not in ranked]


def _task(document: ResultsDocument, name: str, task: Task, anchor: str,
          colours: Mapping[str, str], predictions: Mapping[str, list[dict[str, Any]]]) -> TaskView:
    order = _order(task)
    rank_one = task.leaderboard[0].model if task.leaderboard else None
    cells = [c for c in document.cells if c.task == name]
    verdict = _verdict(document, task)
    pooled, notes = _pooled(task, cells, order, predictions)
    seeds = max((len(task.models[m].seeds) for m in order), default=1)
    classification = bool(task.labels) and task.type != "regression"
    plots = figures.quality_plots(anchor, task, pooled, colours, seeds) \
        if classification and pooled else ()
    sizes = task.sizes
    return TaskView(
        visible(name), anchor, task.type.replace("_", " "),
        tuple(visible(label) for label in task.labels), visible(task.positive or ""),
        (Fact("train", f"{sizes.train:,}"), Fact("validation", f"{sizes.validation:,}"),
         Fact("test", f"{sizes.test:,}")),
        _split_text(task),
        tuple(Fact(visible(k), visible(v)) for k, v in sorted(task.fingerprints.items())),
        verdict, _leaderboard(document, task, colours), _metrics(document, task, order, colours),
        _cost(task, order, colours), _seeds(document, task, cells, order, colours),
        _confusions(task, pooled, order, colours) if classification else (),
        plots, figures.learning(anchor, cells, order, colours),
        figures.tradeoff(anchor, task, document.primary, _higher(document), order, colours,
                         rank_one if verdict.kind != "none" else None),
        tuple(notes))


def _higher(document: ResultsDocument) -> bool:
    info = next((m for m in document.metrics if m.name == document.primary), None)
    return info is None or info.higher_is_better


def _split_text(task: Task) -> str:
    if task.split is None:
        return "explicit train, validation and test files"
    s = task.split
    return (f"holdout: {fmt.percent(s.test)} test, {fmt.percent(s.validation)} validation, "
            f"seed {s.seed}" + (", stratified" if s.stratify else ""))


# ------------------------------------------------------------------------------ verdict
def _verdict(document: ResultsDocument, task: Task) -> Verdict:
    metric = visible(document.primary)
    rows = task.leaderboard

    def verdict(kind: str, pick: str = "", others: Sequence[str] = (), p: str = "",
                cheapest: tuple[str, str] = ("", ""), reason: str = "") -> Verdict:
        first = rows[0] if rows else None
        level = first.interval.level if first else 0.95
        value = fmt.number(first.value.value) if first else ""
        span = fmt.span(first.interval.low, first.interval.high) if first else ""
        return Verdict(kind, visible(pick), metric, value, span, fmt.percent(level),
                       f"{1 - level:.2g}", tuple(visible(o) for o in others), p,
                       visible(cheapest[0]), cheapest[1], visible(reason))

    if not rows:
        return verdict("none", reason="no model has finished yet" if not task.models else
                       f"the primary metric {document.primary} does not apply to this task")
    first = rows[0]
    if first.value.value is None:
        return verdict("none", reason=f"{document.primary} is undefined for every model: "
                                      f"{first.value.undefined}")
    if len(rows) == 1:
        return verdict("single", first.model)
    tied = [r for r in rows[1:] if r.tied_for_first]
    if not tied:
        ps = [r.p_value for r in rows[1:] if r.p_value is not None]
        return verdict("clear", first.model, [r.model for r in rows[1:]],
                       fmt.p_value(max(ps)) if ps else fmt.MISSING)
    ps = [r.p_value for r in tied if r.p_value is not None]
    return verdict("tied", first.model, [r.model for r in tied],
                   fmt.p_value(min(ps)) if ps else fmt.MISSING,
                   _cheapest(task, [first.model, *(r.model for r in tied)]))


def _cheapest(task: Task, models: Sequence[str]) -> tuple[str, str]:
    """Among tied models: the lowest median latency if measured, else the fewest parameters."""
    latency = figures._first_latency(task)
    if latency is not None and all(latency in task.models[m].cost.latency for m in models):
        best = min(models, key=lambda m: task.models[m].cost.latency[latency].p50)
        return best, "lowest latency, " + fmt.milliseconds(
            task.models[best].cost.latency[latency].p50) + " per input"
    best = min(models, key=lambda m: task.models[m].cost.params.total)
    return best, "fewest parameters, " + fmt.count(task.models[best].cost.params.total)


# ------------------------------------------------------------------------------ tables
def _leaderboard(document: ResultsDocument, task: Task,
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
    rows = tuple(_standing(r, colours, low, high, seeds) for r in task.leaderboard)
    direction = "higher is better" if _higher(document) else "lower is better"
    return Leaderboard(visible(document.primary), direction,
                       fmt.percent(task.leaderboard[0].interval.level), fmt.number(low),
                       fmt.number(high), rows)


def _standing(row: Standing, colours: Mapping[str, str], low: float, high: float,
              seeds: Sequence[int]) -> Standing_:
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
    return Standing_(row.rank, visible(row.model), colours[row.model],
                     fmt.number(row.value.value),
                     fmt.span(row.interval.low, row.interval.high), bar,
                     fmt.p_value(row.p_value), row.tied_for_first, mcnemar,
                     visible(row.value.undefined or ""))


def _quality(document: ResultsDocument, task: Task) -> list[Any]:
    present = {name for s in task.models.values() for name in s.metrics}
    return [m for m in document.metrics if not m.cost and m.name in present]


def _direction(higher: bool) -> str:
    return "↑ higher is better" if higher else "↓ lower is better"


def _best(values: Sequence[float | None], higher: bool) -> set[int]:
    """Indices holding the best value when there is more than one to compare."""
    found = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(found) < 2:
        return set()
    target = max(v for _, v in found) if higher else min(v for _, v in found)
    return {i for i, v in found if fmt.number(v) == fmt.number(target)}


def _columns_best(matrix: Sequence[Sequence[float | None]],
                  higher: Sequence[bool]) -> list[set[int]]:
    return [_best([row[j] for row in matrix], higher[j]) for j in range(len(higher))]


def _metrics(document: ResultsDocument, task: Task, order: Sequence[str],
             colours: Mapping[str, str]) -> Table:
    quality = _quality(document, task)
    columns = tuple(Column(visible(m.name), _direction(m.higher_is_better),
                           m.name == document.primary) for m in quality)
    means = [[task.models[model].metrics[m.name].mean if m.name in task.models[model].metrics
              else None for m in quality] for model in order]
    best = _columns_best(means, [m.higher_is_better for m in quality])
    rows = []
    for i, model in enumerate(order):
        summary = task.models[model]
        values = []
        for j, m in enumerate(quality):
            s = summary.metrics.get(m.name)
            if s is None:
                values.append(Value(fmt.MISSING))
                continue
            text = fmt.number(s.mean) + (f" ± {fmt.number(s.sd)}" if s.sd is not None else "")
            values.append(Value(text, fmt.span(s.interval.low, s.interval.high),
                                i in best[j], visible(s.undefined or "")))
        seeds = len(summary.seeds)
        rows.append(Row(visible(model), colours[model], tuple(values),
                        f"{seeds} seed{'s' if seeds != 1 else ''}"))
    return Table(columns, tuple(rows))


def _cost(task: Task, order: Sequence[str], colours: Mapping[str, str]) -> Table:
    """Parameters, latency, throughput, training time and memory; the cheapest marked."""
    costs: list[Cost] = [task.models[m].cost for m in order]
    measures: list[Measure] = [
        (Column("parameters", "total (head)"), lambda c: float(c.params.total), False,
         lambda c: fmt.count(c.params.total), lambda c: fmt.count(c.params.head))]
    for name in sorted({k for c in costs for k in c.latency}):
        batch = next(c.latency[name].batch for c in costs if name in c.latency)
        measures.append((
            Column(visible(name), f"ms per input, batch {batch}: p50 (p95)"),
            lambda c, n=name: c.latency[n].p50 if n in c.latency else None, False,
            lambda c, n=name: fmt.milliseconds(c.latency[n].p50 if n in c.latency else None),
            lambda c, n=name: fmt.milliseconds(c.latency[n].p95) if n in c.latency else ""))
    for name in sorted({k for c in costs for k in c.throughput}):
        measures.append((
            Column(visible(name), "inputs per second"),
            lambda c, n=name: c.throughput[n].per_second if n in c.throughput else None, True,
            lambda c, n=name: fmt.per_second(c.throughput[n].per_second
                                             if n in c.throughput else None),
            lambda c: ""))
    measures += [
        (Column("train time", "mean over seeds"), lambda c: c.train_time.seconds, False,
         lambda c: fmt.seconds(c.train_time.seconds), lambda c: ""),
        (Column("peak memory", ""), lambda c: c.peak_memory.mib, False,
         lambda c: fmt.mebibytes(c.peak_memory.mib), lambda c: visible(c.peak_memory.scope))]
    best = _columns_best([[m[1](c) for m in measures] for c in costs],
                         [m[2] for m in measures])
    rows = tuple(Row(visible(model), colours[model],
                     tuple(Value(show(c), detail(c), i in best[j])
                           for j, (_, _, _, show, detail) in enumerate(measures)))
                 for i, (model, c) in enumerate(zip(order, costs, strict=True)))
    return Table(tuple(m[0] for m in measures), rows)


def _seeds(document: ResultsDocument, task: Task, cells: Sequence[Cell], order: Sequence[str],
           colours: Mapping[str, str]) -> Table:
    quality = _quality(document, task)
    latency = sorted({k for c in cells for k in c.cost.latency})
    columns = (tuple(Column(visible(m.name), "test", m.name == document.primary)
                     for m in quality)
               + tuple(Column(visible(k), "p50 (p95)") for k in latency)
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
            values.append(Value(fmt.milliseconds(found.p50), fmt.milliseconds(found.p95))
                          if found else Value(fmt.MISSING))
        values.append(Value(fmt.seconds(cell.cost.train_time.seconds)))
        stages = " · ".join(f"{visible(s.name)} {s.best_epoch or fmt.MISSING}/{len(s.epochs)}"
                            + (" (stopped early)" if s.stopped_early else "")
                            for s in cell.stages)
        values.append(Value(stages or "no training"))
        rows.append(Row(visible(cell.model), colours[cell.model], tuple(values),
                        f"seed {cell.seed}"))
    return Table(columns, tuple(rows))


# ------------------------------------------------------------------------------ predictions
def _pooled(task: Task, cells: Sequence[Cell], order: Sequence[str],
            predictions: Mapping[str, list[dict[str, Any]]]
            ) -> tuple[dict[str, curves.Scores], list[str]]:
    """Each model's probabilities pooled over seeds; notes for what could not be read."""
    notes, pooled = [], {}
    if not task.labels or task.type == "regression":
        return {}, []
    for model in order:
        runs = []
        for cell in (c for c in cells if c.model == model):
            rows = predictions.get(cell.predictions)
            if rows is None:
                notes.append(f"predictions of {visible(model)} seed {cell.seed} "
                             f"({visible(cell.predictions)}) could not be read")
                continue
            try:
                runs.append(([str(r["true"]) for r in rows],
                             np.array([r["probabilities"] for r in rows], dtype=float)))
            except (KeyError, TypeError, ValueError):
                notes.append(f"predictions of {visible(model)} seed {cell.seed} have no "
                             "class probabilities")
        try:
            if runs:
                pooled[model] = curves.Scores.pooled(runs, list(task.labels))
        except (KeyError, ValueError):
            notes.append(f"predictions of {visible(model)} do not match the task's labels")
    return pooled, notes


def _confusions(task: Task, pooled: Mapping[str, curves.Scores], order: Sequence[str],
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
                                            i == j) for j, n in enumerate(counts)))
        note = f"summed over {seeds} seeds" if seeds > 1 else "one seed"
        found.append(Confusion(visible(model), colours[model], note,
                               tuple(visible(label) for label in task.labels), tuple(rows)))
    return tuple(found)


# ------------------------------------------------------------------------------ provenance
def _provenance(document: ResultsDocument) -> Provenance:
    env = document.environment
    conf = document.confidence
    confidence = "none" if conf.method == "none" else \
        f"bootstrap, {conf.n:,} resamples, {fmt.percent(conf.level or 0.95)}, seed {conf.seed}"
    facts = (Fact("Spec sha256", document.spec.sha256),
             Fact("Plan digest", visible(document.plan_digest)),
             Fact("Started", _when(document.started)),
             Fact("Finished", _when(document.finished) if document.finished else "in progress"),
             Fact("Device", visible(f"{env.device_name} ({env.device})")),
             Fact("Platform", visible(f"{env.platform}, {env.machine}")),
             Fact("Python", visible(env.python)),
             Fact("Intervals", confidence),
             Fact("Primary metric", visible(document.primary)))
    versions = tuple(Fact(visible(k), visible(v)) for k, v in env.versions.items())
    columns = (Column("digest", numeric=False), Column("model", numeric=False),
               Column("preprocessing", numeric=False), Column("ran", "started, finished",
                                                               numeric=False))
    rows = tuple(Row(visible(f"{c.task} / {c.model}"), "", (
        Value(visible(c.digest)), Value(*_model_identity(c)), Value(_preprocessing(c)),
        Value(_when(c.started), _when(c.finished))), f"seed {c.seed}") for c in document.cells)
    return Provenance(facts, versions, Table(columns, rows))


def _model_identity(cell: Cell) -> tuple[str, str]:
    identity = cell.identity
    details = identity.details
    spec = details.get("spec") if isinstance(details.get("spec"), dict) else {}
    what = (details.get("hub_id") or details.get("architecture") or spec.get("arch")
            or spec.get("name") or spec.get("path") or spec.get("module") or identity.source)
    line = visible(f"{identity.source}: {what}")
    extra = []
    if identity.revision:
        extra.append(f"revision {identity.revision}")
    elif details.get("revision"):
        extra.append(f"revision {details['revision']} (commit unknown)")
    if details.get("weights_sha256"):
        extra.append(f"weights sha256 {str(details['weights_sha256'])[:16]}…")
    return line, visible("; ".join(extra))


def _preprocessing(cell: Cell) -> str:
    p = cell.preprocessing
    parts = []
    if p.image_size is not None:
        parts.append(f"{p.image_size}×{p.image_size} px" + (f", {p.interpolation}"
                                                           if p.interpolation else ""))
    if p.mean is not None and p.std is not None:
        parts.append("mean " + "/".join(f"{v:.3f}" for v in p.mean) + ", std " +
                     "/".join(f"{v:.3f}" for v in p.std))
    if p.max_length is not None:
        parts.append(f"max {p.max_length} tokens")
    return visible("; ".join(parts)) or fmt.MISSING
