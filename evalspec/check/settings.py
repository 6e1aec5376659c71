"""Meaning rules (ES309-ES313) for settings: stages, data sources and models that fit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.check.rules import SOURCE_ROLES, Context, rule
from evalspec.diagnostics import Diagnostic, Related, Severity, did_you_mean, one_of
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import Task

TABULAR_SOURCES = ("csv", "jsonl", "parquet", "hf_dataset")
# Sources that only one kind of task can read; tabular sources fit every task.
SOURCE_TASKS = {"images": ("image_classification",), "audio": ("audio_classification",),
                "conll": ("token_classification",)}
# Column keywords a task type may use beyond its inputs and target (`id` fits all).
EXTRA_COLUMNS = {"regression": ("text", "text_pair", "image")}
ANSWER_COLUMNS = {t.target for t in TASK_TYPES.values()}
STAGE_EXAMPLE = "`stage full { … }` holding `epochs = 3` and `lr = 2e-5`"


# --------------------------------------------------------------------------- stages
@rule
def finetune_has_stages(ctx: Context) -> Iterator[Diagnostic]:
    """ES310: a `finetune` block trains nothing without a stage."""
    if ctx.spec.finetune is not None and not ctx.spec.finetune.stages:
        yield Diagnostic(
            "ES310", "`finetune` has no stages", ctx.spans.key(("finetune",)),
            f"add a stage inside `finetune`, e.g. {STAGE_EXAMPLE}")


@rule
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


# --------------------------------------------------------------------------- data sources
@rule
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


def _source_fits(task: Task, source: Any) -> bool:
    if source.fn in SOURCE_TASKS:
        return task.type in SOURCE_TASKS[source.fn]
    if source.fn == "builtin" and source.name in BUILTIN_DATASETS:
        data = BUILTIN_DATASETS[source.name]
        if data.modality == "image":
            return task.type == "image_classification"
        return TASK_TYPES[task.type].family == data.family
    return True


@rule
def source_fits_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `images(…)`, `audio(…)`, `conll(…)` and `builtin(…)` fit only some task types."""
    for name, task, role, source in ctx.task_sources():
        if _source_fits(task, source):
            continue
        kinds = [*TABULAR_SOURCES, *(k for k, ts in SOURCE_TASKS.items() if task.type in ts)]
        if source.fn == "builtin":
            data = BUILTIN_DATASETS[source.name]
            what = f"`builtin({source.name})` holds {data.modality} {data.family} data"
        else:
            what = f"`{source.fn}(…)` is data for {SOURCE_TASKS[source.fn][0]} tasks"
        yield Diagnostic(
            "ES312", f"{what}; task `{name}` is {task.type}",
            ctx.spans.value(("tasks", name, role, "fn")),
            f"a {task.type} task reads {one_of(kinds)}, or change `type`")


@rule
def source_names_columns(ctx: Context) -> Iterator[Diagnostic]:
    """ES313: a table names the columns its task needs; ES312: columns the task cannot use."""
    for name, task, role, source in ctx.task_sources():
        if source.fn not in TABULAR_SOURCES:
            continue
        kind = TASK_TYPES[task.type]
        needed = [*(() if kind.family == "regression" else kind.inputs), kind.target]
        given = source.columns()
        path = ("tasks", name, role)
        missing = [c for c in needed if c not in given]
        if missing:
            listed = " and ".join(f"`{c}`" for c in missing)
            yield Diagnostic(
                "ES313", f"`{source.fn}(…)` does not name the {listed} column"
                f"{'s' if len(missing) > 1 else ''} a {task.type} task needs",
                ctx.spans.value((*path, "fn")),
                "add " + ", ".join(f'`{c} = "…"`' for c in missing)
                + f" naming the column{'s' if len(missing) > 1 else ''} in the file")
        allowed = {*kind.inputs, kind.target, "id", *EXTRA_COLUMNS.get(kind.family, ())}
        for column in given:
            if column in allowed:
                continue
            if column in ANSWER_COLUMNS:
                hint = f"a {task.type} task reads its answer from `{kind.target} = …`"
            else:
                hint = did_you_mean(column, allowed) or f"remove `{column} = …`"
            yield Diagnostic(
                "ES312", f"a {task.type} task does not use a `{column}` column",
                ctx.spans.key((*path, column)), hint)
