"""Meaning rules (ES3xx): metrics that fit the tasks, references, labels, splits."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.rules import Context, rule
from evalspec.diagnostics import Diagnostic, Related, Severity, did_you_mean, one_of
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import Task

SPLIT_EXAMPLE = "`split = holdout(test = 20%, validation = 10%)`"
UNMONITORABLE = {"confusion_matrix": "is a table, not one number"}


def percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def fits(metric_fn: str, task: Task) -> bool:
    return task.type in METRICS[metric_fn].tasks


def labels_of(task: Task) -> list[str] | None:
    """The declared label set without duplicates, or None when labels are inferred."""
    return list(dict.fromkeys(task.labels)) if task.labels is not None else None


@rule
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


@rule
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


@rule
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


def has_validation(task: Task) -> bool | None:
    """Whether the task has a validation split; None when its data is missing altogether."""
    if task.data is not None:
        return task.split.validation > 0
    if task.train is None:
        return None
    return task.validation is not None


@rule
def early_stop_needs_validation(ctx: Context) -> Iterator[Diagnostic]:
    """ES304: early stopping chooses epochs on the validation split, so every task needs one."""
    finetune = ctx.spec.finetune
    if finetune is None:
        return
    lacking = [n for n, t in ctx.spec.tasks.items() if has_validation(t) is False]
    if not lacking:
        return
    name = lacking[0]
    task = ctx.spec.tasks[name]
    if task.data is not None:
        hint = f"add a validation split, e.g. {SPLIT_EXAMPLE}"
        written = "split" in task.model_fields_set
        there = ctx.spans.value(("tasks", name, "split")) if written else \
            ctx.spans.key(("tasks", name))
    else:
        hint = 'add a validation split to the task: `validation = csv("…")`'
        there = ctx.spans.key(("tasks", name))
    for stage_name, stage in finetune.stages.items():
        if stage.early_stop is None:
            continue
        which = ("tasks `" if len(lacking) > 1 else "task `") + "`, `".join(lacking) + \
            ("` have" if len(lacking) > 1 else "` has")
        yield Diagnostic(
            "ES304", f"early stopping needs a validation split; {which} none",
            ctx.spans.key(("finetune", "stages", stage_name, "early_stop")), hint,
            related=(Related(there, f"task `{name}` has no validation split"),))


@rule
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


@rule
def labels_are_unique(ctx: Context) -> Iterator[Diagnostic]:
    """ES306: a label listed twice; also a seed listed twice."""
    for name, task in ctx.spec.tasks.items():
        yield from _duplicates(ctx, task.labels or [], ("tasks", name, "labels"), "label")
    if ctx.spec.finetune is not None:
        yield from _duplicates(ctx, ctx.spec.finetune.seeds, ("finetune", "seeds"), "seed")


def _duplicates(ctx: Context, values: list[str] | list[int], path: tuple[str, ...],
                what: str) -> Iterator[Diagnostic]:
    first: dict[object, int] = {}
    for i, value in enumerate(values):
        if value not in first:
            first[value] = i
            continue
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        yield Diagnostic(
            "ES306", f"duplicate {what} {shown}", ctx.spans.value((*path, i)),
            "remove the second one",
            related=(Related(ctx.spans.value((*path, first[value])), "first listed here"),))


@rule
def split_leaves_training_data(ctx: Context) -> Iterator[Diagnostic]:
    """ES307: `holdout(test = P, validation = Q)` with P + Q >= 100%."""
    for name, task in ctx.spec.tasks.items():
        split = task.split
        if split.test + split.validation >= 1 - 1e-9:
            yield Diagnostic(
                "ES307", f"`test = {percent(split.test)}` and `validation = "
                f"{percent(split.validation)}` leave no training data",
                ctx.spans.value(("tasks", name, "split")),
                f"keep `test + validation` below 100%, e.g. {SPLIT_EXAMPLE}")


@rule
def positive_is_a_label(ctx: Context) -> Iterator[Diagnostic]:
    """ES308: `positive` among the declared labels; ES312: only on binary classification."""
    for name, task in ctx.spec.tasks.items():
        if task.positive is None:
            continue
        family = TASK_TYPES[task.type].family
        labels = labels_of(task)
        span = ctx.spans.value(("tasks", name, "positive"))
        if family != "classification":
            yield Diagnostic(
                "ES312", f"`positive` does not apply to a {task.type} task",
                ctx.spans.key(("tasks", name, "positive")), "remove `positive`")
        elif labels is not None and len(labels) > 2:
            yield Diagnostic(
                "ES312", f"`positive` applies to tasks with two labels; `{name}` has "
                f"{len(labels)}", ctx.spans.key(("tasks", name, "positive")),
                "remove `positive`; with more labels every class counts")
        elif labels is not None and task.positive not in labels:
            yield Diagnostic(
                "ES308", f'`positive` is "{task.positive}", which is not among `labels`', span,
                did_you_mean(task.positive, labels) or f"use one of {one_of(labels)}")


@rule
def labels_fit_the_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `labels` on a task that predicts numbers or text; `stratify` without labels."""
    for name, task in ctx.spec.tasks.items():
        family = TASK_TYPES[task.type].family
        if task.labels is not None and family in ("regression", "speech"):
            yield Diagnostic(
                "ES312", f"`labels` does not apply to a {task.type} task",
                ctx.spans.key(("tasks", name, "labels")), "remove `labels`")
        split = task.split
        if (family in ("regression", "speech") and split.stratify
                and "stratify" in split.model_fields_set):
            yield Diagnostic(
                "ES312", f"`stratify = true` needs class labels; a {task.type} task has none",
                ctx.spans.value(("tasks", name, "split", "stratify")),
                "remove `stratify`, or set `stratify = false`", severity=Severity.WARNING)
