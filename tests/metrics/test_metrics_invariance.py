"""Properties every catalogue metric must have, checked over the whole registry at once
(in the style of scikit-learn's metrics/tests/test_common.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from evalspec.metrics import MetricValue, compute
from evalspec.metrics.engine import KERNELS
from evalspec.registry.metrics import METRICS
from tests.metrics.metric_cases import Case, case_for, class_case, variants

VARIANTS = variants()
IDS = [f"{name}-{'-'.join(map(str, params.values()))}".rstrip("-") for name, params in VARIANTS]
CLASSIFICATION = [(n, p) for n, p in VARIANTS if METRICS[n].needs in ("labels", "scores")]
CLASSIFICATION_IDS = [i for i, v in zip(IDS, VARIANTS, strict=True) if v in CLASSIFICATION]


def run(name: str, params: dict[str, Any], case: Case) -> MetricValue:
    return compute(name, case.y_true, **case.kwargs(), **params)


def assert_close(a: MetricValue, b: MetricValue) -> None:
    assert a.undefined == b.undefined
    assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-12)


def test_every_non_cost_metric_has_a_kernel_and_no_more() -> None:
    assert set(KERNELS) == {name for name, d in METRICS.items() if not d.cost}


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
def test_permuting_test_items_changes_nothing(name: str, params: dict[str, Any]) -> None:
    case = case_for(name, params)
    shuffled = case.take(np.random.default_rng(1).permutation(len(case.y_true)))
    assert_close(run(name, params, case), run(name, params, shuffled))


def perfect(case: Case) -> Case:
    """Predictions that are exactly right: labels, one-hot probabilities, values, tags, text."""
    if case.labels is None:
        return replace(case, y_pred=case.y_true)
    onehot = np.array([[float(t == label) for label in case.labels] for t in case.y_true])
    return replace(case, y_pred=case.y_true, y_score=onehot)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
def test_perfect_predictions_score_the_best_value(name: str, params: dict[str, Any]) -> None:
    best = 1.0 if METRICS[name].higher_is_better else 0.0
    got = run(name, params, perfect(case_for(name, params)))
    assert got.value == pytest.approx(best, abs=1e-12)


def renamed(case: Case) -> Case:
    """Every label renamed, the label list reordered, and score columns moved to match."""
    names = {label: f"label-{i}" for i, label in enumerate(case.labels)}
    order = list(reversed(range(len(case.labels))))
    labels = [names[case.labels[i]] for i in order]
    positive = names[case.positive if case.positive is not None else case.labels[-1]]
    return Case([names[v] for v in case.y_true], [names[v] for v in case.y_pred],
                np.asarray(case.y_score)[:, order], labels, positive)


@pytest.mark.parametrize(("name", "params"), CLASSIFICATION, ids=CLASSIFICATION_IDS)
def test_renaming_and_reordering_labels_consistently_changes_nothing(
        name: str, params: dict[str, Any]) -> None:
    case = case_for(name, params)
    got, again = run(name, params, case), run(name, params, renamed(case))
    assert got.value == pytest.approx(again.value, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("name", "params"), CLASSIFICATION, ids=CLASSIFICATION_IDS)
def test_integer_positions_read_as_the_labels_they_point_at(
        name: str, params: dict[str, Any]) -> None:
    case = case_for(name, params)
    index = {label: i for i, label in enumerate(case.labels)}
    positions = replace(case, y_true=np.array([index[v] for v in case.y_true]),
                        y_pred=np.array([index[v] for v in case.y_pred]))
    assert_close(run(name, params, case), run(name, params, positions))


@pytest.mark.parametrize("name", ["auc", "average_precision", "log_loss", "ece"])
def test_binary_one_dimensional_scores_equal_the_two_column_matrix(name: str) -> None:
    case = class_case(3, 50, 2)
    column = np.asarray(case.y_score)[:, 1]
    assert_close(run(name, {}, case), run(name, {}, replace(case, y_score=column)))
    other = replace(case, positive=case.labels[0])  # a 1-D score is `positive`'s probability
    assert_close(run(name, {}, other), run(name, {}, replace(other, y_score=1 - column)))


def test_binary_average_follows_the_positive_label() -> None:
    y_true, y_pred = ["a", "b", "b", "a", "b"], ["a", "b", "a", "a", "a"]
    as_b = compute("recall", y_true, y_pred=y_pred, labels=["a", "b"])
    as_a = compute("recall", y_true, y_pred=y_pred, labels=["a", "b"], positive="a")
    assert (as_b.value, as_a.value) == pytest.approx((1 / 3, 1.0))
