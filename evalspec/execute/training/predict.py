"""The predict step: a candidate and examples in, the family's predictions out. Evaluation
calls it on the test split; perturbed and extra test sets can call it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.execute.models.candidate import Candidate, Encoded
from evalspec.execute.training.batching import inference_batches
from evalspec.execute.training.precision import autocast
from evalspec.outcome import Predictions

INFERENCE_BATCH = 64


@torch.inference_mode()
def forward_all(candidate: Candidate, encoded: Encoded, function: Callable[[Any], torch.Tensor],
                device: torch.device, batch_size: int = INFERENCE_BATCH) -> torch.Tensor:
    """`function(batch)` for every item of `encoded`, longest first, put back in order."""
    outputs: list[torch.Tensor] = []
    order: list[int] = []
    for indices in inference_batches(encoded.lengths, len(encoded.items), batch_size):
        batch = {k: v.to(device, non_blocking=True)
                 for k, v in candidate.collate([encoded.items[i] for i in indices]).items()}
        with autocast(device, "auto"):
            outputs.append(function(batch).float().cpu())
        order += indices
    stacked = torch.cat(outputs)
    result = torch.empty_like(stacked)
    result[torch.tensor(order)] = stacked
    return result


def outputs(candidate: Candidate, encoded: Encoded, device: torch.device) -> torch.Tensor:
    """Head outputs (logits, standardised values, …) for every item, in order."""
    candidate.eval()
    return forward_all(candidate, encoded, candidate, device)


def predict(candidate: Candidate, plugin: FamilyPlugin, objective: Objective,
            examples: Examples, labels: list[str], device: torch.device,
            encoded: Encoded | None = None) -> Predictions:
    """The family's predictions for `examples` (encoded here unless given)."""
    encoded = encoded if encoded is not None else candidate.encode(examples)
    return plugin.predictions(examples, labels,
                              objective.decode(outputs(candidate, encoded, device)))
