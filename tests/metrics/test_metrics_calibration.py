"""Calibration metrics: `brier` agrees with scikit-learn's brier_score_loss, and `ece` with its
binning formula written out item by item, ties at the bin edges included."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from evalspec.metrics import bootstrap, compute, replicates, resample_indices

LABELS = ["neg", "pos"]
SEEDS = range(5)
EXACT = 1e-12
# scikit-learn >= 1.7 scores multiclass probabilities (its `labels` argument came with it).
MULTICLASS_SKLEARN = "labels" in inspect.signature(brier_score_loss).parameters


def random_case(seed: int, k: int, n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Label positions 0..k-1 and an (n, k) matrix of random probabilities."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)


def brier(truth: np.ndarray, y_score: np.ndarray, positive: str | None = None) -> float:
    """`brier` on string labels (binary) or on positions into 0..k-1 (multiclass)."""
    labels = LABELS if positive is not None else list(range(y_score.shape[-1]))
    y_true = np.array(labels)[truth]
    got = compute("brier", y_true, y_score=y_score, labels=labels, positive=positive)
    assert got.value is not None, got
    return got.value


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("positive", [1, 0], ids=["second-label", "first-label"])
def test_binary_brier_matches_sklearn(seed: int, positive: int) -> None:
    truth, proba = random_case(seed, 2)
    expected = brier_score_loss(truth == positive, proba[:, positive])
    name = LABELS[positive]
    assert abs(brier(truth, proba, name) - expected) <= EXACT
    # a 1-D score is the positive label's probability
    assert abs(brier(truth, proba[:, positive], name) - expected) <= EXACT


@pytest.mark.skipif(not MULTICLASS_SKLEARN, reason="scikit-learn < 1.7 has no multiclass Brier")
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [3, 5])
def test_multiclass_brier_matches_sklearn(seed: int, k: int) -> None:
    truth, proba = random_case(seed, k)
    expected = brier_score_loss(truth, proba, labels=list(range(k)))
    assert abs(brier(truth, proba) - expected) <= EXACT


@pytest.mark.parametrize("k", [2, 3, 5])
def test_brier_is_the_documented_sum_over_classes(k: int) -> None:
    """Σ_k (p_k − 1[y = k])² averaged over items; halved for two labels, as scikit-learn."""
    truth, proba = random_case(11, k)
    squared = ((proba - np.eye(k)[truth]) ** 2).sum(axis=1).mean()
    positive = LABELS[-1] if k == 2 else None
    assert abs(brier(truth, proba, positive) - squared * (0.5 if k == 2 else 1.0)) <= EXACT


def test_brier_by_hand() -> None:
    """scikit-learn's documented examples, worked out item by item."""
    two = np.array([0.1, 0.9, 0.8, 0.3])  # the probabilities of "pos"
    expected = (0.1**2 + 0.1**2 + 0.2**2 + 0.3**2) / 4  # 0.0375
    assert brier(np.array([0, 1, 1, 0]), two, "pos") == pytest.approx(expected, abs=EXACT)
    three = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]])
    expected = (0.06 + 0.14 + 0.24) / 3  # each row: Σ_k (p_k − 1[y = k])²
    assert brier(np.array([0, 1, 2]), three) == pytest.approx(expected, abs=EXACT)


def test_brier_without_test_items_is_undefined() -> None:
    got = compute("brier", [], y_score=np.empty((0, 2)), labels=LABELS)
    assert (got.value, got.undefined) == (None, "there are no test items")


@pytest.mark.parametrize("positive", LABELS)
def test_binary_brier_resamples_equal_the_point_form(positive: str) -> None:
    truth, proba = random_case(7, 2, n=60)
    y_true = np.array(LABELS)[truth]
    options: dict[str, Any] = {"y_score": proba, "labels": LABELS, "positive": positive}
    indices = np.vstack([np.arange(60), resample_indices(60, 30, seed=2)])  # identity first
    draws = replicates(["brier"], y_true, indices=indices, **options)["brier"]
    points = [brier(truth[row], proba[row], positive) for row in indices]
    np.testing.assert_allclose(draws, points, rtol=0, atol=EXACT)
    found = bootstrap(["brier"], y_true, n=500, seed=0, **options)["brier"]
    assert found.low is not None and found.high is not None
    assert found.low <= points[0] <= found.high
    assert found.undefined_fraction == 0.0


def reference_ece(truth: list[int], proba: list[list[float]], bins: int) -> float:
    """Σ_b (n_b / n) · |acc_b − conf_b| over the bins (b / bins, (b + 1) / bins], b = 0, …,
    of the top-class confidence; correct when the first largest probability is the truth's."""
    count, hits, mass = [0] * bins, [0] * bins, [0.0] * bins
    for label, row in zip(truth, proba, strict=True):
        confidence = max(row)
        b = next(b for b in range(bins) if b / bins < confidence <= (b + 1) / bins)
        count[b] += 1
        hits[b] += row.index(confidence) == label
        mass[b] += confidence
    n = len(truth)
    return sum(count[b] / n * abs(hits[b] / count[b] - mass[b] / count[b])
               for b in range(bins) if count[b])


def ece(truth: list[int], proba: list[list[float]], bins: int) -> float:
    got = compute("ece", truth, y_score=proba, labels=list(range(len(proba[0]))), bins=bins)
    assert got.value is not None, got
    return got.value


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [2, 5])
@pytest.mark.parametrize("bins", [1, 10, 15])
def test_ece_matches_the_binning_formula(seed: int, k: int, bins: int) -> None:
    truth, proba = random_case(seed, k)
    rows = proba.tolist()
    assert abs(ece(truth.tolist(), rows, bins) - reference_ece(truth.tolist(), rows, bins)) \
        <= EXACT


def edge_rows(k: int) -> list[list[float]]:
    """Rows whose largest probability is exactly a bin edge b / B (0.5, 0.6, 5 / 6, 1.0, …)
    for B = 5, 6, 10, 15, in turn in each column; the rest of each row spread evenly."""
    edges = sorted({b / total for total in (5, 6, 10, 15) for b in range(1, total + 1)})
    rows = []
    for i, top in enumerate(e for e in edges if e * k >= 1):
        row = [(1 - top) / (k - 1)] * k
        row[i % k] = top
        rows.append(row)
    return rows


@pytest.mark.parametrize("k", [2, 5])
@pytest.mark.parametrize("bins", [1, 5, 6, 10, 15])
def test_ece_confidences_on_bin_edges_close_the_lower_bin(k: int, bins: int) -> None:
    rows = edge_rows(k)
    assert {0.5, 0.6, 1.0} <= {max(row) for row in rows}
    truth = np.random.default_rng(bins).integers(0, k, len(rows)).tolist()
    assert abs(ece(truth, rows, bins) - reference_ece(truth, rows, bins)) <= EXACT


def test_ece_by_hand() -> None:
    """0.55 (right) and 0.6 (wrong) share (0.5, 0.6]; 0.65 (right) is alone in (0.6, 0.7].
    Bins [lo, hi) would pair 0.6 with 0.65 instead and give 0.15 + 1/12."""
    rows = [[0.55, 0.45], [0.6, 0.4], [0.35, 0.65]]
    expected = 2 / 3 * abs(1 / 2 - 0.575) + 1 / 3 * abs(1 - 0.65)
    assert ece([0, 1, 1], rows, 10) == pytest.approx(expected, abs=EXACT)
    assert expected == pytest.approx(1 / 6)
