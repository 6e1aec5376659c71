"""Rules for what a task evaluates beside its test split (ES306, ES312): extra sets and
perturbations have distinct names, and each perturbation fits the task's input."""

from __future__ import annotations

from collections.abc import Iterator

from evalspec.check.context import Context, task_modality
from evalspec.diagnostics import Diagnostic, Related, one_of
from evalspec.registry.perturbations import PERTURBATIONS
from evalspec.registry.tasks import TASK_TYPES

RESERVED = ("train", "validation", "test")  # the split names a report already uses


def evaluation_names_distinct(ctx: Context) -> Iterator[Diagnostic]:
    """ES306: an extra set and a perturbation never share a name, nor take a split's."""
    for name, task in ctx.spec.tasks.items():
        for extra in task.perturb:
            if extra in task.evaluate:
                yield Diagnostic(
                    "ES306", f"`{extra}` names both an extra evaluation set and a perturbation",
                    ctx.spans.key(("tasks", name, "perturb", extra)),
                    "rename one: each names its own column in the report",
                    related=(Related(ctx.spans.key(("tasks", name, "evaluate", extra)),
                                     "the evaluation set"),))
        for section in ("evaluate", "perturb"):
            for extra in getattr(task, section):
                if extra in RESERVED:
                    yield Diagnostic(
                        "ES306", f"`{extra}` is the name of a split",
                        ctx.spans.key(("tasks", name, section, extra)),
                        f"choose another name (not {one_of(RESERVED)})")


def perturbations_fit_the_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: a perturbation changes the input the task reads (text, image or audio);
    per-word tasks are not perturbed (dropping words would misalign their tags)."""
    for name, task in ctx.spec.tasks.items():
        if not task.perturb:
            continue
        modality = task_modality(task)
        per_word = TASK_TYPES[task.type].facts.prediction == "tags"
        fitting = [p for p, d in PERTURBATIONS.items() if d.modality == modality]
        for extra, call in task.perturb.items():
            where = ctx.spans.value(("tasks", name, "perturb", extra, "fn"))
            if per_word:
                yield Diagnostic(
                    "ES312", f"a {task.type} task cannot be perturbed yet", where,
                    "remove the `perturb` block; evaluate other data with `evaluate { … }`")
                break
            if PERTURBATIONS[call.fn].modality != modality:
                hint = f"{modality} perturbations are {one_of(fitting)}" if fitting else \
                    "remove it: this task's input has no perturbations"
                yield Diagnostic(
                    "ES312", f"`{call.fn}(…)` perturbs {PERTURBATIONS[call.fn].modality}; task "
                    f"`{name}` reads {modality}", where, hint)
