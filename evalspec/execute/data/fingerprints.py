"""Fingerprints of the data read: a sha256 per file, or one over a set of files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_sha256(root: Path, files: Iterable[Path]) -> str:
    """One sha256 over the files' paths relative to `root` (sorted) and their contents'
    sha256s: renaming, moving, adding or editing any file changes it."""
    digest = hashlib.sha256()
    named = {os.path.relpath(path, root).replace(os.sep, "/"): path for path in files}
    for relative in sorted(named):
        digest.update(f"{relative}\0{file_sha256(named[relative])}\n".encode())
    return digest.hexdigest()
