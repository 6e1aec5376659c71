"""Batches of example indices: shuffled per epoch, grouped by length to cut padding."""

from __future__ import annotations

import torch

WINDOW = 50  # batches per length-sorting window


def training_batches(lengths: list[int] | None, count: int, batch_size: int,
                     generator: torch.Generator) -> list[list[int]]:
    """A shuffled epoch. With lengths, indices are sorted by length within windows of
    `WINDOW` batches, so a batch holds similar lengths, then the batch order is shuffled."""
    order = torch.randperm(count, generator=generator).tolist()
    if lengths is None:
        return [order[i:i + batch_size] for i in range(0, count, batch_size)]
    span = batch_size * WINDOW
    batches: list[list[int]] = []
    for start in range(0, count, span):
        window = sorted(order[start:start + span], key=lengths.__getitem__)
        batches += [window[i:i + batch_size] for i in range(0, len(window), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


def inference_order(lengths: list[int] | None, count: int) -> list[int]:
    """Every index once, longest first when lengths are known (so the first batch is the
    largest; results are put back in order by the caller)."""
    order = list(range(count))
    if lengths is not None:
        order.sort(key=lambda i: -lengths[i])
    return order
