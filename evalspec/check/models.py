"""Resolution rules (ES405-ES407) for models: paths, packages and the Hugging Face cache.

Nothing here imports a model library: packages are found with `importlib` finders (no
import of the package itself) and the hub cache is read as folders.
"""

from __future__ import annotations

import os
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalspec.check import data_files as files
from evalspec.check.resolve import locate
from evalspec.check.rules import Context, rule
from evalspec.diagnostics import Diagnostic, Severity, did_you_mean
from evalspec.locations import package_folder
from evalspec.registry.weights import WEIGHT_SUFFIXES
from evalspec.source import Span


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
        return (folder / "refs" / revision).is_file() or (snapshots / revision).is_dir()
    return snapshots.is_dir() and any(snapshots.iterdir())


def _timm_cached(cache: Path, name: str) -> bool:
    """`resnet18` is cached as `timm/resnet18.<pretrained tag>`; a tagged name as itself."""
    folder = "models--timm--" + name
    try:
        return any(_cached(f) for f in cache.iterdir()
                   if f.name == folder or f.name.startswith(folder + "."))
    except OSError:
        return False


def _is_model(found: Path, arch: str | None, written: str,
              span: Span) -> Iterator[Diagnostic]:
    """ES405: a folder holds `config.json`; a bare weights file names its `arch`."""
    if arch is not None:
        return
    if found.is_dir() and not (found / "config.json").is_file():
        yield Diagnostic(
            "ES405", f"`{written}` holds no model: there is no `config.json` in it", span,
            "point at a Hugging Face model folder, or at a weights file with `arch = …`")
    elif found.is_file() and found.suffix in WEIGHT_SUFFIXES:
        yield Diagnostic(
            "ES405", f"`{written}` is a bare weights file; its architecture is unknown", span,
            f'name its timm architecture: `path("{written}", arch = resnet18)`')


@rule
def model_paths_exist(ctx: Context) -> Iterator[Diagnostic]:
    """ES405: `path(…)` models exist, relative to the spec file, and hold a model."""
    for name, model in ctx.spec.models.items():
        source = model.source
        if source.fn != "path":
            continue
        span = ctx.spans.value(("models", name, "source", "path"))
        missing = list(locate(ctx.base_dir, source.path, span, "ES405", "model path", None))
        yield from missing
        if not missing:
            found = files.resolve(ctx.base_dir, source.path)
            yield from _is_model(found, source.arch, source.path, span)


@rule
def packages_exist(ctx: Context) -> Iterator[Diagnostic]:
    """ES407: `package(module, subpath)` names an installed package; ES405: and a model in it."""
    for name, model in ctx.spec.models.items():
        source = model.source
        if source.fn != "package":
            continue
        path = ("models", name, "source")
        folder = package_folder(source.module)
        if folder is None:
            installed = [m.name for m in pkgutil.iter_modules()]
            yield Diagnostic(
                "ES407", f"package `{source.module}` is not installed",
                ctx.spans.value((*path, "module")),
                did_you_mean(source.module, installed)
                or "install it into this environment "
                f"(`pip install {source.module.split('.')[0]}`)")
            continue
        span = ctx.spans.value((*path, "subpath"))
        target = folder / source.subpath
        if not target.exists():
            near = files.suggest_path(folder, source.subpath)
            yield Diagnostic(
                "ES405", f"package `{source.module}` has no `{source.subpath}`", span,
                (f"did you mean `{near}`? " if near else "") + f"(looked for {target})")
            continue
        yield from _is_model(target, source.arch, source.subpath or source.module, span)


@rule
def hub_models_cached(ctx: Context) -> Iterator[Diagnostic]:
    """ES406 (warning): `hf(…)` and pretrained `timm(…)` models missing from the local cache."""
    cache = hub_cache()
    for name, model in ctx.spec.models.items():
        source: Any = model.source
        path = ("models", name, "source")
        if source.fn == "hf":
            folder = cache / ("models--" + source.id.replace("/", "--"))
            if _cached(folder, source.revision):
                continue
            what = f"`{source.id}`" + (f" at revision `{source.revision}`"
                                       if source.revision and folder.is_dir() else "")
            span, fetch = ctx.spans.value((*path, "id")), f"hf download {source.id}"
        elif source.fn == "timm" and source.pretrained:
            if _timm_cached(cache, source.name):
                continue
            what = f"timm model `{source.name}`"
            span, fetch = ctx.spans.value((*path, "name")), f"hf download timm/{source.name}"
        else:
            continue
        yield Diagnostic(
            "ES406", f"{what} is not in the local Hugging Face cache ({cache})", span,
            f"`evalspec run` will download it; to work offline, fetch it first (`{fetch}`) "
            "or use `path(…)`", severity=Severity.WARNING)
