"""Atomic writes: readers see the old file or folder or the new one, never half of one."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evalspec.errors import RunError

MARKER = "COMPLETE"


def fsync_path(path: Path) -> None:
    """Flush a file's or folder's contents to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def unwritable(path: Path, error: OSError) -> RunError:
    """The run error for a file or folder that could not be written (ES506)."""
    return RunError(f"{path}: cannot be written ({error.strerror or error}); free space, or "
                    "choose a writable folder (--out, --cache-dir); what was written before "
                    "is kept", "ES506")


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text`: a temporary file in the same folder, fsync, rename; a
    file system that refuses is an ES506 RunError naming `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise unwritable(path, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; results are meant to share
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise unwritable(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def probe_writable(folder: Path) -> None:
    """Create `folder` if needed and write, then remove, a small file in it: ES506 now
    rather than after the training."""
    write_text(folder / ".evalspec-write-probe", "ok\n")
    (folder / ".evalspec-write-probe").unlink(missing_ok=True)


@contextmanager
def folder_write(final: Path) -> Iterator[Path]:
    """Yield a temporary folder to fill; on success fsync it, add a completion marker and
    rename it to `final` (replacing an older one). On failure nothing changes at `final`."""
    temporary = final.parent / f".{final.name}.tmp-{os.getpid()}"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(temporary, ignore_errors=True)
        temporary.mkdir()
    except OSError as error:
        raise unwritable(final, error) from None
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
    except OSError as error:  # a full disk, a folder made read-only under us
        shutil.rmtree(temporary, ignore_errors=True)
        raise unwritable(final, error) from None
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
