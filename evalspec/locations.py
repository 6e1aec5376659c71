"""Where a `path(…)` or `package(…)` model lives on disk, found without importing it."""

from __future__ import annotations

import importlib.util
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any


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


def path_location(source: Any, base_dir: Path) -> Path | None:
    """A `path(…)` model's file or folder, relative to the spec's folder."""
    return (base_dir / source.path).resolve()


def package_location(source: Any, base_dir: Path) -> Path | None:
    """A `package(…)` model's file or folder; None when the package is not installed."""
    folder = package_folder(source.module)
    return folder / source.subpath if folder is not None else None
