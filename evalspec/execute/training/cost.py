"""Cost of a candidate: parameters, latency (with its spread and how busy the machine
was), throughput. Peak memory is measured over the whole cell (`memory.py`)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from evalspec.execute.models.candidate import Candidate, Encoded, count_parameters
from evalspec.execute.training.feed import to_device
from evalspec.execute.training.precision import autocast

LATENCY_RUNS = 20
WARMUP_RUNS = {"cpu": 2, "cuda": 10}  # untimed passes first (a GPU also picks its kernels)
BUSY_LOAD = 1.0  # threads wanting a CPU per core, above which timed passes wait for one
LOADAVG = Path("/proc/loadavg")


def _batch(candidate: Candidate, encoded: Encoded, size: int, device: torch.device) -> Any:
    items = [encoded.items[i % len(encoded.items)] for i in range(size)]
    return to_device(candidate.collate(items), device)


def _timed_ms(candidate: Candidate, inputs: Any, device: torch.device) -> float:
    """Milliseconds of one forward pass: on a GPU between CUDA events around it (the GPU's
    own clock, with nothing else queued), else the wall clock."""
    if device.type != "cuda":
        start = time.perf_counter()
        candidate(inputs)
        return (time.perf_counter() - start) * 1000
    torch.cuda.synchronize(device)
    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    begin.record()
    candidate(inputs)
    end.record()
    end.synchronize()
    return float(begin.elapsed_time(end))


@torch.inference_mode()
def latency_ms(candidate: Candidate, encoded: Encoded, batch: int,
               device: torch.device) -> dict[str, Any]:
    """Milliseconds per input at a batch size over LATENCY_RUNS forward passes after
    WARMUP_RUNS untimed ones, in the precision evaluation uses: the median, the quartiles
    and p95, and the machine's load after each timed pass (`busy` when, on average, more
    threads wanted a CPU than there are cores)."""
    candidate.eval()
    inputs = _batch(candidate, encoded, batch, device)
    warmup = WARMUP_RUNS.get(device.type, WARMUP_RUNS["cpu"])
    timings, loads = [], []
    for run in range(warmup + LATENCY_RUNS):
        with autocast(device, "auto"):
            elapsed = _timed_ms(candidate, inputs, device)
        if run >= warmup:
            timings.append(elapsed / batch)
            loads.append(load_per_core())
    p25, p50, p75, p95 = (float(v) for v in np.percentile(timings, [25, 50, 75, 95]))
    known = [v for v in loads if v is not None]
    load = float(np.mean(known)) if known else None
    return {"p50": p50, "p95": p95, "p25": p25, "p75": p75, "batch": batch,
            "runs": LATENCY_RUNS, "warmup": warmup, "load_per_core": load,
            "busy": None if load is None else load > BUSY_LOAD}


def load_per_core() -> float | None:
    """Threads running or ready to run, per core, now: on Linux the count /proc/loadavg
    gives (this process's own threads included); elsewhere the one-minute load average,
    which lags; None where there is neither. The one-minute average would miss a process
    that started competing for the cores a few seconds ago."""
    cores = os.cpu_count() or 1
    try:
        return int(LOADAVG.read_text().split()[3].split("/")[0]) / cores
    except (OSError, IndexError, ValueError):
        pass
    try:
        return os.getloadavg()[0] / cores
    except (AttributeError, OSError):
        return None


@torch.inference_mode()
def throughput(candidate: Candidate, encoded: Encoded, batch: int,
               device: torch.device, batches: int = 5) -> dict[str, float]:
    """Inputs per second at a batch size, over a few batches after one warm-up, in the
    precision evaluation uses."""
    candidate.eval()
    inputs = _batch(candidate, encoded, batch, device)
    with autocast(device, "auto"):
        candidate(inputs)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        for _ in range(batches):
            candidate(inputs)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    return {"per_second": batch * batches / (time.perf_counter() - start), "batch": batch}


def parameters(candidate: Candidate) -> dict[str, int]:
    return {"total": count_parameters(candidate),
            "backbone": count_parameters(candidate.backbone),
            "head": count_parameters(candidate.head)}
