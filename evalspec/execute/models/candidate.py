"""A model under evaluation: a backbone that turns a batch into features, and a head.

Every family (text, vision, tabular) builds one. The trainer only needs this interface:
`encode` once per split, `collate` a batch, `features` from the backbone, `head` on top,
`blocks` from bottom to top for `top(N)` and `layer_decay`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from evalspec.execute.data.examples import Examples

Batch = dict[str, torch.Tensor]


@dataclass
class Encoded:
    """A split encoded once: one item per example (token ids, image tensors, features…),
    and a length per example used to group similar lengths into batches."""

    items: list[Any]
    lengths: list[int] | None = None


@dataclass
class Identity:
    """What the candidate is, for provenance and cache keys."""

    family: str
    source: str
    details: dict[str, Any] = field(default_factory=dict)


class Candidate(nn.Module):
    """Backbone + head, with the input pipeline that feeds them."""

    def __init__(self, backbone: nn.Module, head: nn.Module, identity: Identity):
        super().__init__()
        self.backbone = backbone
        self.head = head
        self.identity = identity
        self.inference_batch: dict[str, int] = {}  # device type → the batch that last fitted

    # -- what each family provides -------------------------------------------------------
    def encode(self, examples: Examples) -> Encoded:
        raise NotImplementedError

    def collate(self, items: Sequence[Any]) -> Batch:
        raise NotImplementedError

    def features(self, batch: Batch) -> torch.Tensor:
        raise NotImplementedError

    def blocks(self) -> list[nn.Module]:
        """Backbone blocks from the input side to the output side."""
        raise NotImplementedError

    # -- shared behaviour --------------------------------------------------------------
    def forward(self, batch: Batch) -> torch.Tensor:
        return self.head(self.features(batch))

    def embeddings(self) -> list[nn.Module]:
        """Backbone parts below the first block (embeddings, stem)."""
        in_blocks = {id(p) for b in self.blocks() for p in b.parameters()}
        return [_ParamsOf([p for p in self.backbone.parameters() if id(p) not in in_blocks])]


class _ParamsOf(nn.Module):
    """A view over loose parameters, so they can be treated as one group."""

    def __init__(self, params: list[nn.Parameter]):
        super().__init__()
        self._loose = params

    def parameters(self, recurse: bool = True):  # type: ignore[override]
        return iter(self._loose)


def new_head(in_features: int, outputs: int, dropout: float = 0.1) -> nn.Module:
    """A fresh linear head with dropout before it."""
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, outputs))


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)
