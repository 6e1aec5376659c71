"""Fine-tuning rules (ES304, ES309, ES310): stages that exist, settings that can take effect."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.context import SPLIT_EXAMPLE, Context
from evalspec.diagnostics import Diagnostic, Related, Severity
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
