"""Benchmark: the vectorised bootstrap against the naive loop (resample, call scikit-learn).

Every classification metric of the catalogue, with its default parameters, 1,000 percentile
bootstrap resamples of 100,000 three-class predictions with probabilities. The naive loop is
slow, so it runs on the first `--naive` resamples (the same indices the engine draws) and its
time is extrapolated to all of them. Run: `.venv/bin/python bench/bench_bootstrap.py`.
"""

from __future__ import annotations

import argparse
import inspect
import time
import warnings
from collections.abc import Callable

import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from evalspec.metrics import bootstrap, replicates, resample_indices
from evalspec.metrics.bootstrap import interval
from evalspec.metrics.scores import calibration_bins

METRICS = ["accuracy", "balanced_accuracy", "precision", "recall", "f1", "auc",
           "average_precision", "log_loss", "mcc", "ece", "confusion_matrix"]
PROBA = "y_proba" if "y_proba" in inspect.signature(skm.log_loss).parameters else "y_pred"


def data(items: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, items)
    logits = rng.normal(size=(items, classes))
    logits[np.arange(items), truth] += 1.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return truth, proba.argmax(axis=1), proba


def ece(truth: np.ndarray, proba: np.ndarray, bins: int = 15) -> float:
    """scikit-learn has no ECE: the plain numpy formula, per resample."""
    confidence, correct = proba.max(axis=1), proba.argmax(axis=1) == truth
    binned = calibration_bins(confidence, bins)
    hits = np.bincount(binned, weights=correct, minlength=bins)
    mass = np.bincount(binned, weights=confidence, minlength=bins)
    return float(np.abs(hits - mass).sum() / len(truth))


def sklearn_metrics(k: int) -> dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]]:
    labels = list(range(k))
    return {
        "accuracy": lambda t, p, s: skm.accuracy_score(t, p),
        "balanced_accuracy": lambda t, p, s: skm.balanced_accuracy_score(t, p),
        "precision": lambda t, p, s: skm.precision_score(t, p, labels=labels, average="macro"),
        "recall": lambda t, p, s: skm.recall_score(t, p, labels=labels, average="macro"),
        "f1": lambda t, p, s: skm.f1_score(t, p, labels=labels, average="macro"),
        "auc": lambda t, p, s: skm.roc_auc_score(t, s, multi_class="ovr", labels=labels),
        "average_precision": lambda t, p, s: skm.average_precision_score(
            label_binarize(t, classes=labels), s, average="macro"),
        "log_loss": lambda t, p, s: skm.log_loss(t, labels=labels, **{PROBA: s}),
        "mcc": lambda t, p, s: skm.matthews_corrcoef(t, p),
        "ece": lambda t, p, s: ece(t, s),
        "confusion_matrix": lambda t, p, s: float(
            np.trace(skm.confusion_matrix(t, p, labels=labels)) / len(t)),
    }


def naive(truth: np.ndarray, pred: np.ndarray, proba: np.ndarray,
          indices: np.ndarray) -> dict[str, np.ndarray]:
    """Resample the items, call scikit-learn once per metric, repeat."""
    scorers = sklearn_metrics(proba.shape[1])
    values: dict[str, list[float]] = {name: [] for name in METRICS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in indices:
            t, p, s = truth[row], pred[row], proba[row]
            for name in METRICS:
                values[name].append(scorers[name](t, p, s))
    return {name: np.array(v) for name, v in values.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=20, help="resamples the naive loop runs")
    args = parser.parse_args()
    truth, pred, proba = data(args.items, args.classes, seed=0)
    inputs = {"y_pred": pred, "y_score": proba, "labels": list(range(args.classes))}
    print(f"{len(METRICS)} metrics ({', '.join(METRICS)}), {args.items:,} items, "
          f"{args.classes} classes, {args.resamples:,} resamples")

    start = time.perf_counter()
    intervals = bootstrap(METRICS, truth, n=args.resamples, seed=0, **inputs)
    vectorised = time.perf_counter() - start
    print(f"vectorised engine: {vectorised:8.2f} s for {args.resamples:,} resamples")

    indices = resample_indices(args.items, args.resamples, seed=0)[:args.naive]
    start = time.perf_counter()
    looped = naive(truth, pred, proba, indices)
    measured = time.perf_counter() - start
    factor = args.resamples / args.naive
    extrapolated = measured * factor
    print(f"naive loop:        {extrapolated:8.2f} s for {args.resamples:,} resamples "
          f"(measured {measured:.2f} s on {args.naive}, extrapolated x{factor:g})")
    print(f"speed-up:          {extrapolated / vectorised:8.1f}x")

    same = replicates(METRICS, truth, indices=indices, **inputs)
    exact = max(float(np.max(np.abs(same[m] - looped[m]))) for m in METRICS)
    print(f"max |vectorised - naive| per resample, same {args.naive} resamples: {exact:.2e}")
    if args.naive == args.resamples:
        gap = max(max(abs(intervals[m].low - interval(looped[m], 0.95).low),
                      abs(intervals[m].high - interval(looped[m], 0.95).high)) for m in METRICS)
        print(f"max interval difference, vectorised vs naive: {gap:.2e}")
    other = bootstrap(METRICS, truth, n=args.resamples, seed=1, **inputs)
    monte_carlo = max(max(abs(intervals[m].low - other[m].low),
                          abs(intervals[m].high - other[m].high)) for m in METRICS)
    width = min(intervals[m].high - intervals[m].low for m in METRICS)
    print(f"Monte Carlo scale: max interval-end shift between seeds 0 and 1 = "
          f"{monte_carlo:.2e} (narrowest interval width {width:.2e})")


if __name__ == "__main__":
    main()
