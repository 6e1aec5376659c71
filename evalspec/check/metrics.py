"""Metric rules (ES301-ES303, ES305): metrics fit the tasks, `primary` and `monitor` refer
to declared metrics."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.context import Context, fits, labels_of
from evalspec.diagnostics import Diagnostic, Related, did_you_mean, one_of
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import TASK_TYPES

UNMONITORABLE = {"confusion_matrix": "is a table, not one number"}


def metric_fits_a_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES301: each metric applies to the tasks it fits; fitting none is an error."""
    tasks = ctx.spec.tasks
    types = sorted({t.type for t in tasks.values()})
    for i, entry in enumerate(ctx.spec.metrics.entries):
        fn = entry.metric.fn
        if any(fits(fn, t) for t in tasks.values()):
            continue
        made_for = sorted({TASK_TYPES[t].family for t in METRICS[fn].tasks})
        usable = [m.name for m in METRICS.values()
                  if not m.cost and any(t in m.tasks for t in types)]
        where = ", ".join(f"`{n}` is {t.type}" for n, t in tasks.items())
        yield Diagnostic(
            "ES301", f"metric `{fn}` does not fit any task here ({where})",
            ctx.spans.value(("metrics", "entries", i, "metric", "fn")),
            f"`{fn}` is for {' and '.join(made_for)} tasks; remove it"
            + (f", or use {one_of(usable, limit=5)}" if usable else ""))


def binary_average_needs_two_labels(ctx: Context) -> Iterator[Diagnostic]:
    """ES302: `average = binary` on a task that declares more than two labels."""
    for i, entry in enumerate(ctx.spec.metrics.entries):
        if getattr(entry.metric, "average", None) != "binary":
            continue
        for name, task in ctx.spec.tasks.items():
            labels = labels_of(task)
            if fits(entry.metric.fn, task) and labels is not None and len(labels) > 2:
                yield Diagnostic(
                    "ES302", f"`average = binary` needs two labels; task `{name}` has "
                    f"{len(labels)}",
                    ctx.spans.value(("metrics", "entries", i, "metric", "average")),
                    "use `average = macro` (or `micro`, `weighted`) for more than two labels",
                    related=(Related(ctx.spans.value(("tasks", name, "labels")),
                                     "labels declared here"),))
                break


def primary_is_declared(ctx: Context) -> Iterator[Diagnostic]:
    """ES303: `primary` names one of the declared metrics."""
    metrics = ctx.spec.metrics
    names = [e.name for e in metrics.entries]
    if metrics.primary is None or metrics.primary in names:
        return
    yield Diagnostic(
        "ES303", f"`primary` names `{metrics.primary}`, which is not a declared metric",
        ctx.spans.value(("metrics", "primary")),
        did_you_mean(metrics.primary, names) or f"declared metrics are {one_of(names)}")



def early_stop_monitors_a_metric(ctx: Context) -> Iterator[Diagnostic]:
    """ES305: `monitor = val.X` names `loss` or a declared quality metric every task measures."""
    if ctx.spec.finetune is None:
        return
    entries = {e.name: e.metric.fn for e in ctx.spec.metrics.entries}
    for stage_name, stage in ctx.spec.finetune.stages.items():
        if stage.early_stop is None or stage.early_stop.metric == "loss":
            continue
        metric = stage.early_stop.metric
        span = ctx.spans.value(("finetune", "stages", stage_name, "early_stop", "monitor"))
        fn = entries.get(metric)
        if fn is None:
            yield Diagnostic(
                "ES305", f"early stopping monitors `{metric}`, which is not a declared metric",
                span, did_you_mean(metric, [*entries, "loss"])
                or f"declare `{metric}` in `metrics`, or monitor `val.loss`")
        elif METRICS[fn].cost or fn in UNMONITORABLE:
            why = UNMONITORABLE.get(fn, "is a cost, not measured on the validation split")
            yield Diagnostic(
                "ES305", f"early stopping cannot monitor `{metric}`: `{fn}` {why}", span,
                "monitor a quality metric such as `val.accuracy`, or `val.loss`")
        else:
            missing = [n for n, t in ctx.spec.tasks.items() if not fits(fn, t)]
            if missing:
                yield Diagnostic(
                    "ES305", f"early stopping monitors `{metric}`, which task `{missing[0]}` "
                    f"({ctx.spec.tasks[missing[0]].type}) does not measure", span,
                    "monitor `val.loss`, which every task has")
