"""Undefined results say why, and are never NaN or a silent 0."""

from __future__ import annotations

import pytest

from evalspec.metrics import MetricValue, compute


def undefined(name: str, y_true: object, **kwargs: object) -> str:
    got = compute(name, y_true, **kwargs)
    assert got.value is None, got
    assert got.undefined
    return got.undefined


def test_auc_with_one_class_present() -> None:
    reason = undefined("auc", ["a", "a", "a"], y_score=[0.2, 0.6, 0.9], labels=["a", "b"])
    assert reason == "only one class present in y_true; ROC AUC is undefined"


def test_multiclass_auc_with_an_absent_label() -> None:
    scores = [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1]]
    assert "'c'" in undefined("auc", ["a", "b", "a"], y_score=scores, labels=["a", "b", "c"])
    # one-vs-one averages over the pairs present in y_true, as scikit-learn does
    assert compute("auc", ["a", "b", "a"], y_score=scores, labels=["a", "b", "c"],
                   multi_class="ovo").value is not None


def test_precision_with_no_predicted_positives_is_undefined_not_zero() -> None:
    reason = undefined("precision", ["no", "yes", "no"], y_pred=["no", "no", "no"],
                       labels=["no", "yes"])
    assert reason == "precision is undefined: no item is predicted as 'yes'"


def test_recall_and_f1_name_the_labels_at_fault() -> None:
    kwargs = {"y_pred": ["a", "b", "b"], "labels": ["a", "b", "c"]}
    assert "'c'" in undefined("recall", ["a", "b", "a"], average="macro", **kwargs)
    assert "'c' occur in neither" in undefined("f1", ["a", "b", "a"], average="weighted", **kwargs)
    assert compute("f1", ["a", "b", "a"], average="micro", **kwargs).value == pytest.approx(2 / 3)


def test_f1_of_a_label_predicted_but_never_true_is_zero_not_undefined() -> None:
    got = compute("f1", ["a", "a"], y_pred=["a", "b"], labels=["a", "b"], average="macro")
    assert got.value == pytest.approx((2 / 3 + 0) / 2)
    assert got.detail == {"per_class": {"a": pytest.approx(2 / 3), "b": 0.0}}


def test_r2_with_constant_truth() -> None:
    assert "constant" in undefined("r2", [2.0, 2.0, 2.0], y_pred=[1.0, 2.0, 3.0])
    assert "two test items" in undefined("r2", [2.0], y_pred=[1.0])


def test_mcc_with_constant_predictions() -> None:
    assert "y_pred holds a single label" in undefined("mcc", ["a", "b"], y_pred=["a", "a"])


def test_average_precision_without_positives() -> None:
    assert "'b'" in undefined("average_precision", ["a", "a"], y_score=[0.1, 0.7],
                              labels=["a", "b"])


def test_entity_metrics_without_entities() -> None:
    assert "no entity is predicted" in undefined("entity_precision", [["B-PER"]], y_pred=[["O"]])
    assert "neither" in undefined("entity_f1", [["O", "O"]], y_pred=[["O", "O"]])
    assert compute("entity_f1", [["B-PER"]], y_pred=[["O"]]).value == 0.0


def test_error_rates_with_empty_references() -> None:
    assert "no words" in undefined("wer", ["", " "], y_pred=["a", ""])
    assert "no characters" in undefined("cer", [""], y_pred=["abc"])


def test_no_test_items() -> None:
    assert undefined("mse", [], y_pred=[]) == "there are no test items"


@pytest.mark.parametrize("bad", [
    {"value": float("nan")},
    {"value": 0.5, "undefined": "both"},
    {"value": None},
])
def test_metric_value_is_never_nan_nor_ambiguous(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        MetricValue(**bad)  # type: ignore[arg-type]
