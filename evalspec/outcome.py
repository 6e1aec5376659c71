"""What a cell produces, as plain values shared by execute, rescoring and results: its
predictions (the artifact every metric is computed from), curves, cost and identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from evalspec.plan import Cell


@dataclass(frozen=True)
class Predictions:
    """Per test example: id, true target, and one prediction form — class probabilities
    (columns follow `labels`), a predicted value, a tag per word (`tags`, with the
    sentence's `words` so that reports can show the spans), or a transcript."""

    ids: list[str]
    y_true: list[Any]
    labels: list[str]
    probabilities: np.ndarray | None = None
    values: np.ndarray | None = None
    tags: list[list[str]] | None = None
    words: list[list[str]] | None = None
    transcripts: list[str] | None = None

    @property
    def y_pred(self) -> list[Any]:
        if self.probabilities is not None:
            return [self.labels[i] for i in self.probabilities.argmax(axis=1)]
        if self.tags is not None:
            return self.tags
        if self.transcripts is not None:
            return list(self.transcripts)
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
            if self.words is not None:
                row["words"] = self.words[i]
            rows.append(row)
        return rows

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], labels: list[str]) -> Predictions:
        ids = [r["id"] for r in rows]
        truth = [r["true"] for r in rows]
        if rows and "probabilities" in rows[0]:
            return cls(ids, truth, labels, probabilities=np.array(
                [r["probabilities"] for r in rows], dtype=np.float64))
        if rows and isinstance(rows[0]["pred"], list):
            return cls(ids, truth, labels, tags=[list(r["pred"]) for r in rows],
                       words=[list(r["words"]) for r in rows] if "words" in rows[0] else None)
        if rows and isinstance(rows[0]["pred"], str):
            return cls(ids, truth, labels, transcripts=[str(r["pred"]) for r in rows])
        return cls(ids, truth, labels, values=np.array([r["pred"] for r in rows], dtype=np.float64))


@dataclass(frozen=True)
class CellRef:
    """Which cell an outcome belongs to."""

    task: str
    model: str
    seed: int
    digest: str

    @property
    def key(self) -> str:
        return f"{self.task}/{self.model}/seed{self.seed}"

    @classmethod
    def of(cls, cell: Cell) -> CellRef:
        return cls(cell.task, cell.model, cell.seed, cell.digest)


@dataclass
class CellOutcome:
    """What one cell produced: learning curves (a log per stage), test predictions, cost,
    what the model was, the device type it trained on (cpu or cuda), its predictions on
    each extra set and perturbed test split by name (cached apart from the rest: they
    change without the cell changing), and, when candidates race, its final validation
    predictions."""

    cell: CellRef
    stages: list[dict[str, Any]]
    predictions: Predictions
    cost: dict[str, Any]
    identity: dict[str, Any]
    device: str
    evaluations: dict[str, Predictions] = field(default_factory=dict)
    validation: Predictions | None = None  # a race's leader is judged by these

    def to_json(self) -> dict[str, Any]:
        found = {"stages": self.stages, "cost": self.cost, "identity": self.identity,
                 "device": self.device, "labels": self.predictions.labels,
                 "predictions": self.predictions.rows()}
        if self.validation is not None:
            found["validation"] = self.validation.rows()
        return found

    @classmethod
    def from_json(cls, cell: CellRef, data: dict[str, Any]) -> CellOutcome:
        labels = data["labels"]
        validation = data.get("validation")
        return cls(cell, data["stages"], Predictions.from_rows(data["predictions"], labels),
                   dict(data["cost"]), data["identity"], data["device"],
                   validation=Predictions.from_rows(validation, labels)
                   if validation is not None else None)
