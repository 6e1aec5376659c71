"""Cost of a candidate: parameters, latency, throughput, training time, peak memory."""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

import numpy as np
import torch

from evalspec.execute.models.candidate import Candidate, Encoded, count_parameters

LATENCY_RUNS = 20
WARMUP_RUNS = 2


def _batch(candidate: Candidate, encoded: Encoded, size: int, device: torch.device) -> Any:
    items = [encoded.items[i % len(encoded.items)] for i in range(size)]
    return {k: v.to(device) for k, v in candidate.collate(items).items()}


@torch.inference_mode()
def latency_ms(candidate: Candidate, encoded: Encoded, batch: int,
               device: torch.device) -> dict[str, float]:
    """Milliseconds per input at a batch size: p50 and p95 over repeated forward passes."""
    candidate.eval()
    inputs = _batch(candidate, encoded, batch, device)
    timings = []
    for run in range(WARMUP_RUNS + LATENCY_RUNS):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        candidate(inputs)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if run >= WARMUP_RUNS:
            timings.append((time.perf_counter() - start) * 1000 / batch)
    return {"p50": float(np.percentile(timings, 50)), "p95": float(np.percentile(timings, 95)),
            "batch": batch, "runs": LATENCY_RUNS}


@torch.inference_mode()
def throughput(candidate: Candidate, encoded: Encoded, batch: int,
               device: torch.device, batches: int = 5) -> dict[str, float]:
    """Inputs per second at a batch size, over a few batches after one warm-up."""
    candidate.eval()
    inputs = _batch(candidate, encoded, batch, device)
    candidate(inputs)
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


def peak_memory_mib(device: torch.device) -> dict[str, Any]:
    """Peak GPU memory of this cell on CUDA; on the CPU the process's peak resident size."""
    if device.type == "cuda":
        return {"mib": torch.cuda.max_memory_allocated(device) / 2**20, "scope": "cuda cell"}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mib = peak / 2**20 if sys.platform == "darwin" else peak / 1024
    return {"mib": mib, "scope": "process RSS"}
