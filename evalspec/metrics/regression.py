"""Regression metrics: scikit-learn on one set of predictions, row-wise arrays for resamples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalspec.metrics.inputs import ValueInputs
from evalspec.metrics.kernel import Evaluator, Kernel, guarded, skm
from evalspec.metrics.resample import Resample, divide
from evalspec.metrics.value import MetricValue


def _errors(inputs: ValueInputs, resample: Resample) -> np.ndarray:
    return resample.shared(("errors", inputs),
                           lambda: resample.take(inputs.truth - inputs.pred))


def _mse(inputs: ValueInputs, resample: Resample) -> np.ndarray:
    return (_errors(inputs, resample) ** 2).mean(axis=1)


def _mae(inputs: ValueInputs, resample: Resample) -> np.ndarray:
    return np.abs(_errors(inputs, resample)).mean(axis=1)


def _rmse(inputs: ValueInputs, resample: Resample) -> np.ndarray:
    return np.sqrt(_mse(inputs, resample))


def _r2(inputs: ValueInputs, resample: Resample) -> np.ndarray:
    """1 − SSE/SST; NaN where y_true is constant (SST = 0), never scikit-learn's forced 1 or 0."""
    truth = resample.take(inputs.truth)
    spread = ((truth - truth.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    spread[truth.min(axis=1) == truth.max(axis=1)] = 0.0
    return 1 - divide((_errors(inputs, resample) ** 2).sum(axis=1), spread)


def _resampled(value: Callable[[ValueInputs, Resample], np.ndarray]) -> Callable[..., Evaluator]:
    def resampled(inputs: ValueInputs) -> Evaluator:
        return lambda resample: value(inputs, resample)
    return resampled


def _point(scorer: str) -> Callable[..., MetricValue]:
    """scikit-learn's `scorer` (a name in sklearn.metrics) on the test set."""
    def point(inputs: ValueInputs) -> MetricValue:
        return guarded(lambda: getattr(skm, scorer)(inputs.truth, inputs.pred))
    return point


def _r2_point(inputs: ValueInputs) -> MetricValue:
    if inputs.n < 2:
        return MetricValue.not_defined("R² needs at least two test items")
    if (inputs.truth == inputs.truth[0]).all():
        return MetricValue.not_defined("y_true is constant, so its variance is 0 and R² is "
                                       "undefined (scikit-learn would report 1 or 0)")
    return guarded(lambda: skm.r2_score(inputs.truth, inputs.pred))


KERNELS = {
    "mse": Kernel(_point("mean_squared_error"), _resampled(_mse)),
    "rmse": Kernel(_point("root_mean_squared_error"), _resampled(_rmse)),
    "mae": Kernel(_point("mean_absolute_error"), _resampled(_mae)),
    "r2": Kernel(_r2_point, _resampled(_r2)),
}
