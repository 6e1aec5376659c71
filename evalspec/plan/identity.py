"""What a model is, as data for digests and provenance: hub id and revision, or the
sha256 of its weight files (no torch needed)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from evalspec.registry.models import model_location
from evalspec.registry.weights import WEIGHT_SUFFIXES
from evalspec.validate.model import Model


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weights_sha256(path: Path) -> dict[str, str]:
    """sha256 of a weights file, or of every weights file (and config) in a folder."""
    if path.is_file():
        return {path.name: file_sha256(path)}
    files = sorted(p for p in path.rglob("*")
                   if p.suffix in WEIGHT_SUFFIXES or p.name == "config.json")
    return {str(p.relative_to(path)): file_sha256(p) for p in files}


def model_identity(model: Model, base_dir: Path) -> dict[str, Any]:
    source = model.source
    found = model_location(model, base_dir)
    identity: dict[str, Any] = {"source": source.model_dump()}
    if found is not None and found.exists():
        identity["weights_sha256"] = weights_sha256(found)
    return identity
