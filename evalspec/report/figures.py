"""What each chart shows, as plain data: lines and points already computed, colours and labels
chosen. `charts.py` only draws these."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from evalspec.report import curves
from evalspec.report.numbers import number, visible
from evalspec.results.schema import Cell, Standing, Task

MUTED = "#9ca3af"
LONGEST = 40  # characters of a name drawn in a chart; tables show names whole


def label(name: str) -> str:
    """A name as drawn in a chart: visible, and cut to fit beside the axes."""
    shown = visible(name)
    return shown if len(shown) <= LONGEST else shown[:LONGEST - 1] + "…"


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    dashed: bool = False
    markers: bool = False


@dataclass(frozen=True)
class Plot:
    """One panel of lines on unit axes (ROC, precision-recall, reliability)."""

    id: str
    title: str
    caption: str
    xlabel: str
    ylabel: str
    lines: tuple[Line, ...]
    reference: Line | None  # chance line, baseline or perfect calibration


@dataclass(frozen=True)
class Boundary:
    x: float
    name: str


@dataclass(frozen=True)
class Panel:
    """One model's learning curves: every seed's train and validation loss per epoch, with
    the stages laid end to end."""

    title: str
    lines: tuple[Line, ...]
    boundaries: tuple[Boundary, ...]
    best: tuple[tuple[float, float], ...]  # (x, val loss) of each stage's kept epoch


@dataclass(frozen=True)
class Learning:
    id: str
    title: str
    caption: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Point:
    label: str
    colour: str
    x: float
    y: float
    low: float | None
    high: float | None
    pick: bool


@dataclass(frozen=True)
class Scatter:
    xlabel: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Tradeoff:
    """The primary metric against cost (latency, parameters), one panel per cost."""

    id: str
    title: str
    caption: str
    ylabel: str
    panels: tuple[Scatter, ...]


def quality_plots(anchor: str, task: Task, pooled: Mapping[str, curves.Scores],
                  colours: Mapping[str, str], seeds: int) -> tuple[Plot, ...]:
    """ROC, precision-recall and reliability for a classification task."""
    binary = len(task.labels) == 2 and task.positive in task.labels
    positive = task.labels.index(task.positive) if binary and task.positive else None
    scope = (f"positive class “{visible(task.positive or '')}”" if positive is not None
             else "one-vs-rest, macro-averaged over classes")
    pooled_note = f"predictions pooled over {seeds} seeds" if seeds > 1 else "one seed"
    roc, pr, calibration = [], [], []
    for model, scores in pooled.items():
        name, colour = label(model), colours[model]
        if (r := curves.roc(scores, positive)) is not None:
            roc.append(Line(f"{name}  AUC {number(r.area)}", colour, r.x, r.y))
        if (p := curves.precision_recall(scores, positive)) is not None:
            pr.append(Line(f"{name}  AP {number(p.area)}", colour, p.x, p.y))
        if (c := curves.reliability(scores, positive)) is not None:
            calibration.append(Line(name, colour, c.x, c.y, markers=True))
    first = next(iter(pooled.values()), None)
    baseline = None
    if positive is not None and first is not None:
        rate = curves.prevalence(first, positive)
        baseline = Line(f"chance (prevalence {number(rate)})", MUTED, (0.0, 1.0), (rate, rate),
                        dashed=True)
    diagonal = Line("chance", MUTED, (0.0, 1.0), (0.0, 1.0), dashed=True)
    perfect = Line("perfectly calibrated", MUTED, (0.0, 1.0), (0.0, 1.0), dashed=True)
    what = "predicted probability of the positive class" if positive is not None \
        else "confidence of the predicted label"
    observed = "observed share of positives" if positive is not None else "accuracy"
    return (
        Plot(f"{anchor}-roc", "ROC curve", f"{scope}; {pooled_note}.", "false positive rate",
             "true positive rate", tuple(roc), diagonal),
        Plot(f"{anchor}-pr", "Precision–recall", f"{scope}; {pooled_note}.", "recall",
             "precision", tuple(pr), baseline),
        Plot(f"{anchor}-calibration", "Calibration",
             f"{what} (10 bins) against the {observed}; {pooled_note}.", what, observed,
             tuple(calibration), perfect),
    )


def learning(anchor: str, cells: Sequence[Cell], order: Sequence[str],
             colours: Mapping[str, str]) -> Learning | None:
    panels = []
    for model in order:
        runs = [c for c in cells if c.model == model and any(s.epochs for s in c.stages)]
        if runs:
            panels.append(_panel(model, runs, colours[model]))
    if not panels:
        return None
    return Learning(f"{anchor}-learning", "Learning curves",
                    "Training loss (solid) and validation loss (dashed) per epoch, stages end "
                    "to end; a dot marks the epoch each stage kept.", tuple(panels))


def _panel(model: str, runs: Sequence[Cell], colour: str) -> Panel:
    lines: list[Line] = []
    best: list[tuple[float, float]] = []
    boundaries: list[Boundary] = []
    for n, cell in enumerate(runs):
        offset, xs, train, val_x, val = 0, [], [], [], []
        for stage in cell.stages:
            if n == 0:
                boundaries.append(Boundary(offset + 0.5, label(stage.name)))
            for epoch in stage.epochs:
                xs.append(float(offset + epoch.epoch))
                train.append(epoch.train_loss)
                if epoch.val_loss is not None:
                    val_x.append(float(offset + epoch.epoch))
                    val.append(epoch.val_loss)
                    if epoch.epoch == stage.best_epoch:
                        best.append((float(offset + epoch.epoch), epoch.val_loss))
            offset += len(stage.epochs)
        seed = f"seed {cell.seed}"
        lines.append(Line(f"train, {seed}", colour, tuple(xs), tuple(train)))
        if val:
            lines.append(Line(f"validation, {seed}", colour, tuple(val_x), tuple(val),
                              dashed=True))
    return Panel(label(model), tuple(lines), tuple(boundaries), tuple(best))


def tradeoff(anchor: str, task: Task, metric: str, higher: bool, order: Sequence[str],
             colours: Mapping[str, str], pick: str | None) -> Tradeoff | None:
    """Primary metric (mean over seeds, pooled interval) against latency and parameters."""
    rows = {r.model: r for r in task.leaderboard}
    panels = []
    latency = _first_latency(task)
    if latency is not None:
        panels.append(_scatter("latency p50, ms per input", order, rows, colours, pick,
                               lambda m: _p50(task, m, latency)))
    panels.append(_scatter("parameters", order, rows, colours, pick,
                           lambda m: float(task.models[m].cost.params.total)))
    panels = [p for p in panels if p.points]
    if not panels:
        return None
    return Tradeoff(f"{anchor}-cost", "Quality against cost",
                    f"{visible(metric)} (mean over seeds, bars: pooled interval) against cost; "
                    f"log scale. {'Up' if higher else 'Down'} and to the left is better.",
                    label(metric), tuple(panels))


def _p50(task: Task, model: str, metric: str) -> float | None:
    found = task.models[model].cost.latency.get(metric)
    return found.p50 if found is not None else None


def _first_latency(task: Task) -> str | None:
    for summary in task.models.values():
        return next(iter(summary.cost.latency), None)
    return None


def _scatter(xlabel: str, order: Sequence[str], rows: Mapping[str, Standing],
             colours: Mapping[str, str], pick: str | None,
             cost_of: Callable[[str], float | None]) -> Scatter:
    points = []
    for model in order:
        row = rows.get(model)
        if row is None or row.value.value is None:
            continue
        x = cost_of(model)
        if x is None or x <= 0:
            continue
        points.append(Point(label(model), colours[model], float(x), row.value.value,
                            row.interval.low, row.interval.high, model == pick))
    return Scatter(xlabel, tuple(points))
