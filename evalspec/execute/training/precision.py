"""Numeric precision: `auto` resolved per device, autocast for bf16/fp16, TF32 matmuls."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

import torch

MIXED = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_precision(device: torch.device, precision: str) -> str:
    """`auto` is bf16 on CUDA where supported, fp32 elsewhere."""
    if precision != "auto":
        return precision
    return "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() else "fp32"


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[Any]:
    """Mixed-precision autocast for bf16/fp16; nothing for fp32 and tf32."""
    dtype = MIXED.get(resolve_precision(device, precision))
    return contextlib.nullcontext() if dtype is None else torch.autocast(device.type,
                                                                          dtype=dtype)


@contextlib.contextmanager
def matmuls(device: torch.device, precision: str) -> Iterator[None]:
    """TF32 for float32 matrix products and convolutions on CUDA while inside, unless the
    precision is `fp32` (true IEEE float32); the process's settings are restored after."""
    wanted = "tf32" if device.type == "cuda" and \
        resolve_precision(device, precision) != "fp32" else "ieee"
    settings = torch.backends.cuda.matmul, cast(Any, torch.backends.cudnn).conv  # untyped
    before = [s.fp32_precision for s in settings]
    for setting in settings:
        setting.fp32_precision = wanted
    try:
        yield
    finally:
        for setting, value in zip(settings, before, strict=True):
            setting.fp32_precision = value
