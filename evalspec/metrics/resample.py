"""A block of bootstrap resamples and the per-resample counts and sums metrics are built from."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


class Resample:
    """Rows of item indices, one row per resample.

    A resample is the same as integer sample weights (how often each item was drawn), so
    every metric's resampled form is its weighted form, computed for all rows at once.
    Results several metrics need (a confusion matrix, counts per score) are computed once
    per block through `shared`.
    """

    def __init__(self, idx: np.ndarray):
        self.idx = idx
        self._shared: dict[Hashable, Any] = {}

    @classmethod
    def identity(cls, n_items: int) -> Resample:
        """The test set itself, as one resample: a metric's point value on its resampled path."""
        return cls(np.arange(n_items)[None, :])

    @property
    def rows(self) -> int:
        return int(self.idx.shape[0])

    def take(self, values: np.ndarray) -> np.ndarray:
        """Per-item values laid out by resample: shape (rows, n_items, ...)."""
        return values[self.idx]

    def counts(self, keys: np.ndarray, size: int, weights: np.ndarray | None = None, *,
               exact: bool = False) -> np.ndarray:
        """(rows, size): per resample, how many drawn items carry each key (or the sum of their
        `weights`); float, or int64 when `exact` asks for integer arithmetic downstream."""
        flat = keys[self.idx]
        flat += size * np.arange(self.rows)[:, None]
        drawn = None if weights is None else weights[self.idx].ravel()
        found = np.bincount(flat.ravel(), weights=drawn, minlength=self.rows * size)
        found = found.reshape(self.rows, size)
        return found if exact else found.astype(float, copy=False)

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per block for `key`; later metrics asking for the same key reuse it."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise ratio; NaN (undefined, never 0) where the denominator is zero."""
    numerator, denominator = np.broadcast_arrays(numerator, denominator)
    out = np.full(numerator.shape, np.nan)
    return np.divide(numerator, denominator, out=out, where=denominator != 0)
