"""Paired comparison, McNemar's exact test, ranking and multi-seed summaries."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from evalspec.metrics import (
    Predictions,
    aggregate_seeds,
    compare,
    compute,
    holm,
    mcnemar_exact,
    p_floor,
    paired_p_value,
    rank,
)


def predictions(truth: np.ndarray, wrong: int, seed: int) -> np.ndarray:
    """`truth` with `wrong` items (chosen by seed) flipped to the other label."""
    pred = truth.copy()
    flip = np.random.default_rng(seed).choice(len(truth), wrong, replace=False)
    pred[flip] = 1 - pred[flip]
    return pred


TRUTH = np.random.default_rng(0).integers(0, 2, 300)


def test_mcnemar_matches_the_binomial_by_hand() -> None:
    # a alone right on 1 item, b alone right on 7: p = 2 · P(X ≤ 1), X ~ Bin(8, 1/2)
    y_true = ["x"] * 10
    pred_a = ["x"] + ["y"] * 7 + ["x", "y"]
    pred_b = ["y"] + ["x"] * 7 + ["x", "y"]
    found = mcnemar_exact(y_true, pred_a, pred_b)
    assert (found.a_only, found.b_only) == (1, 7)
    assert found.p_value == pytest.approx(2 * (comb(8, 0) + comb(8, 1)) / 2**8)  # 0.0703125
    assert mcnemar_exact(y_true, pred_b, pred_a).p_value == pytest.approx(found.p_value)
    assert mcnemar_exact(y_true, pred_a, pred_a).p_value == 1.0


def test_identical_candidates_are_not_different() -> None:
    pred = predictions(TRUTH, 60, seed=1)
    found = compare("accuracy", TRUTH, pred, pred, n=200)
    assert found.difference == 0.0
    assert found.p_value == 1.0
    assert (found.interval.low, found.interval.high) == (0.0, 0.0)


def test_clearly_different_candidates_are() -> None:
    good, bad = predictions(TRUTH, 15, seed=1), predictions(TRUTH, 120, seed=2)
    found = compare("f1", TRUTH, good, bad, n=500)
    assert found.difference == pytest.approx(
        compute("f1", TRUTH, y_pred=good).value - compute("f1", TRUTH, y_pred=bad).value)
    assert found.p_value is not None and found.p_value < 0.01
    assert found.interval.low is not None and found.interval.low > 0


def test_p_value_definition() -> None:
    differences = np.array([0.1, 0.2, 0.3, 0.1, 0.2, 0.0, -0.1, 0.2, 0.1, np.nan])
    # 9 defined resamples, 2 of them do not keep the observed sign (0.0 and -0.1)
    assert paired_p_value(0.1, differences) == pytest.approx(2 * (2 + 1) / (9 + 1))
    assert paired_p_value(-0.1, differences) == 1.0  # capped
    assert paired_p_value(0.0, differences) == 1.0
    assert paired_p_value(0.1, np.array([np.nan])) is None


def test_the_floor_is_the_p_value_when_no_resample_flips() -> None:
    assert p_floor(1000) == pytest.approx(0.001998, abs=1e-6)
    assert paired_p_value(0.1, np.full(1000, 0.05)) == p_floor(1000)
    assert paired_p_value(0.1, np.array([0.1] * 299 + [np.nan])) == p_floor(299)
    found = compare("accuracy", TRUTH, TRUTH, predictions(TRUTH, 100, 3), n=300)
    assert found.p_value == p_floor(300)  # a third of the items wrong: no resample flips


def _step_down(p_values: list[float], alpha: float) -> set[int]:
    """Holm's procedure itself: reject the smallest p while p(j) < alpha / (m - j + 1)."""
    rejected: set[int] = set()
    for j, i in enumerate(sorted(range(len(p_values)), key=lambda k: p_values[k])):
        if p_values[i] >= alpha / (len(p_values) - j):
            break
        rejected.add(i)
    return rejected


def test_holm_adjusted_p_values_reject_what_the_step_down_procedure_rejects() -> None:
    generator = np.random.default_rng(4)
    for size in (1, 2, 3, 5, 8):
        for _ in range(50):
            p_values = list(generator.choice([0.001, 0.01, 0.02, 0.04, 0.3], size) *
                            generator.uniform(0.5, 1.5, size))
            adjusted = holm(p_values)
            for alpha in (0.01, 0.05, 0.1):
                assert {i for i, a in enumerate(adjusted) if a < alpha} == \
                    _step_down(p_values, alpha)
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])
    assert holm([0.6, 0.9]) == [1.0, 1.0] and holm([]) == []


def test_holm_decides_ties_among_several_candidates() -> None:
    # each raw p is below 0.05, but not once adjusted for the two comparisons
    best, a, b = predictions(TRUTH, 30, 1), predictions(TRUTH, 48, 2), predictions(TRUTH, 48, 12)
    standings = rank({"a": a, "b": b, "best": best}, TRUTH, metric="accuracy", n=400)
    raw = [s.p_value for s in standings]
    assert raw[0] is None and max(raw[1:]) < 0.05
    assert [s.p_adjusted for s in standings] == pytest.approx(holm(raw))
    assert min(s.p_adjusted for s in standings[1:]) >= 0.05
    assert [s.tied_for_first for s in standings] == [True, True, True]


def test_rank_marks_ties_for_first_with_p_values() -> None:
    best, close, poor = (predictions(TRUTH, wrong, seed) for wrong, seed in
                         ((30, 1), (33, 2), (110, 3)))
    standings = rank({"poor": poor, "close": close, "best": best}, TRUTH, metric="accuracy",
                     n=400)
    assert [s.name for s in standings] == ["best", "close", "poor"]
    assert [s.tied_for_first for s in standings] == [True, True, False]
    assert standings[0].p_value is None
    assert standings[1].p_value > 0.05 > standings[2].p_value


def test_rank_follows_the_metric_direction() -> None:
    sharp = np.where(TRUTH[:, None] == [0, 1], 0.9, 0.1)
    blunt = np.where(TRUTH[:, None] == [0, 1], 0.6, 0.4)
    standings = rank({"blunt": blunt, "sharp": sharp}, TRUTH, metric="log_loss", n=200)
    assert [s.name for s in standings] == ["sharp", "blunt"]
    assert standings[0].value.value < standings[1].value.value


def test_undefined_candidates_come_last() -> None:
    y_true = np.array([0, 0, 1, 1])
    constant = np.zeros(4, dtype=int)
    standings = rank({"constant": constant, "fine": np.array([0, 1, 1, 1])}, y_true,
                     metric="mcc", n=50)
    assert [s.name for s in standings] == ["fine", "constant"]
    assert standings[1].value.undefined and not standings[1].tied_for_first


def test_candidates_with_seeds_are_scored_by_their_mean() -> None:
    seeds = [Predictions(y_pred=predictions(TRUTH, w, s)) for w, s in ((20, 1), (40, 2))]
    found = compare("accuracy", TRUTH, seeds, predictions(TRUTH, 100, 3), n=100)
    assert found.a.value == pytest.approx(1 - 30 / 300)
    assert found.a.detail == {"per_seed": pytest.approx([1 - 20 / 300, 1 - 40 / 300])}


def test_aggregate_seeds_pools_the_bootstrap_distributions() -> None:
    runs = [predictions(TRUTH, w, s) for w, s in ((20, 1), (30, 2), (40, 3))]
    summary = aggregate_seeds("accuracy", TRUTH, runs, n=100)
    values = [1 - w / 300 for w in (20, 30, 40)]
    assert summary.mean == pytest.approx(np.mean(values))
    assert summary.sd == pytest.approx(np.std(values, ddof=1))
    assert summary.interval.n == 300
    assert summary.interval.low < min(values) and summary.interval.high > max(values)
    assert aggregate_seeds("accuracy", TRUTH, runs[:1], n=10).sd is None


def test_aggregate_seeds_reports_an_undefined_seed() -> None:
    y_true = np.array([0, 1, 0, 1])
    summary = aggregate_seeds("mcc", y_true, [np.array([0, 1, 1, 1]), np.zeros(4, int)], n=10)
    assert summary.mean is None and summary.undefined.startswith("seed 1:")
