"""Finished cells, content-addressed by their digest: a cell whose digest is here is never
trained again. Each entry is written atomically (see `evalspec.atomic`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec.atomic import folder_write, is_complete, remove_folder
from evalspec.plan import Evaluation

WEIGHTS = "model.safetensors"


@dataclass(frozen=True)
class CellCache:
    """`root/<digest>/outcome/` once a cell finishes; `root/<digest>/checkpoints/` while it
    trains; `root/<digest>/weights/` the trained weights, kept so that an extra set or a
    perturbation added later is predicted without training; `root/<digest>/evaluations/
    <evaluation digest>/` the predictions of each."""

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

    def weights(self, digest: str) -> Path | None:
        """The trained weights of a finished cell, if they were kept."""
        path = self.root / digest / "weights"
        return path / WEIGHTS if is_complete(path) else None

    def keep_weights(self, digest: str, model: Any) -> None:
        """Keep a trained cell's weights (a torch module's) as safetensors; tensors a module
        shares (a timm head that is also its classifier) are written once."""
        from safetensors.torch import save_model

        with folder_write(self.root / digest / "weights") as temporary:
            save_model(model, str(temporary / WEIGHTS))

    def evaluation(self, digest: str, evaluation: str) -> list[dict[str, Any]] | None:
        """The stored prediction rows of one of a cell's evaluations, or None."""
        path = self.root / digest / "evaluations" / evaluation
        if not is_complete(path):
            return None
        rows: list[dict[str, Any]] = json.loads((path / "predictions.json").read_text())
        return rows

    def raced(self, digest: str) -> dict[str, Any] | None:
        """Why a race stopped this cell, if it did."""
        path = self.root / digest / "raced" / "raced.json"
        if not is_complete(path.parent):
            return None
        record: dict[str, Any] = json.loads(path.read_text())
        return record

    def store_raced(self, digest: str, record: dict[str, Any]) -> None:
        with folder_write(self.root / digest / "raced") as temporary:
            (temporary / "raced.json").write_text(json.dumps(record, allow_nan=False))

    def missing(self, digest: str, evaluations: Iterable[Evaluation]) -> tuple[Evaluation, ...]:
        """Those of a cell's `evaluations` whose predictions are not stored."""
        return tuple(e for e in evaluations if self.evaluation(digest, e.digest) is None)

    def store_evaluation(self, digest: str, evaluation: str,
                         rows: list[dict[str, Any]]) -> None:
        with folder_write(self.root / digest / "evaluations" / evaluation) as temporary:
            (temporary / "predictions.json").write_text(json.dumps(rows, allow_nan=False))
