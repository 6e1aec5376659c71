"""Every classification and regression metric agrees with scikit-learn to 1e-9, and is
undefined exactly where scikit-learn warns, returns NaN or silently substitutes a number."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from evalspec.metrics import MetricValue, compute
from evalspec.metrics.scores import calibration_bins
from tests.metrics.metric_cases import Case, class_cases, value_cases

FAST = settings(max_examples=100, deadline=None)
BENIGN = (  # warnings about a well-defined value (see evalspec/metrics/classification.py)
    "y_pred contains classes not in y_true", "A single label was found", "do not sum to one")


def reference(call: Callable[[], float]) -> float | None:
    """scikit-learn's number, or None where it warns or returns NaN."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = float(call())
    signals = [w for w in caught if issubclass(w.category, (UserWarning, RuntimeWarning))
               and not any(text in str(w.message) for text in BENIGN)]
    return None if signals or not np.isfinite(value) else value


def assert_same(got: MetricValue, expected: float | None, what: object) -> None:
    """Both undefined, or both defined and equal to 1e-9."""
    assert (got.value is None) == (expected is None), (what, got, expected)
    if expected is None:
        assert got.undefined
    else:
        assert got.value == pytest.approx(expected, rel=1e-9, abs=1e-12), what


def codes(case: Case) -> tuple[np.ndarray, np.ndarray, int, int]:
    index = {label: i for i, label in enumerate(case.labels)}
    truth = np.array([index[v] for v in case.y_true])
    pred = np.array([index[v] for v in case.y_pred])
    positive = index[case.positive] if case.positive is not None else len(case.labels) - 1
    return truth, pred, positive, len(case.labels)


def averages(k: int) -> list[str]:
    return ["binary", "macro", "micro", "weighted"] if k == 2 else ["macro", "micro", "weighted"]


def label_references(case: Case) -> dict[tuple[str, str], float | None]:
    truth, pred, positive, k = codes(case)
    expected: dict[tuple[str, str], float | None] = {
        ("accuracy", ""): reference(lambda: skm.accuracy_score(case.y_true, case.y_pred)),
        ("balanced_accuracy", ""): reference(
            lambda: skm.balanced_accuracy_score(case.y_true, case.y_pred)),
        ("confusion_matrix", ""): reference(lambda: skm.accuracy_score(truth, pred)),
        # scikit-learn returns a silent 0 for a constant y_true or y_pred: undefined here.
        ("mcc", ""): None if min(len(set(truth)), len(set(pred))) < 2 else reference(
            lambda: skm.matthews_corrcoef(case.y_true, case.y_pred)),
    }
    scorers = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}
    for name, scorer in scorers.items():
        for average in averages(k):
            options: dict[str, Any] = ({"pos_label": case.labels[positive]}
                                       if average == "binary" else {"labels": case.labels})
            expected[(name, average)] = reference(
                lambda s=scorer, a=average, o=options: s(case.y_true, case.y_pred, average=a, **o))
    return expected


@FAST
@given(class_cases())
def test_label_metrics_match_sklearn(case: Case) -> None:
    k = len(case.labels)
    for (name, average), expected in label_references(case).items():
        params = {"average": average} if average else {}
        got = compute(name, case.y_true, **case.kwargs(), **params)
        assert_same(got, expected, (name, average))
    auto = compute("f1", case.y_true, **case.kwargs())
    explicit = compute("f1", case.y_true, **case.kwargs(), average="binary" if k == 2 else "macro")
    assert auto == explicit


def _log_loss(truth: np.ndarray, proba: np.ndarray, k: int) -> float:
    renamed = "y_proba" in inspect.signature(skm.log_loss).parameters  # scikit-learn >= 1.9
    probabilities = {"y_proba" if renamed else "y_pred": proba}
    return skm.log_loss(truth, labels=list(range(k)), **probabilities)


def score_references(case: Case) -> dict[tuple[str, str], float | None]:
    truth, _, positive, k = codes(case)
    proba = np.asarray(case.y_score)
    if k == 2:
        is_pos = truth == positive
        binary_auc = reference(lambda: skm.roc_auc_score(is_pos, proba[:, positive]))
        aucs = {"ovr": binary_auc, "ovo": binary_auc}
        average_precision = reference(
            lambda: skm.average_precision_score(is_pos, proba[:, positive]))
    else:
        aucs = {mc: reference(lambda m=mc: skm.roc_auc_score(
            truth, proba, multi_class=m, labels=list(range(k)))) for mc in ("ovr", "ovo")}
        indicator = label_binarize(truth, classes=list(range(k)))
        average_precision = reference(
            lambda: skm.average_precision_score(indicator, proba, average="macro"))
    return {("auc", "ovr"): aucs["ovr"], ("auc", "ovo"): aucs["ovo"],
            ("average_precision", ""): average_precision,
            ("log_loss", ""): reference(lambda: _log_loss(truth, proba, k))}


@FAST
@given(class_cases())
def test_score_metrics_match_sklearn(case: Case) -> None:
    for (name, multi_class), expected in score_references(case).items():
        params = {"multi_class": multi_class} if multi_class else {}
        got = compute(name, case.y_true, **case.kwargs(), **params)
        assert_same(got, expected, (name, multi_class))


def textbook_ece(case: Case, bins: int) -> float:
    """Guo et al. (2017): bins (lo, hi] of top-class confidence, Σ |B|/n |acc(B) − conf(B)|."""
    truth, _, _, _ = codes(case)
    proba = np.asarray(case.y_score)
    confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == truth
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi) | ((lo == 0) & (confidence == 0))
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return total


@FAST
@given(class_cases())
def test_ece_matches_textbook_definition(case: Case) -> None:
    for bins in (1, 10, 15):
        got = compute("ece", case.y_true, **case.kwargs(), bins=bins)
        assert got.value == pytest.approx(textbook_ece(case, bins), rel=1e-9, abs=1e-12)


def test_calibration_bins_are_closed_on_the_right() -> None:
    assert calibration_bins(np.array([0.0, 0.2, 0.6, 0.6000001, 1.0]), 5).tolist() == [
        0, 0, 2, 3, 4]


@FAST
@given(value_cases())
def test_regression_metrics_match_sklearn(case: Case) -> None:
    truth, pred = case.y_true, case.y_pred
    constant = len(set(truth.tolist())) < 2
    expected = {
        "mse": reference(lambda: skm.mean_squared_error(truth, pred)),
        "rmse": reference(lambda: skm.root_mean_squared_error(truth, pred)),
        "mae": reference(lambda: skm.mean_absolute_error(truth, pred)),
        # scikit-learn reports 1.0 or 0.0 for a constant y_true: undefined here.
        "r2": None if constant else reference(lambda: skm.r2_score(truth, pred)),
    }
    for name, value in expected.items():
        got = compute(name, truth, y_pred=pred)
        assert_same(got, value, name)


def test_confusion_matrix_detail_follows_label_order() -> None:
    got = compute("confusion_matrix", ["b", "a", "a", "c"], y_pred=["b", "b", "a", "c"],
                  labels=["c", "b", "a"])
    assert got.detail == {"labels": ["c", "b", "a"], "matrix": [[1, 0, 0], [0, 1, 0], [0, 1, 1]]}
    assert got.value == 0.75
