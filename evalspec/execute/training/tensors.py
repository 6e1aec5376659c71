"""Tensors inside nested values (dicts, lists, tuples), such as state dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


def map_tensors(value: Any, function: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """`value` with `function` applied to every tensor in it, its structure kept."""
    if isinstance(value, torch.Tensor):
        return function(value)
    if isinstance(value, dict):
        return {k: map_tensors(v, function) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(map_tensors(v, function) for v in value)
    return value
