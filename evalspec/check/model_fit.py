"""Model rules (ES312, ES314): each model can read each task's inputs, its settings apply
to it, and `evalspec run` can train the task — the same rules the executor follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.check.rules import Context, rule
from evalspec.check.settings import TABULAR_SOURCES
from evalspec.diagnostics import Diagnostic, Severity, one_of
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import RUNNABLE
from evalspec.validate.model import Task

SCRATCH_ARGS = {"transformer": ("layers", "hidden", "heads"),
                "lstm": ("layers", "hidden", "bidirectional"),
                "gru": ("layers", "hidden", "bidirectional"), "mlp": ("layers", "hidden")}
SCRATCH_KINDS = {"transformer": "text", "lstm": "text", "gru": "text", "mlp": "tabular"}


def model_kind(source: Any) -> str:
    """text, image, tabular, or any (a local folder: decided by what it holds). `arch`
    names the timm architecture of a bare weights file."""
    if source.fn == "hf":
        return "text"
    if source.fn == "timm":
        return "image"
    if source.fn == "scratch":
        return SCRATCH_KINDS.get(source.arch, "image")
    return "image" if getattr(source, "arch", None) else "any"


def task_kind(task: Task) -> str:
    """text, image, tabular or audio: what the task's examples carry."""
    builtin = next((s for s in (task.data, task.train) if s is not None and s.fn == "builtin"),
                   None)
    if builtin is not None and builtin.name in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[builtin.name].modality
    if task.type == "image_classification":
        return "image"
    if task.type in ("audio_classification", "speech_recognition"):
        return "audio"
    if task.type != "regression":
        return "text"
    columns = {c for s in (task.data, task.train) if s is not None and s.fn in TABULAR_SOURCES
               for c in s.columns()}
    return "image" if "image" in columns else "text" if "text" in columns else "tabular"


@rule
def model_fits_tasks(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: a model whose inputs are not the task's (every model runs on every task)."""
    for model_name, model in ctx.spec.models.items():
        kind = model_kind(model.source)
        if kind == "any":
            continue
        for task_name, task in ctx.spec.tasks.items():
            if task_kind(task) == kind or task.type not in RUNNABLE:  # the latter: ES314
                continue
            yield Diagnostic(
                "ES312", f"model `{model_name}` takes {kind} input; task `{task_name}` has "
                f"{task_kind(task)} input", ctx.spans.value(("models", model_name, "source", "fn")),
                "every model runs on every task: put tasks of other kinds in their own spec")
            break


@rule
def tasks_can_run(ctx: Context) -> Iterator[Diagnostic]:
    """ES314 (warning): a task type that `evalspec run` cannot train yet."""
    for name, task in ctx.spec.tasks.items():
        if task.type not in RUNNABLE:
            yield Diagnostic(
                "ES314", f"`evalspec run` cannot train {task.type} tasks yet",
                ctx.spans.value(("tasks", name, "type")),
                f"`run` trains {one_of(RUNNABLE)}; `check` still checks this spec",
                Severity.WARNING)


@rule
def untrained_heads_need_finetuning(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: without `finetune`, a model with a new (untrained) head predicts at random."""
    if ctx.spec.finetune is not None:
        return
    for name, model in ctx.spec.models.items():
        if model.head == "new":
            yield Diagnostic(
                "ES312", f"model `{name}` would be evaluated with an untrained head",
                ctx.spans.key(("models", name)),
                "add a `finetune` block (a `train = head` stage is enough), or use "
                "`head = pretrained` to evaluate the model's own classifier")


@rule
def model_settings_fit(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `head = pretrained` without a pretrained text classifier; settings the model
    cannot use; scratch arguments its architecture has not."""
    for name, model in ctx.spec.models.items():
        source, path = model.source, ("models", name)
        kind = model_kind(source)
        if model.head == "pretrained":
            if source.fn == "scratch" or kind not in ("text", "any"):
                yield Diagnostic(
                    "ES312", "`head = pretrained` needs a pretrained Hugging Face text "
                    "classifier; this model has none", ctx.spans.value((*path, "head")),
                    "use `head = new` (the default) with a `finetune` block that trains it")
            elif model.pooling is not None:
                yield Diagnostic(
                    "ES312", "`pooling` is not used with `head = pretrained`: the model's "
                    "own classifier pools", ctx.spans.key((*path, "pooling")),
                    "remove `pooling`", Severity.WARNING)
        if model.pooling is not None and kind not in ("text", "any"):
            yield Diagnostic("ES312", "`pooling` applies to text encoders only",
                             ctx.spans.key((*path, "pooling")), "remove `pooling`")
        if source.fn == "scratch":
            yield from _scratch_arguments(ctx, source, path)
        if getattr(source, "arch", None) in SCRATCH_KINDS and source.fn != "scratch":
            yield Diagnostic(
                "ES312", f"`arch = {source.arch}` is not a timm architecture",
                ctx.spans.value((*path, "source", "arch")),
                "`arch` names the timm architecture of a bare weights file (e.g. `resnet18`); "
                "a Hugging Face folder needs no `arch`")


def _scratch_arguments(ctx: Context, source: Any, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    allowed = SCRATCH_ARGS.get(source.arch, ())
    for arg in ("layers", "hidden", "heads", "bidirectional"):
        if arg in source.model_fields_set and arg not in allowed:
            takes = f"takes only {one_of(allowed)}" if allowed else \
                "is a timm model: it takes no size arguments"
            yield Diagnostic("ES312", f"`scratch({source.arch})` has no `{arg}`",
                             ctx.spans.key((*path, "source", arg)),
                             f"`scratch({source.arch})` {takes}")
