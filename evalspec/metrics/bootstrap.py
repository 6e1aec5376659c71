"""Percentile bootstrap over test items, vectorised; all metrics of a call share the resamples."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from evalspec.metrics.engine import Request, request
from evalspec.metrics.inputs import Inputs
from evalspec.metrics.kernel import Evaluator
from evalspec.metrics.resample import Resample
from evalspec.metrics.value import Interval

BLOCK_ITEMS = 1 << 20  # resampled items held in memory at once (rows × test items)
MetricSpec = str | tuple[str, Mapping[str, Any]] | tuple[str, str, Mapping[str, Any]]
K = TypeVar("K", bound=Hashable)


def resample_indices(n_items: int, n: int = 1000, seed: int = 0) -> np.ndarray:
    """The (n, n_items) item indices `bootstrap` draws for a seed: row r is resample r."""
    return np.concatenate(list(_blocks(n_items, n, seed, None)))


def _blocks(n_items: int, n: int, seed: int, indices: np.ndarray | None) -> Iterator[np.ndarray]:
    rows = max(1, BLOCK_ITEMS // max(n_items, 1))
    if indices is not None:
        yield from (indices[start:start + rows] for start in range(0, len(indices), rows))
        return
    generator = np.random.default_rng(seed)
    for start in range(0, n, rows):
        yield generator.integers(0, n_items, size=(min(rows, n - start), n_items))


def _checked_indices(indices: Any, n_items: int) -> np.ndarray:
    array = np.asarray(indices)
    if array.ndim != 2 or array.shape[1] != n_items or array.dtype.kind not in "iu":
        raise ValueError(f"indices must be an integer (resamples, {n_items}) array, "
                         f"got {array.dtype} {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= n_items):
        raise ValueError(f"indices must lie in 0..{n_items - 1}")
    return array


def evaluate_resamples(evaluators: Mapping[K, Evaluator], n_items: int, *, n: int = 1000,
                       seed: int = 0, indices: Any = None) -> dict[K, np.ndarray]:
    """Every evaluator on every resample (NaN where undefined), all on the same resamples.

    The resamples are `resample_indices(n_items, n, seed)`, or `indices` when given.
    """
    if n_items == 0:
        raise ValueError("the bootstrap needs at least one test item")
    if indices is None and n < 1:
        raise ValueError(f"the bootstrap needs at least one resample, got n = {n}")
    chosen = None if indices is None else _checked_indices(indices, n_items)
    parts: dict[K, list[np.ndarray]] = {key: [] for key in evaluators}
    for block in _blocks(n_items, n, seed, chosen):
        resample = Resample(block)
        for key, evaluate in evaluators.items():
            parts[key].append(evaluate(resample))
    return {key: np.concatenate(values) for key, values in parts.items()}


def interval(values: np.ndarray, level: float) -> Interval:
    """Percentile interval of the defined resamples; the undefined ones are counted."""
    defined = values[~np.isnan(values)]
    low = high = None
    if defined.size:
        low, high = (float(q) for q in np.quantile(defined, [(1 - level) / 2, (1 + level) / 2]))
    return Interval(low, high, level, len(values), 1 - defined.size / len(values))


def check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1 (e.g. 0.95), got {level}")
    return level


def replicates(metrics: Sequence[MetricSpec], y_true: Any, *, y_pred: Any = None,
               y_score: Any = None, labels: Sequence[Hashable] | None = None,
               positive: Hashable | None = None, n: int = 1000, seed: int = 0,
               indices: Any = None) -> dict[str, np.ndarray]:
    """Each metric's value on every resample: the bootstrap distribution `bootstrap` reads.

    NaN marks a resample where the metric is undefined (in this raw array only; intervals
    drop and count them). Arguments as for `bootstrap`.
    """
    requests = _requests(metrics)
    data = prepare_once(requests.values(), y_true, y_pred, y_score, labels, positive)
    evaluators = {key: wanted.evaluator(data) for key, wanted in requests.items()}
    return evaluate_resamples(evaluators, data.n, n=n, seed=seed, indices=indices)


def bootstrap(metrics: Sequence[MetricSpec], y_true: Any, *, y_pred: Any = None,
              y_score: Any = None, labels: Sequence[Hashable] | None = None,
              positive: Hashable | None = None, n: int = 1000, level: float = 0.95,
              seed: int = 0, indices: Any = None) -> dict[str, Interval]:
    """Percentile bootstrap intervals over test items for several metrics of one task.

    `metrics` items are `name`, `(name, params)` or `(key, name, params)`; results are keyed
    by `key` (default: the name). All metrics see the same resamples: the rows of
    `resample_indices(len(y_true), n, seed)`, or `indices` when given, so the draw depends
    only on (number of items, n, seed). Inputs read as in `compute`. Each metric's resamples
    are evaluated together from counts (confusion matrices, counts per score, sums), never
    by calling scikit-learn once per resample; resamples where it is undefined are dropped
    and counted in `undefined_fraction`.
    """
    check_level(level)
    draws = replicates(metrics, y_true, y_pred=y_pred, y_score=y_score, labels=labels,
                       positive=positive, n=n, seed=seed, indices=indices)
    return {key: interval(values, level) for key, values in draws.items()}


def _requests(metrics: Sequence[MetricSpec]) -> dict[str, Request]:
    found: dict[str, Request] = {}
    for spec in metrics:
        key, name, params = _spec(spec)
        if key in found:
            raise ValueError(f"bootstrap got `{key}` twice; give each variant its own key: "
                             f"(key, name, params)")
        found[key] = request(name, params)
    return found


def _spec(spec: MetricSpec) -> tuple[str, str, Mapping[str, Any]]:
    if isinstance(spec, str):
        return spec, spec, {}
    if len(spec) == 2:
        return spec[0], spec[0], spec[1]
    return spec  # type: ignore[return-value]


def prepare_once(requests: Iterable[Request], y_true: Any, y_pred: Any, y_score: Any,
                 labels: Any, positive: Any) -> Inputs:
    """Read the inputs once for metrics that read them the same way (one task's metrics)."""
    preparers = {wanted.prepare for wanted in requests}
    if len(preparers) != 1:
        raise ValueError("one bootstrap call takes metrics of one task type; these read their "
                         "inputs differently" if preparers else "no metrics given")
    return preparers.pop()(y_true, y_pred, y_score, labels, positive)
