"""Kernel: a metric's point form (one set of predictions) and its vectorised bootstrap form."""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalspec.metrics.resample import Resample
from evalspec.metrics.value import MetricValue

Evaluator = Callable[[Resample], np.ndarray]


class Deferred:
    """A module imported when first used: the metric modules name scikit-learn's functions
    through one, so that importing them (a report reading stored numbers does) does not
    load scikit-learn."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


skm = Deferred("sklearn.metrics")


@dataclass(frozen=True)
class Kernel:
    """`point(inputs, **params)` gives a MetricValue; `resampled(inputs, **params)` gives an
    evaluator mapping a block of resamples to one value per resample, NaN where undefined."""

    point: Callable[..., MetricValue]
    resampled: Callable[..., Evaluator]


def own_point(evaluator: Evaluator, n_items: int, reason: str,
              detail: dict[str, Any] | None = None) -> MetricValue:
    """The point value of a metric implemented here: its evaluator on the test set itself."""
    value = float(evaluator(Resample.identity(n_items))[0])
    if math.isnan(value):
        return MetricValue.not_defined(reason, detail)
    return MetricValue.of(value, detail)


def guarded(call: Callable[[], float], benign: tuple[str, ...] = (),
            detail: dict[str, Any] | None = None) -> MetricValue:
    """Call scikit-learn; a warning it raises (bar `benign` ones) or a NaN means undefined.

    The metric functions check the known undefined cases first and say why in their own
    words; this catches whatever they missed rather than letting a silent 0 through.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = float(call())
    signals = []
    for warning in caught:
        if not issubclass(warning.category, (UserWarning, RuntimeWarning)):
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
        elif not any(text in str(warning.message) for text in benign):
            signals.append(str(warning.message))
    if signals:
        return MetricValue.not_defined(f"scikit-learn: {signals[0]}", detail)
    if not math.isfinite(value):
        return MetricValue.not_defined("scikit-learn returned a non-finite value", detail)
    return MetricValue.of(value, detail)
