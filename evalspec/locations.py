"""Where a `path(…)` or `package(…)` model lives on disk, found without importing it."""

from __future__ import annotations

import importlib.util
import os
import stat
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


MISSING, FILE, FOLDER = "missing", "file", "folder"


def what_is(path: Path) -> str:
    """What a path names, found without opening it (a named pipe would block a reader):
    `file`, `folder`, `missing`, or in words anything else — a named pipe, a device, a
    socket — or why it cannot be looked at (a name too long, no permission)."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    except OSError as error:
        return f"a path that cannot be looked at ({error.strerror or error})"
    except ValueError:  # a NUL character: no file system takes one
        return "a path with a NUL character in it"
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return FOLDER
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def escapes(base_dir: Path, written: str) -> Path | None:
    """Where a relative path written in a spec really leads when a symbolic link takes it
    out of the spec's folder (None when it stays inside, or is written absolute: an
    explicit choice). A shared spec must not read a file its reader did not name."""
    if Path(written).is_absolute():
        return None
    base = base_dir.resolve()
    try:
        target = (base / written).resolve()
    except (OSError, ValueError, RuntimeError):  # a loop, a NUL: what_is reports those
        return None
    lexical = Path(os.path.normpath(base / written))
    return target if lexical.is_relative_to(base) and not target.is_relative_to(base) \
        else None
