"""Atomic writes: readers see the old file or folder or the new one, never half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = "COMPLETE"


def fsync_path(path: Path) -> None:
    """Flush a file's or folder's contents to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text`: a temporary file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; results are meant to share
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def folder_write(final: Path) -> Iterator[Path]:
    """Yield a temporary folder to fill; on success fsync it, add a completion marker and
    rename it to `final` (replacing an older one). On failure nothing changes at `final`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.parent / f".{final.name}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        yield temporary
        for path in temporary.iterdir():
            fsync_path(path)
        (temporary / MARKER).write_text("ok\n")
        fsync_path(temporary / MARKER)
        fsync_path(temporary)
        remove_folder(final)
        os.replace(temporary, final)
        fsync_path(final.parent)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def remove_folder(folder: Path) -> None:
    """Delete a folder so that no reader ever sees it half deleted (a complete marker
    beside missing files): rename it aside in one step, then delete it there."""
    aside = folder.parent / f".{folder.name}.removing-{os.getpid()}"
    shutil.rmtree(aside, ignore_errors=True)
    try:
        os.replace(folder, aside)
    except FileNotFoundError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def is_complete(folder: Path) -> bool:
    return (folder / MARKER).exists()
