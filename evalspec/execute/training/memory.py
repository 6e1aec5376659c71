"""Peak memory of one cell once its candidate is built: on CUDA the allocator's peak; on
the CPU the candidate's weights and the most the process's heap rose above its level then."""

from __future__ import annotations

import ctypes
import functools
import gc
import itertools
import os
import resource
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import torch
from torch import nn

STATM = Path("/proc/self/statm")
SAMPLE_SECONDS = 0.005  # between two readings of the resident memory


def anonymous_bytes() -> int | None:
    """Resident memory of the process that no file backs (its heap: tensors, arrays,
    Python objects), from /proc/self/statm; None where there is no /proc (not Linux)."""
    try:
        fields = STATM.read_bytes().split()
    except OSError:
        return None
    return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, which hands the heap's free pages back to the system; None
    with another C library."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def release_free_memory() -> None:
    """Free what is unreachable and give the freed pages back, so that a baseline counts
    what the process holds, not what its allocator kept from an earlier cell."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def warm_up() -> None:
    """Load what a process loads on first use, once, before any cell is measured: PyTorch's
    compiler stack with sympy at the first optimizer step (about 75 MiB), and scikit-learn's
    metrics at the first validation (about 50 MiB). Otherwise the first cell of a run would
    count them."""
    import sklearn.metrics  # noqa: F401

    weight = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=0.0)
    (weight * 2).sum().backward()
    optimizer.step()


def weight_bytes(model: nn.Module) -> int:
    return sum(t.numel() * t.element_size()
               for t in itertools.chain(model.parameters(), model.buffers()))


class CellMemory:
    """`with CellMemory(device, candidate) as memory: …` measures the block, which starts
    once the candidate is built; `memory.record()` is the results' `peak_memory`.

    On the CPU the record is the candidate's parameters and buffers (counted exactly) plus
    the most the process's anonymous resident memory rose above its level at the start:
    encoded data, gradients, optimizer state, activations, checkpoints, predictions. A
    thread reads it every SAMPLE_SECONDS; the memory that matters lives far longer
    (activations through a forward and backward pass, optimizer state through a stage).
    Resident memory is what the system must provide: tracemalloc would miss tensors
    (PyTorch allocates them outside Python's allocator), and PyTorch keeps no allocator
    statistics on the CPU. File-backed pages (shared libraries, memory-mapped weight files)
    are left out: they are shared and can be evicted. What a process loads once is kept out
    by starting after the build (a model library the first candidate that needs it imports)
    and by `warm_up`, which `cell.prepare` runs before any cell. Without /proc the record is
    the whole process's peak (`process RSS`), the same for every cell of a run.
    """

    def __init__(self, device: torch.device, model: nn.Module):
        self.device, self.model = device, model
        self.baseline: int | None = None
        self.peak = 0
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def __enter__(self) -> CellMemory:
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
            return self
        release_free_memory()
        self.baseline = anonymous_bytes()
        if self.baseline is not None:
            self.peak = self.baseline
            self._sampler = threading.Thread(target=self._sample, name="evalspec-memory",
                                             daemon=True)
            self._sampler.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, anonymous_bytes() or 0)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._sampler is not None:
            self._stop.set()
            self._sampler.join()
            self.peak = max(self.peak, anonymous_bytes() or 0)

    def record(self) -> dict[str, Any]:
        if self.device.type == "cuda":
            return {"mib": torch.cuda.max_memory_allocated(self.device) / 2**20,
                    "scope": "cuda cell"}
        if self.baseline is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return {"mib": peak / 2**20 if sys.platform == "darwin" else peak / 1024,
                    "scope": "process RSS"}
        rise = self.peak - self.baseline
        return {"mib": (weight_bytes(self.model) + rise) / 2**20, "scope": "cpu cell"}
