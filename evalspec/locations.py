"""Where a `path(…)` or `package(…)` model lives on disk, found without importing it."""

from __future__ import annotations

import importlib.util
from importlib.machinery import PathFinder
from pathlib import Path

from evalspec.validate.model import Model


def package_folder(module: str) -> Path | None:
    """Where an installed module's files are, found without importing it."""
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    for part in rest:
        if spec is None or spec.submodule_search_locations is None:
            return None
        spec = PathFinder.find_spec(part, list(spec.submodule_search_locations))
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


def model_location(model: Model, base_dir: Path) -> Path | None:
    """The file or folder of a `path(…)` (relative to the spec's folder) or `package(…)`
    model; None for hub, timm and scratch models, or a package that is not installed."""
    source = model.source
    if source.fn == "path":
        return (base_dir / source.path).resolve()
    if source.fn == "package":
        folder = package_folder(source.module)
        return folder / source.subpath if folder is not None else None
    return None
