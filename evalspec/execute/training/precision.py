"""Numeric precision: `auto` resolved per device, and autocast for bf16/fp16."""

from __future__ import annotations

import contextlib
from typing import Any

import torch


def resolve_precision(device: torch.device, precision: str) -> str:
    """`auto` is bf16 on CUDA where supported, fp32 elsewhere."""
    if precision != "auto":
        return precision
    return "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[Any]:
    """Mixed-precision autocast for bf16/fp16; nothing for fp32."""
    precision = resolve_precision(device, precision)
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device.type, dtype=dtype)
