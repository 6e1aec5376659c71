"""The report's ROC and precision-recall curves, in numpy, against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

from evalspec.report import curves


def _roc_reference(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, float]:
    fpr, tpr, _ = roc_curve(truth, score)
    return np.interp(curves.GRID, fpr, tpr), float(auc(fpr, tpr))


def _pr_reference(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, float]:
    precision, recall, _ = precision_recall_curve(truth, score)
    on_grid = np.array([precision[recall >= r].max() for r in curves.GRID])
    return on_grid, float(average_precision_score(truth, score))


def _cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    found = []
    for n, levels in ((7, None), (50, None), (400, None), (60, 4), (300, 11), (25, 1)):
        truth = rng.random(n) < rng.uniform(0.1, 0.9)
        truth[:2] = (True, False)  # both classes present
        score = rng.random(n) if levels is None else rng.integers(0, levels, n) / max(levels, 1)
        found.append((truth, score + 0.3 * truth * rng.random(n)))
        found.append((truth, np.round(score, 1)))  # many ties
    found.append((np.array([True, False, True, False]), np.array([0.9, 0.9, 0.1, 0.1])))
    found.append((np.array([False, True]), np.array([1.0, 0.0])))  # perfectly wrong
    return found


@pytest.mark.parametrize("case", range(len(_cases())))
def test_roc_agrees_with_scikit_learn(case: int) -> None:
    truth, score = _cases()[case]
    curve = curves._roc_one(truth, score)
    expected, area = _roc_reference(truth, score)
    assert curve is not None
    np.testing.assert_allclose(curve.y, expected, rtol=0, atol=1e-12)
    assert curve.area == pytest.approx(area, abs=1e-12)


@pytest.mark.parametrize("case", range(len(_cases())))
def test_precision_recall_agrees_with_scikit_learn(case: int) -> None:
    truth, score = _cases()[case]
    curve = curves._pr_one(truth, score)
    expected, average = _pr_reference(truth, score)
    assert curve is not None
    np.testing.assert_allclose(curve.y, expected, rtol=0, atol=1e-12)
    assert curve.area == pytest.approx(average, abs=1e-12)


def test_a_one_class_split_has_no_roc_curve() -> None:
    assert curves._roc_one(np.array([True, True]), np.array([0.2, 0.8])) is None
    assert curves._pr_one(np.array([False, False]), np.array([0.2, 0.8])) is None
