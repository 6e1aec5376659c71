"""Paired comparison of candidates on the same test items, McNemar's test, and ranking."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalspec.metrics.bootstrap import check_level, evaluate_resamples, interval
from evalspec.metrics.candidates import Candidate, Scored, prepared, runs, score, shared_labels
from evalspec.metrics.engine import Request, request
from evalspec.metrics.inputs import encode, label_set
from evalspec.metrics.kernel import Deferred
from evalspec.metrics.value import Interval, MetricValue

stats = Deferred("scipy.stats")
RESAMPLES = 1000  # resamples of a comparison unless told otherwise (the race takes this)


@dataclass(frozen=True)
class Comparison:
    """Candidate a against candidate b on one metric and the same test items.

    `difference` is a − b on the test set, `interval` the bootstrap interval of a − b, and
    `p_value` the paired-bootstrap two-sided p-value (see `paired_p_value`).
    """

    metric: str
    a: MetricValue
    b: MetricValue
    difference: float | None
    interval: Interval
    p_value: float | None


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test: items only a gets right, only b gets right, two-sided p-value."""

    a_only: int
    b_only: int
    p_value: float


@dataclass(frozen=True)
class Standing:
    """One candidate's place: its value, interval, p-value against the best and that p-value
    Holm-adjusted over the comparisons with the best (both None for the best itself and for
    undefined values), and whether it is tied for first (its adjusted p is not below
    alpha)."""

    name: str
    value: MetricValue
    interval: Interval
    p_value: float | None
    p_adjusted: float | None
    tied_for_first: bool


def p_floor(resamples: int) -> float:
    """The smallest p-value `paired_p_value` can give over `resamples` defined resamples:
    2 / (resamples + 1), when no resample flips the sign. The true p may be smaller."""
    return 2 / (resamples + 1)


def paired_p_value(observed: float, differences: np.ndarray) -> float | None:
    """Two-sided paired-bootstrap p-value of an observed difference between two candidates.

    The share of resamples whose difference does not keep the observed sign (d ≤ 0 when
    a > b), doubled, with the +1 Monte Carlo correction so that a finite bootstrap never
    claims p = 0: min(1, 2 (flips + 1) / (resamples + 1)). An observed difference of 0
    gives 1. Resamples where either candidate is undefined are left out.
    """
    defined = differences[~np.isnan(differences)]
    if defined.size == 0:
        return None
    if observed == 0:
        return 1.0
    flips = np.count_nonzero(defined <= 0 if observed > 0 else defined >= 0)
    return min(1.0, (flips + 1) * p_floor(defined.size))


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment of p-values tested together (None: no test, kept None).

    With the m p-values in increasing order p(1) ≤ … ≤ p(m), the adjusted p(i) is the
    largest of min(1, (m − j + 1) p(j)) over j ≤ i. Rejecting the hypotheses whose adjusted
    p is below alpha keeps the chance of rejecting any true one at most alpha.
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for j, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - j) * p))
        adjusted[i] = running
    return adjusted


def _scored(wanted: Request, y_true: Any, candidates: Mapping[str, Candidate],
            labels: Any, positive: Any) -> dict[str, Scored]:
    candidate_runs = {name: runs(wanted, c) for name, c in candidates.items()}
    every_run = [run for group in candidate_runs.values() for run in group]
    labels = shared_labels(wanted, y_true, labels, every_run)
    return {name: score(wanted, prepared(wanted, y_true, group, labels, positive))
            for name, group in candidate_runs.items()}


def _draws(scored: Mapping[str, Scored], y_true: Any, n: int, seed: int,
           indices: Any) -> dict[str, np.ndarray]:
    return evaluate_resamples({name: s.evaluate for name, s in scored.items()}, len(y_true),
                              n=n, seed=seed, indices=indices)


def _difference(a: MetricValue, b: MetricValue) -> float | None:
    return None if a.value is None or b.value is None else a.value - b.value


def compare(metric: str, y_true: Any, pred_a: Candidate, pred_b: Candidate, *,
            params: Mapping[str, Any] | None = None, labels: Sequence[Hashable] | None = None,
            positive: Hashable | None = None, n: int = RESAMPLES, level: float = 0.95,
            seed: int = 0, indices: Any = None) -> Comparison:
    """Paired bootstrap of candidate a against b: both are scored on the same resamples.

    A candidate is a `Predictions`, a list of them (one per seed: the metric is their mean),
    or a bare array in the form the metric reads.
    """
    check_level(level)
    wanted = request(metric, params)
    scored = _scored(wanted, y_true, {"a": pred_a, "b": pred_b}, labels, positive)
    draws = _draws(scored, y_true, n, seed, indices)
    differences = draws["a"] - draws["b"]
    observed = _difference(scored["a"].value, scored["b"].value)
    p_value = None if observed is None else paired_p_value(observed, differences)
    return Comparison(metric, scored["a"].value, scored["b"].value, observed,
                      interval(differences, level), p_value)


def compare_sets(metric: str, y_true_a: Any, pred_a: Candidate, y_true_b: Any,
                 pred_b: Candidate, *, params: Mapping[str, Any] | None = None,
                 labels: Sequence[Hashable] | None = None, positive: Hashable | None = None,
                 n: int = RESAMPLES, level: float = 0.95, seed: int = 0) -> Comparison:
    """One candidate's metric on two different sets of items (an extra evaluation set
    against the test split): the difference a − b, its interval from the two sets
    bootstrapped independently (set b with `seed + 1`), and no p-value (nothing pairs the
    items)."""
    check_level(level)
    wanted = request(metric, params)
    scored_a = _scored(wanted, y_true_a, {"a": pred_a}, labels, positive)
    scored_b = _scored(wanted, y_true_b, {"b": pred_b}, labels, positive)
    differences = _draws(scored_a, y_true_a, n, seed, None)["a"] - \
        _draws(scored_b, y_true_b, n, seed + 1, None)["b"]
    return Comparison(metric, scored_a["a"].value, scored_b["b"].value,
                      _difference(scored_a["a"].value, scored_b["b"].value),
                      interval(differences, level), None)


def mcnemar_exact(y_true: Any, pred_a: Any, pred_b: Any, *,
                  labels: Sequence[Hashable] | None = None) -> McNemar:
    """Exact McNemar test on the discordant items: a binomial test of a_only against
    b_only with p = 1/2, two-sided; 1 when the candidates never disagree on correctness."""
    found = label_set(labels, y_true, pred_a, pred_b)
    truth, a, b = (encode(v, found, name) for v, name in
                   ((y_true, "y_true"), (pred_a, "pred_a"), (pred_b, "pred_b")))
    if not len(truth) == len(a) == len(b):
        raise ValueError("y_true, pred_a and pred_b must be equally long")
    right_a, right_b = a == truth, b == truth
    a_only, b_only = int((right_a & ~right_b).sum()), int((~right_a & right_b).sum())
    discordant = a_only + b_only
    p_value = stats.binomtest(a_only, discordant, 0.5).pvalue if discordant else 1.0
    return McNemar(a_only, b_only, float(p_value))


def rank(candidates: Mapping[str, Candidate], y_true: Any, *, metric: str,
         params: Mapping[str, Any] | None = None, labels: Sequence[Hashable] | None = None,
         positive: Hashable | None = None, n: int = RESAMPLES, level: float = 0.95,
         seed: int = 0, indices: Any = None) -> list[Standing]:
    """Candidates best first on the primary metric (its direction from the registry).

    Each is compared with the best by the paired bootstrap (`paired_p_value`, two-sided),
    and the p-values are Holm-adjusted over those comparisons (`holm`); candidates whose
    adjusted p is not below alpha = 1 − level are tied for first. Candidates whose value is
    undefined come last, untied.
    """
    check_level(level)
    if not candidates:
        raise ValueError("rank needs at least one candidate")
    wanted = request(metric, params)
    scored = _scored(wanted, y_true, candidates, labels, positive)
    draws = _draws(scored, y_true, n, seed, indices)
    sign = 1 if wanted.definition.higher_is_better else -1
    order = sorted(scored, key=lambda name: (scored[name].value.value is None,
                                             -sign * (scored[name].value.value or 0.0)))
    best = order[0]
    found = [_p_value(name, scored, draws, best) for name in order]
    standings = []
    for name, p, p_adjusted in zip(order, found, holm(found), strict=True):
        defined = scored[name].value.value is not None
        tied = (defined and name == best) or (p_adjusted is not None and p_adjusted >= 1 - level)
        standings.append(Standing(name, scored[name].value, interval(draws[name], level), p,
                                  p_adjusted, tied))
    return standings


def _p_value(name: str, scored: Mapping[str, Scored], draws: Mapping[str, np.ndarray],
             best: str) -> float | None:
    """The paired p-value of a candidate against the best; None for the best itself and
    for undefined values."""
    observed = _difference(scored[best].value, scored[name].value)
    if observed is None or name == best:
        return None
    return paired_p_value(observed, draws[best] - draws[name])
