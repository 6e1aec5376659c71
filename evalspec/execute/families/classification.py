"""Classification: cross-entropy over the labels; predictions are class probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.outcome import Predictions


@dataclass(frozen=True)
class CrossEntropy(Objective):
    labels: tuple[str, ...]

    def targets(self, examples: Examples) -> torch.Tensor:
        index = {label: i for i, label in enumerate(self.labels)}
        return torch.tensor([index[t] for t in examples.targets], dtype=torch.long)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(outputs.float(), targets)

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Probabilities (n, labels)."""
        return torch.softmax(outputs.double(), dim=-1).numpy()


class Classification(FamilyPlugin):
    name = "classification"

    def outputs(self, labels: list[str]) -> int:
        return len(labels)

    def objective(self, labels: list[str], train: Examples) -> Objective:
        return CrossEntropy(tuple(labels))

    def predictions(self, examples: Examples, labels: list[str],
                    decoded: np.ndarray) -> Predictions:
        return Predictions(examples.ids, list(examples.targets), labels, probabilities=decoded)


PLUGIN = Classification()
