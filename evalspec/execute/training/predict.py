"""The predict step: a candidate and examples in, the family's predictions out. Evaluation
calls it on the test split; perturbed and extra test sets can call it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.execute.models.candidate import Candidate, Encoded
from evalspec.execute.training.batching import inference_order
from evalspec.execute.training.feed import to_device
from evalspec.execute.training.precision import autocast
from evalspec.outcome import Predictions

CPU_BATCH = 64  # on the CPU larger batches are no faster
GPU_BATCH = 1024  # on a GPU the first batch tried, halved while it does not fit


@torch.inference_mode()
def forward_all(candidate: Candidate, encoded: Encoded, function: Callable[[Any], torch.Tensor],
                device: torch.device) -> torch.Tensor:
    """`function(batch)` for every item of `encoded`, longest first, put back in order, on
    `device` (outputs stay there until every batch is done: no wait for the GPU per batch).
    A batch that runs out of memory is halved and tried again; the size that fitted is
    where the candidate's next pass starts."""
    order = inference_order(encoded.lengths, len(encoded.items))
    size = candidate.inference_batch.get(device.type,
                                         GPU_BATCH if device.type == "cuda" else CPU_BATCH)
    outputs: list[torch.Tensor] = []
    done = 0
    while done < len(order):
        indices = order[done:done + size]
        try:
            with autocast(device, "auto"):
                batch = to_device(candidate.collate([encoded.items[i] for i in indices]),
                                  device)
                outputs.append(function(batch).float())
        except torch.OutOfMemoryError:
            if size == 1:
                raise
            size //= 2
            if device.type == "cuda":
                torch.cuda.empty_cache()
            continue
        done += len(indices)
    candidate.inference_batch[device.type] = size
    stacked = torch.cat(outputs)
    result = torch.empty_like(stacked)
    result[torch.tensor(order, device=stacked.device)] = stacked
    return result


def outputs(candidate: Candidate, encoded: Encoded, device: torch.device) -> torch.Tensor:
    """Head outputs (logits, standardised values, …) for every item, in order."""
    candidate.eval()
    return forward_all(candidate, encoded, candidate, device).cpu()


def predict(candidate: Candidate, plugin: FamilyPlugin, objective: Objective,
            examples: Examples, labels: list[str], device: torch.device,
            encoded: Encoded | None = None) -> Predictions:
    """The family's predictions for `examples` (encoded here unless given)."""
    encoded = encoded if encoded is not None else candidate.encode(examples)
    return plugin.predictions(examples, labels,
                              objective.decode(outputs(candidate, encoded, device)))
