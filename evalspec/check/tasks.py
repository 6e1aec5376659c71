"""Task rules (ES306-ES308, ES311, ES312): splits, labels, `positive`, data roles."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.context import SOURCE_ROLES, SPLIT_EXAMPLE, Context, labels_of
from evalspec.diagnostics import Diagnostic, Related, Severity, did_you_mean, one_of
from evalspec.registry.tasks import TASK_TYPES


def percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def labels_are_unique(ctx: Context) -> Iterator[Diagnostic]:
    """ES306: a label (by its name) listed twice, or a value of the data given two names;
    also a seed listed twice."""
    for name, task in ctx.spec.tasks.items():
        yield from _duplicate_labels(ctx, ("tasks", name, "labels"), task.declared() or [])
    if ctx.spec.finetune is not None:
        yield from _duplicate_seeds(ctx, ctx.spec.finetune.seeds)


def _duplicate_labels(ctx: Context, path: tuple[str, ...],
                      declared: list[tuple[str, str]]) -> Iterator[Diagnostic]:
    names: dict[str, int] = {}
    values: dict[str, int] = {}
    for i, (value, label) in enumerate(declared):
        if label in names:
            yield Diagnostic(
                "ES306", f'duplicate label "{label}"', ctx.spans.value((*path, i, "name")),
                "remove the second one, or give it another name",
                related=(Related(ctx.spans.value((*path, names[label], "name")),
                                 "first listed here"),))
        elif value in values:
            yield Diagnostic(
                "ES306", f'the value "{value}" is named twice, as "{declared[values[value]][1]}" '
                f'and "{label}"', ctx.spans.value((*path, i, "value")),
                "each value in the data takes one name; remove one of them",
                related=(Related(ctx.spans.value((*path, values[value], "value")),
                                 "first named here"),))
        names.setdefault(label, i)
        values.setdefault(value, i)


def _duplicate_seeds(ctx: Context, seeds: list[int]) -> Iterator[Diagnostic]:
    first: dict[int, int] = {}
    for i, seed in enumerate(seeds):
        if seed not in first:
            first[seed] = i
            continue
        yield Diagnostic(
            "ES306", f"duplicate seed {seed}", ctx.spans.value(("finetune", "seeds", i)),
            "remove the second one", related=(Related(
                ctx.spans.value(("finetune", "seeds", first[seed])), "first listed here"),))


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


def positive_is_a_label(ctx: Context) -> Iterator[Diagnostic]:
    """ES308: `positive` among the declared labels; ES312: only on binary classification."""
    for name, task in ctx.spec.tasks.items():
        if task.positive is None:
            continue
        labels = labels_of(task)
        span = ctx.spans.value(("tasks", name, "positive"))
        if TASK_TYPES[task.type].facts.labels != "classes":
            yield Diagnostic(
                "ES312", f"`positive` does not apply to a {task.type} task",
                ctx.spans.key(("tasks", name, "positive")), "remove `positive`")
        elif labels is not None and len(labels) > 2:
            yield Diagnostic(
                "ES312", f"`positive` applies to tasks with two labels; `{name}` has "
                f"{len(labels)}", ctx.spans.key(("tasks", name, "positive")),
                "remove `positive`; with more labels every class counts")
        elif labels is not None and task.positive not in labels:
            named = dict(task.declared() or ()).get(task.positive)
            yield Diagnostic(
                "ES308", f'`positive` is "{task.positive}", which is not among `labels`', span,
                f'`labels` calls the value "{task.positive}" "{named}": write `positive = '
                f'"{named}"`' if named else
                did_you_mean(task.positive, labels) or f"use one of {one_of(labels)}")


def labels_fit_the_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `labels` on a task that predicts numbers or text; `stratify` without labels."""
    for name, task in ctx.spec.tasks.items():
        unlabelled = not TASK_TYPES[task.type].facts.declares_labels
        if task.labels is not None and unlabelled:
            yield Diagnostic(
                "ES312", f"`labels` does not apply to a {task.type} task",
                ctx.spans.key(("tasks", name, "labels")), "remove `labels`")
        split = task.split
        if unlabelled and split.stratify and "stratify" in split.model_fields_set:
            yield Diagnostic(
                "ES312", f"`stratify = true` needs class labels; a {task.type} task has none",
                ctx.spans.value(("tasks", name, "split", "stratify")),
                "remove `stratify`, or set `stratify = false`", severity=Severity.WARNING)


def data_sources_consistent(ctx: Context) -> Iterator[Diagnostic]:
    """ES311: `data` (+ `split`) or explicit `train` + `test` (+ `validation`), not both."""
    for name, task in ctx.spec.tasks.items():
        explicit = [r for r in SOURCE_ROLES[1:] if getattr(task, r) is not None]
        path = ("tasks", name)
        if task.data is not None:
            for role in explicit:
                yield Diagnostic(
                    "ES311", f"task `{name}` has both `data` and `{role}`",
                    ctx.spans.key((*path, role)),
                    f"remove `{role}` (then `split` divides `data`), or remove `data` and give "
                    "explicit `train` and `test`",
                    related=(Related(ctx.spans.key((*path, "data")), "`data` set here"),))
            continue
        if not explicit:
            yield Diagnostic(
                "ES311", f"task `{name}` has no data", ctx.spans.key(path),
                'add `data = csv("data/file.csv", …)`, or explicit `train` and `test`')
            continue
        missing = [r for r in ("train", "test") if r not in explicit]
        if missing:
            yield Diagnostic(
                "ES311", f"explicit splits need `train` and `test`; task `{name}` has no "
                + " and no ".join(f"`{r}`" for r in missing),
                ctx.spans.key((*path, explicit[0])),
                " and ".join(f'add `{r} = csv("…")`' for r in missing)
                + ", or give one `data` source and a `split`")
        if "split" in task.model_fields_set:
            yield Diagnostic(
                "ES311", "`split` divides `data`, but this task has explicit splits",
                ctx.spans.key((*path, "split")),
                "remove `split`: the explicit `train`/`validation`/`test` are used as they are")


def normalize_fits_the_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `normalize` on a task that predicts no transcripts."""
    for name, task in ctx.spec.tasks.items():
        if "normalize" in task.model_fields_set and \
                TASK_TYPES[task.type].facts.prediction != "transcripts":
            yield Diagnostic(
                "ES312", f"`normalize` applies to transcripts; a {task.type} task has none",
                ctx.spans.key(("tasks", name, "normalize")), "remove `normalize`")
