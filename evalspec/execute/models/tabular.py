"""Tabular candidates: an MLP on standardised numeric features."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from evalspec.execute.data.examples import Examples
from evalspec.execute.models.candidate import Batch, Candidate, Encoded, Identity, new_head


class Standardise(nn.Module):
    """Fixed feature scaling from the training split (a buffer, saved with the weights)."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(np.where(std > 0, std, 1.0), dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class TabularCandidate(Candidate):
    def encode(self, examples: Examples) -> Encoded:
        features = np.asarray(examples.inputs["features"], dtype=np.float32)
        return Encoded(list(torch.from_numpy(features)))

    def collate(self, items: Sequence[torch.Tensor]) -> Batch:
        return {"features": torch.stack(list(items))}

    def features(self, batch: Batch) -> torch.Tensor:
        return self.backbone(batch["features"])

    def blocks(self) -> list[nn.Module]:
        backbone: nn.Sequential = self.backbone  # type: ignore[assignment]
        return [m for m in backbone if isinstance(m, nn.Sequential)]


def mlp_candidate(train: Examples, *, outputs: int, layers: int | None, hidden: int | None,
                  identity: Identity) -> TabularCandidate:
    features = np.asarray(train.inputs["features"], dtype=np.float64)
    width = hidden or 64
    parts: list[nn.Module] = [Standardise(features.mean(axis=0), features.std(axis=0))]
    size = features.shape[1]
    for _ in range(layers or 2):
        parts.append(nn.Sequential(nn.Linear(size, width), nn.GELU()))
        size = width
    identity.details.update(inputs=int(features.shape[1]), hidden=width, layers=layers or 2)
    return TabularCandidate(nn.Sequential(*parts), new_head(width, outputs), identity)
