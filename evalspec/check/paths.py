"""Paths as a spec writes them: relative to the spec file's folder, never the working dir."""

from __future__ import annotations

import difflib
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalspec.diagnostics import Diagnostic
from evalspec.locations import FILE, FOLDER, MISSING, escapes, what_is
from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.source import Span

MAX_LISTING = 2000  # sibling names considered for "did you mean"


def resolve(base_dir: Path, written: str) -> Path:
    """A path as written in the spec, relative to the spec file's folder."""
    path = Path(written)
    return path if path.is_absolute() else base_dir / path


def suggest_path(base_dir: Path, written: str) -> str | None:
    """The written path with its first missing part replaced by the closest existing name."""
    parts = Path(written).parts
    folder = Path(parts[0]) if Path(written).is_absolute() else base_dir
    for index, part in enumerate(parts):
        if Path(written).is_absolute() and index == 0:
            continue
        if what_is(folder / part) in (FILE, FOLDER):
            folder = folder / part
            continue
        try:
            names = sorted(itertools.islice((p.name for p in folder.iterdir()), MAX_LISTING))
        except OSError:
            return None
        close = difflib.get_close_matches(part, names, n=1, cutoff=0.5)
        if not close:
            return None
        return str(Path(*parts[:index], close[0], *parts[index + 1:]))
    return None


def beside_working_dir(base_dir: Path, written: str) -> str | None:
    """The path relative to the spec folder when the file exists relative to the working dir."""
    if Path(written).is_absolute():
        return None
    cwd = Path.cwd()
    if what_is(cwd / written) in (FILE, FOLDER) and cwd.resolve() != base_dir.resolve():
        return os.path.relpath(cwd / written, base_dir)
    return None


def locate(base_dir: Path, written: str, span: Span, code: str, what: str,
           want_dir: bool | None, reader: str = "it") -> Iterator[Diagnostic]:
    """`code` (ES401/ES405) when the path is missing; ES402 when it is a folder for a file or
    the reverse (`want_dir` None: either will do)."""
    found = resolve(base_dir, written)
    kind = what_is(found)
    outside = escapes(base_dir, written)
    if outside is not None:
        yield Diagnostic("ES402", f"`{written}` is a link out of the spec's folder (to "
                         f"{outside})", span, "write the path you mean itself (an absolute "
                         "path is read as written), or copy the data into the spec's folder")
    elif kind not in (MISSING, FILE, FOLDER):
        yield Diagnostic("ES402", f"`{written}` is {kind}", span,
                         f"point at a regular {'folder' if want_dir else 'file'}")
    elif kind == MISSING:
        near = suggest_path(base_dir, written)
        beside = beside_working_dir(base_dir, written)
        if beside:
            hint = f"paths are relative to the spec file, not the working directory: `{beside}`"
        else:
            hint = (f"did you mean `{near}`? " if near else "") + f"(looked for {found})"
        yield Diagnostic(code, f"{what} `{written}` not found", span, hint)
    elif want_dir is not None and (kind == FOLDER) != want_dir:
        kind, other = ("a folder", "a file") if want_dir else ("a file", "a folder")
        yield Diagnostic(
            "ES402", f"`{written}` is {other}, but {reader} reads {kind}", span,
            f"point at {kind}" + (" with one sub-folder per class" if want_dir else ""))


def usable(base_dir: Path, source: Any) -> Path | None:
    """A data source's file or folder when it exists and is the kind it reads, else None."""
    facts = DATA_SOURCES[source.fn]
    if facts.location is None:
        return None
    written = getattr(source, facts.location)
    found = resolve(base_dir, written)
    if escapes(base_dir, written) is not None:  # never looked into: `locate` says why
        return None
    return found if what_is(found) == (FOLDER if facts.layout == "folder" else FILE) else None
