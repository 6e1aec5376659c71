"""What the head predicts and how it is scored while training: classes or a number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from evalspec.execute.examples import Examples


@dataclass(frozen=True)
class Objective:
    """Cross-entropy over `labels`, or mean squared error on a standardised target."""

    labels: tuple[str, ...]
    mean: float = 0.0
    scale: float = 1.0

    @property
    def regression(self) -> bool:
        return not self.labels

    @classmethod
    def for_task(cls, labels: list[str], train: Examples) -> Objective:
        if labels:
            return cls(tuple(labels))
        values = np.asarray(train.targets, dtype=np.float64)
        std = float(values.std())
        return cls((), float(values.mean()), std if std > 0 else 1.0)

    def targets(self, examples: Examples) -> torch.Tensor:
        if self.regression:
            values = (np.asarray(examples.targets, dtype=np.float64) - self.mean) / self.scale
            return torch.tensor(values, dtype=torch.float32)
        index = {label: i for i, label in enumerate(self.labels)}
        return torch.tensor([index[t] for t in examples.targets], dtype=torch.long)

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if self.regression:
            return F.mse_loss(outputs.squeeze(-1).float(), targets)
        return F.cross_entropy(outputs.float(), targets)

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Probabilities (n, labels) for classes; predicted values (n,) for regression."""
        if self.regression:
            return outputs.squeeze(-1).double().numpy() * self.scale + self.mean
        return torch.softmax(outputs.double(), dim=-1).numpy()
