"""The public API of evalspec.metrics, its argument checks, and its import weight."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

import evalspec.metrics
from evalspec.metrics import compute


def test_exported_members() -> None:
    assert sorted(evalspec.metrics.__all__) == [
        "Comparison", "Interval", "McNemar", "MetricValue", "Predictions", "SeedSummary",
        "Standing", "aggregate_seeds", "bootstrap", "compare", "compare_sets", "compute",
        "holm", "mcnemar_exact", "p_floor",
        "paired_p_value", "rank", "replicates", "resample_indices"]
    for name in evalspec.metrics.__all__:
        assert getattr(evalspec.metrics, name).__doc__, name


def test_metrics_never_import_torch() -> None:
    code = "import evalspec.metrics, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compute("accuarcy", [0]), "unknown metric `accuarcy`; did you mean `accuracy`?"),
    (lambda: compute("latency", [0]), "`latency` is a cost metric"),
    (lambda: compute("f1", [0, 1], y_pred=[0, 1], avg="macro"), "did you mean `average`?"),
    (lambda: compute("f1", [0, 1], y_pred=[0, 1], average="macr"), "did you mean `macro`?"),
    (lambda: compute("ece", [0, 1], y_score=[0.2, 0.7], bins=0), "must be > 0"),
    (lambda: compute("ece", [0, 1], y_score=[0.2, 0.7], bins=2.5), "whole number"),
    (lambda: compute("auc", [0, 1], y_pred=[0, 1]), "`auc` needs y_score"),
    (lambda: compute("accuracy", [0, 1], y_score=[0.2, 0.7]), "`accuracy` needs y_pred"),
    (lambda: compute("f1", [0, 1, 2], y_pred=[0, 1, 2], average="binary"),
     "average = binary needs exactly two labels"),
    (lambda: compute("log_loss", [0, 1], y_score=[[0.5, 0.6], [0.5, 0.5]]),
     "rows must sum to 1"),
    (lambda: compute("auc", [0, 1], y_score=[[2.0, -1.0], [0.5, 0.5]]), "probabilities in"),
    (lambda: compute("auc", ["a", "b"], y_score=np.ones((2, 3)) / 3), "(n, 2) matrix"),
    (lambda: compute("accuracy", ["a", "z"], y_pred=["a", "b"], labels=["a", "b"]),
     "y_true holds ['z'], not in labels"),
    (lambda: compute("accuracy", [0, 5], y_pred=[0, 1], labels=["a", "b"]), "positions"),
    (lambda: compute("accuracy", ["a", "b"], y_pred=["a"]), "equally long"),
    (lambda: compute("accuracy", ["a", "a"], y_pred=["a", "a"]), "at least two labels"),
    (lambda: compute("f1", ["a", "b"], y_pred=["a", "b"], positive="c"), "positive holds"),
    (lambda: compute("mse", [1.0], y_pred=[float("nan")]), "finite"),
    (lambda: compute("mse", [1.0], y_pred=[1.0], y_score=[1.0]), "y_score is for class"),
])
def test_clear_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
