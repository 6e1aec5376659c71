"""Metric results that are never NaN: a value, or the reason there is none."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MetricValue:
    """One metric on one set of predictions: `value`, or `undefined` with the reason; never both.

    `detail` holds what a report may show beside the number: a confusion matrix, per-class
    values, the counts a ratio was built from.
    """

    value: float | None
    undefined: str | None = None
    detail: Mapping[str, Any] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        if (self.value is None) == (self.undefined is None):
            raise ValueError("a MetricValue holds a value or the reason it is undefined, not both")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"a MetricValue is finite or undefined, never {self.value}")

    @classmethod
    def of(cls, value: float, detail: Mapping[str, Any] | None = None) -> MetricValue:
        return cls(float(value), None, detail)

    @classmethod
    def not_defined(cls, reason: str, detail: Mapping[str, Any] | None = None) -> MetricValue:
        return cls(None, reason, detail)


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval.

    `n` resamples were drawn; those where the metric is undefined were dropped, and
    `undefined_fraction` says how many. `low` and `high` are None only when every resample
    was undefined.
    """

    low: float | None
    high: float | None
    level: float
    n: int
    undefined_fraction: float
