"""Finished cells, content-addressed by their digest: a cell whose digest is here is never
trained again. Each entry is written atomically (see `evalspec.atomic`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec.atomic import folder_write, is_complete, remove_folder


@dataclass(frozen=True)
class CellCache:
    """`root/<digest>/outcome/` once a cell finishes; `root/<digest>/checkpoints/` while it
    trains."""

    root: Path

    def checkpoints(self, digest: str) -> Path:
        return self.root / digest / "checkpoints"

    def finished(self, digest: str) -> bool:
        return is_complete(self.root / digest / "outcome")

    def usable(self, digest: str, device: str) -> bool:
        """Finished, on the device asked for: `cpu` or `cuda` must match what the cell
        trained on (numbers and cost differ between them); `auto` takes either."""
        if not self.finished(digest):
            return False
        return device == "auto" or self.load(digest).get("device") == device

    def load(self, digest: str) -> dict[str, Any]:
        return json.loads((self.root / digest / "outcome" / "outcome.json").read_text())

    def store(self, digest: str, outcome: dict[str, Any]) -> None:
        """Keep a finished cell's outcome; its checkpoints are no longer needed."""
        with folder_write(self.root / digest / "outcome") as temporary:
            (temporary / "outcome.json").write_text(json.dumps(outcome, allow_nan=False))
        remove_folder(self.checkpoints(digest))

    def forget(self, digest: str) -> None:
        remove_folder(self.root / digest)
