"""Regression: mean squared error on a standardised target; predictions are values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.outcome import Predictions


@dataclass(frozen=True)
class StandardisedMse(Objective):
    """MSE on `(y - mean) / scale`, with mean and scale from the training split."""

    mean: float
    scale: float

    @classmethod
    def fitted(cls, train: Examples) -> StandardisedMse:
        values = np.asarray(train.targets, dtype=np.float64)
        std = float(values.std())
        return cls(float(values.mean()), std if std > 0 else 1.0)

    def targets(self, examples: Examples) -> torch.Tensor:
        values = (np.asarray(examples.targets, dtype=np.float64) - self.mean) / self.scale
        return torch.tensor(values, dtype=torch.float32)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(outputs.squeeze(-1).float(), targets)

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Predicted values (n,), back on the target's scale."""
        return outputs.squeeze(-1).double().numpy() * self.scale + self.mean


class Regression(FamilyPlugin):
    name = "regression"

    def outputs(self, labels: list[str]) -> int:
        return 1

    def objective(self, labels: list[str], train: Examples) -> Objective:
        return StandardisedMse.fitted(train)

    def predictions(self, examples: Examples, labels: list[str],
                    decoded: np.ndarray) -> Predictions:
        return Predictions(examples.ids, list(examples.targets), labels, values=decoded)


PLUGIN = Regression()
