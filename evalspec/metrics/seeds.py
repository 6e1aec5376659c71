"""A metric over fine-tuning seeds: mean ± standard deviation and a pooled interval."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalspec.metrics.bootstrap import check_level, evaluate_resamples, interval
from evalspec.metrics.candidates import prepared, runs, shared_labels
from evalspec.metrics.engine import request
from evalspec.metrics.inputs import Predictions
from evalspec.metrics.value import Interval, MetricValue


@dataclass(frozen=True)
class SeedSummary:
    """One candidate's metric over its seeds.

    `mean` and `sd` (sample standard deviation, ddof = 1; None for one seed) summarise the
    per-seed values; both are None, with `undefined` saying why, if any seed is undefined.
    `interval` pools by concatenation: every seed's bootstrap distribution, all on the same
    item resamples, is put together and its percentiles taken, so it spreads over both
    test-set sampling and seed-to-seed variation (`n` counts resamples over all seeds).
    """

    metric: str
    per_seed: tuple[MetricValue, ...]
    mean: float | None
    sd: float | None
    interval: Interval
    undefined: str | None


def aggregate_seeds(metric: str, y_true: Any, seeds: Sequence[Predictions | Any], *,
                    params: Mapping[str, Any] | None = None,
                    labels: Sequence[Hashable] | None = None, positive: Hashable | None = None,
                    n: int = 1000, level: float = 0.95, seed: int = 0,
                    indices: Any = None) -> SeedSummary:
    """Summarise one candidate over its seeds; `seeds` holds one prediction set per seed."""
    check_level(level)
    wanted = request(metric, params)
    seed_runs = [run for one in seeds for run in runs(wanted, one)]
    labels = shared_labels(wanted, y_true, labels, seed_runs)
    data = prepared(wanted, y_true, seed_runs, labels, positive)
    values = tuple(wanted.point(one) for one in data)
    draws = evaluate_resamples({i: wanted.evaluator(one) for i, one in enumerate(data)},
                               len(y_true), n=n, seed=seed, indices=indices)
    pooled = interval(np.concatenate(list(draws.values())), level)
    missing = [f"seed {i}: {v.undefined}" for i, v in enumerate(values) if v.undefined]
    if missing:
        return SeedSummary(metric, values, None, None, pooled, missing[0])
    numbers = np.array([v.value for v in values], dtype=float)
    sd = float(np.std(numbers, ddof=1)) if len(numbers) > 1 else None
    return SeedSummary(metric, values, float(numbers.mean()), sd, pooled, None)
