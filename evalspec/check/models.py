"""Model rules (ES312, ES405-ES407): each model reads its tasks' inputs, its settings apply to
it, and its weights are where its source says: a path, an installed package, the hub cache.

Nothing here imports a model library: packages are found with `importlib` finders (no
import of the package itself) and the hub cache is read as folders.
"""

from __future__ import annotations

import dataclasses
import os
import pkgutil
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from evalspec.check.context import Context, task_modality
from evalspec.check.paths import locate, resolve, suggest_path
from evalspec.diagnostics import Diagnostic, Severity, did_you_mean, one_of
from evalspec.locations import FILE, FOLDER, MISSING, package_folder, what_is
from evalspec.registry.models import SCRATCH_ARCHS, SCRATCH_ARGS, WEIGHTS_LAYOUTS, modalities_of
from evalspec.registry.weights import WEIGHT_SUFFIXES
from evalspec.source import Span
from evalspec.validate import Validated

OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
TRUE = frozenset({"1", "ON", "YES", "TRUE"})


# --------------------------------------------------------------------------- meaning
def model_fits_tasks(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: a model whose inputs are not the task's (every model runs on every task)."""
    for model_name, model in ctx.spec.models.items():
        kinds = modalities_of(model.source)
        for task_name, task in ctx.spec.tasks.items():
            if task_modality(task) in kinds:
                continue
            yield Diagnostic(
                "ES312", f"model `{model_name}` takes {' or '.join(kinds)} input; task "
                f"`{task_name}` has {task_modality(task)} input",
                ctx.spans.value(("models", model_name, "source", "fn")),
                "every model runs on every task: put tasks of other kinds in their own spec")
            break


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


def model_settings_fit(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `head = pretrained` without a pretrained text classifier; settings the model
    cannot use; size arguments its architecture has not."""
    for name, model in ctx.spec.models.items():
        source, path = model.source, ("models", name)
        text = "text" in modalities_of(source)  # it may be a Hugging Face text model
        trained = source.fn in WEIGHTS
        if model.head == "pretrained":
            if not trained or not text:
                yield Diagnostic(
                    "ES312", "`head = pretrained` needs a pretrained Hugging Face text "
                    "classifier; this model has none", ctx.spans.value((*path, "head")),
                    "use `head = new` (the default) with a `finetune` block that trains it")
            elif model.pooling is not None:
                yield Diagnostic(
                    "ES312", "`pooling` is not used with `head = pretrained`: the model's "
                    "own classifier pools", ctx.spans.key((*path, "pooling")),
                    "remove `pooling`", Severity.WARNING)
        if model.pooling is not None and not text:
            yield Diagnostic("ES312", "`pooling` applies to text encoders only",
                             ctx.spans.key((*path, "pooling")), "remove `pooling`")
        if not trained:
            yield from _size_arguments(ctx, source, path)
        elif getattr(source, "arch", None) in SCRATCH_ARCHS:
            yield Diagnostic(
                "ES312", f"`arch = {source.arch}` is not a timm architecture",
                ctx.spans.value((*path, "source", "arch")),
                "`arch` names the timm architecture of a bare weights file (e.g. `resnet18`) "
                f"or a known layout ({one_of(list(WEIGHTS_LAYOUTS))}); a Hugging Face folder "
                "needs no `arch`")


def _size_arguments(ctx: Context, source: Any, path: tuple[str, ...]) -> Iterator[Diagnostic]:
    """A model built from its architecture alone takes only that architecture's sizes."""
    arch = SCRATCH_ARCHS.get(source.arch)
    allowed = arch.args if arch is not None else ()
    for arg in SCRATCH_ARGS:
        if arg in source.model_fields_set and arg not in allowed:
            takes = f"takes only {one_of(allowed)}" if allowed else \
                "is a timm model: it takes no size arguments"
            yield Diagnostic("ES312", f"`{source.fn}({source.arch})` has no `{arg}`",
                             ctx.spans.key((*path, "source", arg)),
                             f"`{source.fn}({source.arch})` {takes}")


# --------------------------------------------------------------------------- resolution
def offline() -> str | None:
    """`HF_HUB_OFFLINE=1` (or `TRANSFORMERS_OFFLINE=…`) when the environment forbids
    downloads from the hub, read as huggingface_hub reads it: the first of the two that is
    set decides, and `1`, `on`, `yes` or `true` mean offline. None when downloads may run."""
    for variable in OFFLINE_VARIABLES:
        value = os.environ.get(variable)
        if value:
            return f"{variable}={value}" if value.upper() in TRUE else None
    return None


def hub_cache() -> Path:
    """The Hugging Face hub cache folder, as huggingface_hub finds it."""
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "huggingface" / "hub"


def _cached(folder: Path, revision: str | None = None) -> bool:
    snapshots = folder / "snapshots"
    if revision is not None:
        return what_is(folder / "refs" / revision) == FILE or \
            what_is(snapshots / revision) == FOLDER
    return what_is(snapshots) == FOLDER and any(snapshots.iterdir())


def _is_model(found: Path, arch: str | None, written: str,
              span: Span) -> Iterator[Diagnostic]:
    """ES405: a folder holds `config.json`; a bare weights file names its `arch`."""
    if arch is not None:
        return
    kind = what_is(found)
    if kind == FOLDER and what_is(found / "config.json") != FILE:
        yield Diagnostic(
            "ES405", f"`{written}` holds no model: there is no `config.json` in it", span,
            "point at a Hugging Face model folder, or at a weights file with `arch = …`")
    elif kind == FILE and found.suffix in WEIGHT_SUFFIXES:
        yield Diagnostic(
            "ES405", f"`{written}` is a bare weights file; its architecture is unknown", span,
            f'name its timm architecture: `path("{written}", arch = resnet18)`')


def _path_weights(ctx: Context, path: tuple[str, ...], source: Any) -> Iterator[Diagnostic]:
    """ES405: a local model exists, relative to the spec file, and holds a model."""
    span = ctx.spans.value((*path, "path"))
    missing = list(locate(ctx.base_dir, source.path, span, "ES405", "model path", None))
    yield from missing
    if not missing:
        yield from _is_model(resolve(ctx.base_dir, source.path), source.arch, source.path, span)


def _package_weights(ctx: Context, path: tuple[str, ...], source: Any) -> Iterator[Diagnostic]:
    """ES407: the package is installed; ES405: and holds a model at its subpath."""
    folder = package_folder(source.module)
    if folder is None:
        installed = [m.name for m in pkgutil.iter_modules()]
        yield Diagnostic(
            "ES407", f"package `{source.module}` is not installed",
            ctx.spans.value((*path, "module")),
            did_you_mean(source.module, installed)
            or "install it into this environment "
            f"(`pip install {source.module.split('.')[0]}`)")
        return
    span = ctx.spans.value((*path, "subpath"))
    target = folder / source.subpath
    kind = what_is(target)
    if kind == MISSING:
        near = suggest_path(folder, source.subpath)
        yield Diagnostic(
            "ES405", f"package `{source.module}` has no `{source.subpath}`", span,
            (f"did you mean `{near}`? " if near else "") + f"(looked for {target})")
        return
    if kind not in (FILE, FOLDER):
        yield Diagnostic("ES405", f"`{source.subpath}` in package `{source.module}` is {kind}",
                         span, "name a model folder or weights file inside the package")
        return
    yield from _is_model(target, source.arch, source.subpath or source.module, span)


def _hub_weights(ctx: Context, path: tuple[str, ...], source: Any) -> Iterator[Diagnostic]:
    """ES406 (warning): a hub model (at its revision) missing from the local cache."""
    cache = hub_cache()
    folder = cache / ("models--" + source.id.replace("/", "--"))
    if _cached(folder, source.revision):
        return
    what = f"`{source.id}`" + (f" at revision `{source.revision}`"
                               if source.revision and what_is(folder) == FOLDER else "")
    fetch = f"hf download {source.id}" + (f" --revision {source.revision}"
                                          if source.revision else "")
    yield _not_cached(what, cache, ctx.spans.value((*path, "id")), fetch)


def _timm_weights(ctx: Context, path: tuple[str, ...], source: Any) -> Iterator[Diagnostic]:
    """ES406 (warning): pretrained timm weights missing from the local cache. `resnet18` is
    cached as `timm/resnet18.<pretrained tag>`; a tagged name as itself."""
    if not source.pretrained:
        return
    cache, prefix = hub_cache(), "models--timm--" + source.name
    try:
        if any(_cached(f) for f in cache.iterdir()
               if f.name == prefix or f.name.startswith(prefix + ".")):
            return
    except OSError:
        pass
    yield _not_cached(f"timm model `{source.name}`", cache, ctx.spans.value((*path, "name")),
                      f"hf download timm/{source.name}")


def _not_cached(what: str, cache: Path, span: Span, fetch: str) -> Diagnostic:
    """The one ES406 message; offline, it names the variable that forbids the download."""
    setting = offline()
    if setting is None:
        return Diagnostic(
            "ES406", f"{what} is not in the local Hugging Face cache ({cache})", span,
            f"`evalspec run` will download it; to work offline, fetch it first (`{fetch}`) "
            "or use `path(…)`", severity=Severity.WARNING)
    return Diagnostic(
        "ES406", f"{what} is not in the local Hugging Face cache ({cache}), and {setting} "
        "forbids downloading it", span,
        f"`evalspec run` stops here: fetch it first where the hub is reachable (`{fetch}`, "
        f"with {setting.split('=')[0]} unset) or use `path(…)`", severity=Severity.WARNING)


# Where each model source keeps its trained weights, by name: how the check finds them. A
# source without an entry (`scratch`) has none: its model is built from its architecture.
Weights = Callable[[Context, tuple[str, ...], Any], Iterator[Diagnostic]]
WEIGHTS: dict[str, Weights] = {"hf": _hub_weights, "timm": _timm_weights,
                               "path": _path_weights, "package": _package_weights}


def model_weights_found(ctx: Context) -> Iterator[Diagnostic]:
    """ES405-ES407: each model's weights are where its source says they are."""
    for name in ctx.spec.models:
        yield from _weights_found(ctx, name)


def _weights_found(ctx: Context, name: str) -> Iterator[Diagnostic]:
    source = ctx.spec.models[name].source
    find = WEIGHTS.get(source.fn)
    if find is not None:
        yield from find(ctx, ("models", name, "source"), source)


def downloads_refused(validated: Validated, base_dir: Path,
                      models: Collection[str] = ()) -> list[Diagnostic]:
    """ES406 as errors while the environment is offline: the hub models (of `models`, when
    given) that `run` would have to download. `check` warns of them; `run` stops on them
    before it reads any data."""
    if offline() is None:
        return []
    ctx = Context(validated.spec, validated.spans, base_dir)
    return [dataclasses.replace(d, severity=Severity.ERROR)
            for name in ctx.spec.models if not models or name in models
            for d in _weights_found(ctx, name) if d.code == "ES406"]
