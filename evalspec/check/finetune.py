"""Fine-tuning rules (ES304, ES309, ES310, ES312): stages that exist, settings that can take
effect, a pre-screen that fits the tasks."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.context import SPLIT_EXAMPLE, Context
from evalspec.diagnostics import Diagnostic, Related, Severity
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import Task

STAGE_EXAMPLE = "`stage full { … }` holding `epochs = 3` and `lr = 2e-5`"


def finetune_has_stages(ctx: Context) -> Iterator[Diagnostic]:
    """ES310: a `finetune` block trains nothing without a stage."""
    if ctx.spec.finetune is not None and not ctx.spec.finetune.stages:
        yield Diagnostic(
            "ES310", "`finetune` has no stages", ctx.spans.key(("finetune",)),
            f"add a stage inside `finetune`, e.g. {STAGE_EXAMPLE}")


def stage_settings_possible(ctx: Context) -> Iterator[Diagnostic]:
    """ES309: `top(N)` with N < 1, `layer_decay` on a frozen backbone, patience never reached."""
    if ctx.spec.finetune is None:
        return
    for name, stage in ctx.spec.finetune.stages.items():
        path = ("finetune", "stages", name)
        train = stage.train.fn
        if train == "top" and stage.train.n < 1:
            yield Diagnostic(
                "ES309", f"`top({stage.train.n})` unfreezes no blocks",
                ctx.spans.value((*path, "train", "n")),
                "use `top(1)` or more; to train only the head write `train = head`")
        if train == "head" and stage.layer_decay is not None:
            yield Diagnostic(
                "ES309", "`layer_decay` has no effect when only the head trains",
                ctx.spans.key((*path, "layer_decay")),
                "remove `layer_decay`, or train the backbone: `train = all` or `top(N)`",
                related=(Related(ctx.spans.value((*path, "train")), "backbone frozen here"),))
        if stage.early_stop is not None and stage.early_stop.n >= stage.epochs:
            yield Diagnostic(
                "ES309", f"`patience({stage.early_stop.n})` can never stop a "
                f"{stage.epochs}-epoch stage early", ctx.spans.value((*path, "early_stop", "n")),
                f"use a patience below {stage.epochs}, or more epochs",
                severity=Severity.WARNING)


def has_validation(task: Task) -> bool | None:
    """Whether the task has a validation split; None when its data is missing altogether."""
    if task.data is not None:
        return task.split.validation > 0
    if task.train is None:
        return None
    return task.validation is not None


def early_stop_needs_validation(ctx: Context) -> Iterator[Diagnostic]:
    """ES304: early stopping chooses epochs on the validation split, and a race compares
    candidates there, so every task needs one."""
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
    users: list[tuple[str, tuple[str, ...]]] = [
        ("early stopping", ("finetune", "stages", stage_name, "early_stop"))
             for stage_name, stage in finetune.stages.items() if stage.early_stop is not None]
    if finetune.race is not None:
        users.append(("a race", ("finetune", "race")))
    which = ("tasks `" if len(lacking) > 1 else "task `") + "`, `".join(lacking) + \
        ("` have" if len(lacking) > 1 else "` has")
    for what, path in users:
        yield Diagnostic(
            "ES304", f"{what} needs a validation split; {which} none", ctx.spans.key(path),
            hint, related=(Related(there, f"task `{name}` has no validation split"),))


def prescreen_fits(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: a pre-screen scores one feature vector per example, so not per-word or
    per-frame tasks; a `keep` of every candidate or more is a warning (nothing is dropped)."""
    finetune = ctx.spec.finetune
    if finetune is None or finetune.prescreen is None:
        return
    where = ctx.spans.value(("finetune", "prescreen", "fn"))
    for name, task in ctx.spec.tasks.items():
        if not TASK_TYPES[task.type].facts.per_example:
            yield Diagnostic(
                "ES312", f"`{finetune.prescreen.fn}(…)` scores one feature vector per example; "
                f"task `{name}` ({task.type}) predicts per word or frame", where,
                "remove `prescreen`: pre-screening is not supported for token classification "
                "or speech recognition")
    keep = finetune.prescreen.keep
    if keep is not None and keep >= len(ctx.spec.models):
        yield Diagnostic(
            "ES312", f"`keep = {keep}` keeps every one of the {len(ctx.spec.models)} candidates",
            ctx.spans.value(("finetune", "prescreen", "keep")),
            "keep fewer to skip fine-tuning the weakest, or leave `keep` out to score them all",
            severity=Severity.WARNING)
