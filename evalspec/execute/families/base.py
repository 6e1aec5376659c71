"""What a task-family plug-in provides: a head size, an objective, a prediction format."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch

from evalspec.execute.data.examples import Examples
from evalspec.outcome import Predictions


class Objective(ABC):
    """How a head's outputs are trained and read: targets, loss, decoded outputs."""

    @abstractmethod
    def targets(self, examples: Examples) -> torch.Tensor:
        """The training targets of a split, as one tensor."""

    @abstractmethod
    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The scalar loss of a batch."""

    @abstractmethod
    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Outputs in the family's prediction form (probabilities, values, …)."""


class FamilyPlugin(ABC):
    """One task family as `run` trains it."""

    name: str
    per_token = False  # one output per word of a sentence (token classification)
    per_frame = False  # one output per frame of a clip (speech recognition)

    @abstractmethod
    def outputs(self, labels: list[str]) -> int:
        """The head's output size."""

    @abstractmethod
    def objective(self, labels: list[str], train: Examples) -> Objective:
        """The objective for a task's labels, fitted on its training split if it needs to."""

    @abstractmethod
    def predictions(self, examples: Examples, labels: list[str],
                    decoded: np.ndarray) -> Predictions:
        """Decoded outputs for `examples` as the predictions metrics read."""
