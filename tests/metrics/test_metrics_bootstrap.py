"""The vectorised bootstrap equals a naive loop on the same resamples, for every metric."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from evalspec.metrics import bootstrap, compute, replicates, resample_indices
from evalspec.metrics.bootstrap import interval
from evalspec.registry.metrics import METRICS
from tests.metrics.metric_cases import Case, case_for, class_cases, variants

BOOTSTRAP = importlib.import_module("evalspec.metrics.bootstrap")  # the package exports a
VARIANTS = variants()  # function of the same name
IDS = [f"{name}-{'-'.join(map(str, params.values()))}".rstrip("-") for name, params in VARIANTS]


def naive(name: str, params: dict[str, Any], case: Case, indices: np.ndarray) -> np.ndarray:
    """Resample the items, call `compute` (scikit-learn underneath), repeat."""
    values = [compute(name, **_call(case.take(row)), **params).value for row in indices]
    return np.array([np.nan if v is None else v for v in values])


def _call(case: Case) -> dict[str, Any]:
    return {"y_true": case.y_true, **case.kwargs()}


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
def test_vectorised_equals_naive_loop_on_the_same_indices(name: str, params: dict) -> None:
    # small, skewed test sets so that some resamples are undefined (a class drawn zero times)
    case = case_for(name, params, seed=5, n=12)
    indices = resample_indices(12, 25, seed=3)
    got = replicates([(name, params)], **_call(case), indices=indices)[name]
    expected = naive(name, params, case, indices)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(class_cases(min_k=2, max_k=3))
def test_vectorised_equals_naive_loop_for_random_classification(case: Case) -> None:
    indices = resample_indices(len(case.y_true), 8, seed=0)
    metrics = [("f1", {"average": "weighted"}), ("mcc", {}), ("auc", {"multi_class": "ovo"}),
               ("average_precision", {}), ("balanced_accuracy", {}), ("log_loss", {})]
    got = replicates(metrics, **_call(case), indices=indices)
    for name, params in metrics:
        expected = naive(name, params, case, indices)
        np.testing.assert_array_equal(np.isnan(got[name]), np.isnan(expected), err_msg=name)
        np.testing.assert_allclose(got[name], expected, rtol=1e-9, atol=1e-12, err_msg=name)


def test_interval_is_the_percentile_interval_of_the_naive_distribution() -> None:
    case = case_for("auc", {}, seed=2, n=40)
    indices = resample_indices(40, 200, seed=9)
    got = bootstrap(["auc", "accuracy"], **_call(case), indices=indices, level=0.9)
    for name in ("auc", "accuracy"):
        assert got[name] == interval(naive(name, {}, case, indices), 0.9)


@pytest.mark.parametrize(("name", "params"), VARIANTS, ids=IDS)
def test_interval_contains_the_point_estimate(name: str, params: dict) -> None:
    case = case_for(name, params, seed=1, n=200)
    point = compute(name, **_call(case), **params).value
    found = bootstrap([(name, params)], **_call(case), n=200, seed=4)[name]
    assert found.low is not None and found.high is not None
    assert found.low <= point <= found.high
    assert found.n == 200 and found.level == 0.95


def test_seeded_and_shared_resamples() -> None:
    case = case_for("accuracy", {}, n=80)
    both = bootstrap(["accuracy", ("f1", {"average": "macro"})], **_call(case), n=300, seed=7)
    alone = bootstrap(["accuracy"], **_call(case), n=300, seed=7)
    assert both["accuracy"] == alone["accuracy"]
    assert bootstrap(["accuracy"], **_call(case), n=300, seed=8) != alone
    np.testing.assert_array_equal(resample_indices(80, 300, 7), resample_indices(80, 300, 7))


def test_block_size_does_not_change_the_resamples(monkeypatch: pytest.MonkeyPatch) -> None:
    case = case_for("auc", {}, n=50)
    before = replicates(["auc"], **_call(case), n=40, seed=1)
    indices = resample_indices(50, 40, 1)
    monkeypatch.setattr(BOOTSTRAP, "BLOCK_ITEMS", 7)
    assert (resample_indices(50, 40, 1) == indices).all()
    np.testing.assert_array_equal(replicates(["auc"], **_call(case), n=40, seed=1)["auc"],
                                  before["auc"])


def test_undefined_resamples_are_dropped_and_counted() -> None:
    y_true = ["a"] * 19 + ["b"]
    scores = np.linspace(0.05, 0.95, 20)
    draws = replicates(["auc"], y_true, y_score=scores, labels=["a", "b"], n=500)["auc"]
    found = bootstrap(["auc"], y_true, y_score=scores, labels=["a", "b"], n=500)["auc"]
    assert found.undefined_fraction == pytest.approx(np.isnan(draws).mean())
    assert 0.2 < found.undefined_fraction < 0.5  # (19/20)^20 ≈ 0.36 of resamples lack "b"


def test_all_undefined_gives_an_empty_interval() -> None:
    found = bootstrap(["r2"], [1.0, 1.0], y_pred=[1.0, 2.0], n=10)["r2"]
    assert (found.low, found.high, found.undefined_fraction) == (None, None, 1.0)


def test_keys_name_variants_of_one_metric() -> None:
    case = case_for("f1", {}, n=30)
    found = bootstrap([("f1_macro", "f1", {"average": "macro"}),
                       ("f1_micro", "f1", {"average": "micro"})], **_call(case), n=20)
    assert set(found) == {"f1_macro", "f1_micro"}
    with pytest.raises(ValueError, match="twice"):
        bootstrap(["f1", ("f1", {"average": "micro"})], **_call(case), n=20)


def test_metrics_of_different_task_types_are_refused() -> None:
    with pytest.raises(ValueError, match="one task type"):
        bootstrap(["accuracy", "mse"], [1, 2], y_pred=[1, 2])


@pytest.mark.parametrize("needs", ["labels", "values", "spans", "transcripts"])
def test_every_family_bootstraps(needs: str) -> None:
    names = [n for n, d in METRICS.items() if d.needs == needs]
    case = case_for(names[0], {}, n=30)
    found = bootstrap(names, **_call(case), n=50)
    assert set(found) == set(names)
