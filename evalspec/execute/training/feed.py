"""Feeding the device: input files decoded in worker processes, batches copied from pinned
memory without blocking."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch
from torch.utils.data import DataLoader

from evalspec.execute.training.tensors import map_tensors

T = TypeVar("T")
PARALLEL_FROM = 256  # fewer inputs decode faster in this process than a worker pool starts
MAX_WORKERS = 8
CHUNK = 16  # inputs a worker decodes per message


def decode_workers(count: int) -> int:
    """Worker processes for decoding `count` inputs: one per usable core (at most
    MAX_WORKERS); none for few inputs, on one core, inside a daemon process (which may not
    have children) or where processes cannot be forked (the decoding function need not
    pickle)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1
    if count < PARALLEL_FROM or cores < 2 or multiprocessing.current_process().daemon or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cores, MAX_WORKERS)


class _Failed:
    """An exception a worker raised, carried back whole (the DataLoader would re-raise it
    as a new exception holding the worker's traceback as its message)."""

    def __init__(self, error: Exception):
        self.error = error


class _Inputs(torch.utils.data.Dataset[Any]):
    def __init__(self, function: Callable[[Any], Any], inputs: Sequence[Any]):
        self.function, self.inputs = function, inputs

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> Any:
        try:
            return self.function(self.inputs[index])
        except Exception as error:  # raised again, as it was, by `decode_all`
            return _Failed(error)


def _as_list(chunk: list[T]) -> list[T]:
    return chunk


def decode_all(function: Callable[[Any], T], inputs: Sequence[Any]) -> list[T]:
    """`function` on every input, in order: in worker processes when `decode_workers` says
    so (tensors come back through shared memory), else here. An error raised in a worker
    is raised here."""
    workers = decode_workers(len(inputs))
    if workers == 0:
        return [function(item) for item in inputs]
    loader = DataLoader(_Inputs(function, inputs), batch_size=CHUNK, num_workers=workers,
                        collate_fn=_as_list, multiprocessing_context="fork")
    decoded = []
    for chunk in loader:
        for item in chunk:
            if isinstance(item, _Failed):
                raise item.error
            decoded.append(_owned(item))
    return decoded


def _owned(value: Any) -> Any:
    """A worker's result in this process's own memory. A tensor from a worker lives in
    shared memory and holds a file descriptor open while it lives (thousands of images
    would exhaust the process's limit), and shared memory is not counted in the cell's
    peak memory."""
    return map_tensors(value, torch.Tensor.clone)


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """A collated batch on `device`. For a GPU the tensors are pinned first, so the copies
    run asynchronously (a copy from pageable memory makes the host wait for the GPU)."""
    if device.type != "cuda":
        return {k: v.to(device) for k, v in batch.items()}
    return {k: v.pin_memory().to(device, non_blocking=True) for k, v in batch.items()}


def indices_on(indices: list[int], device: torch.device) -> torch.Tensor:
    """A batch's example indices as a tensor on `device`, copied without blocking."""
    return to_device({"i": torch.tensor(indices)}, device)["i"]
