"""Feeding the device: input files decoded in worker processes, batches copied from pinned
memory without blocking."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch
from torch.utils.data import DataLoader

from evalspec.execute.training.tensors import map_leaves, map_tensors

T = TypeVar("T")
PARALLEL_FROM = 256  # fewer inputs decode faster in this process than a worker pool starts
MIN_CORES = 4  # on fewer, torch's transforms already use every core in this process, and
# shipping the results back costs more than the workers gain (measured on 2 cores: 2,100
# images at 224 px took 3.0 s in 2 workers against 1.8 s here)
MAX_WORKERS = 8
CHUNK = 16  # inputs a worker decodes per message


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def decode_workers(count: int) -> int:
    """Worker processes for decoding `count` inputs: one per usable core (at most
    MAX_WORKERS); none for few inputs, on fewer than MIN_CORES cores, inside a daemon
    process (which may not have children) or where processes cannot be forked (the
    decoding function need not pickle)."""
    cores = usable_cores()
    if count < PARALLEL_FROM or cores < MIN_CORES or \
            multiprocessing.current_process().daemon or \
            "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cores, MAX_WORKERS)


class _Failed:
    """An exception a worker raised, carried back whole (the DataLoader would re-raise it
    as a new exception holding the worker's traceback as its message)."""

    def __init__(self, error: Exception):
        self.error = error


class _Array:
    """A worker's tensor on its way back as a plain array: pickled through the pipe, where
    a tensor would go through a shared-memory file per tensor (slower for many small ones,
    and each holds a file descriptor open while it lives)."""

    def __init__(self, tensor: torch.Tensor):
        self.array = tensor.numpy()

    def tensor(self) -> torch.Tensor:
        return torch.from_numpy(self.array)


def _shipped(tensor: torch.Tensor) -> Any:
    """As an array where NumPy has its type (not bfloat16), else as the tensor."""
    return tensor if tensor.dtype == torch.bfloat16 else _Array(tensor)


def _received(leaf: Any) -> Any:
    if isinstance(leaf, _Array):
        return leaf.tensor()
    return leaf.clone() if isinstance(leaf, torch.Tensor) else leaf


def _one_thread(worker: int) -> None:
    """A worker computes on one thread (torch's is set by the DataLoader; NumPy's BLAS
    would start one per core in every worker)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


class _Inputs(torch.utils.data.Dataset[Any]):
    def __init__(self, function: Callable[[Any], Any], inputs: Sequence[Any]):
        self.function, self.inputs = function, inputs

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> Any:
        try:
            return map_tensors(self.function(self.inputs[index]), _shipped)
        except Exception as error:  # raised again, as it was, by `decode_all`
            return _Failed(error)


def _as_list(chunk: list[T]) -> list[T]:
    return chunk


def decode_all(function: Callable[[Any], T], inputs: Sequence[Any]) -> list[T]:
    """`function` on every input, in order: in worker processes when `decode_workers` says
    so, else here. Tensors come back as arrays, into this process's own memory (counted
    in the cell's peak memory); an error raised in a worker is raised here."""
    workers = decode_workers(len(inputs))
    if workers == 0:
        return [function(item) for item in inputs]
    loader = DataLoader(_Inputs(function, inputs), batch_size=CHUNK, num_workers=workers,
                        collate_fn=_as_list, multiprocessing_context="fork",
                        worker_init_fn=_one_thread)
    decoded = []
    for chunk in loader:
        for item in chunk:
            if isinstance(item, _Failed):
                raise item.error
            decoded.append(map_leaves(item, _received))
    return decoded


def moved(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """`tensor` on `device`. For a GPU it is pinned first, so the copy runs asynchronously
    (a copy from pageable memory makes the host wait for the GPU)."""
    if device.type != "cuda":
        return tensor.to(device)
    return tensor.pin_memory().to(device, non_blocking=True)


def to_device(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """A collated batch on `device` (`moved`)."""
    return {k: moved(v, device) for k, v in batch.items()}
