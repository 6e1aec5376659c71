"""Test-set predictions: the artifact every metric is computed from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Predictions:
    """Per test example: id, true target, and either class probabilities (columns follow
    `labels`) or a predicted value."""

    ids: list[str]
    y_true: list[Any]
    labels: list[str]
    probabilities: np.ndarray | None = None
    values: np.ndarray | None = None

    @property
    def y_pred(self) -> list[Any]:
        if self.probabilities is not None:
            return [self.labels[i] for i in self.probabilities.argmax(axis=1)]
        assert self.values is not None
        return [float(v) for v in self.values]

    def rows(self) -> list[dict[str, Any]]:
        """JSON-ready rows, one per example."""
        rows = []
        predicted = self.y_pred
        for i, example_id in enumerate(self.ids):
            row: dict[str, Any] = {"id": example_id, "true": self.y_true[i], "pred": predicted[i]}
            if self.probabilities is not None:
                row["probabilities"] = [float(p) for p in self.probabilities[i]]
            rows.append(row)
        return rows

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], labels: list[str]) -> Predictions:
        ids = [r["id"] for r in rows]
        truth = [r["true"] for r in rows]
        if rows and "probabilities" in rows[0]:
            return cls(ids, truth, labels, probabilities=np.array(
                [r["probabilities"] for r in rows], dtype=np.float64))
        return cls(ids, truth, labels, values=np.array([r["pred"] for r in rows], dtype=np.float64))
