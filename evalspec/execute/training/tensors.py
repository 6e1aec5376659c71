"""Values inside nested values (dicts, lists, tuples), such as state dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


def map_leaves(value: Any, function: Callable[[Any], Any]) -> Any:
    """`value` with `function` applied to every value in it that is not a dict, list or
    tuple, its structure kept."""
    if isinstance(value, dict):
        return {k: map_leaves(v, function) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(map_leaves(v, function) for v in value)
    return function(value)


def map_tensors(value: Any, function: Callable[[torch.Tensor], Any]) -> Any:
    """`value` with `function` applied to every tensor in it."""
    return map_leaves(value, lambda leaf: function(leaf) if isinstance(leaf, torch.Tensor)
                      else leaf)
