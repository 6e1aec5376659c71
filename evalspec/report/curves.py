"""Curves a report draws, computed from the predictions files: confusion counts, ROC and
precision-recall (binary: the positive class; multiclass: one-vs-rest, macro-averaged on a
common grid) and reliability (calibration) bins. Pure numpy: a report renders without
scikit-learn, whose `roc_curve`, `precision_recall_curve` and `average_precision_score`
these agree with (tests/report/test_curves.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GRID = np.linspace(0.0, 1.0, 201)
BINS = 10


@dataclass(frozen=True)
class Scores:
    """One model's test predictions, pooled over its seeds: true label indices and the
    probability of every label (columns follow the task's labels)."""

    truth: np.ndarray  # (n,) int
    probabilities: np.ndarray  # (n, k) float

    @classmethod
    def pooled(cls, runs: Sequence[tuple[list[str], np.ndarray]], labels: list[str]) -> Scores:
        index = {label: i for i, label in enumerate(labels)}
        truth = np.concatenate([[index[str(t)] for t in truth] for truth, _ in runs])
        probabilities = np.concatenate([p for _, p in runs])
        return cls(truth.astype(int), probabilities.astype(float))

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)


@dataclass(frozen=True)
class Curve:
    x: tuple[float, ...]
    y: tuple[float, ...]
    area: float | None  # AUC for ROC, average precision for PR; None for calibration


def confusion(scores: Scores, size: int) -> list[list[int]]:
    """Counts: rows are true labels, columns predicted labels."""
    matrix = np.zeros((size, size), dtype=int)
    np.add.at(matrix, (scores.truth, scores.predicted), 1)
    return matrix.tolist()


def _present(scores: Scores) -> list[int]:
    """Classes that occur among the true labels."""
    return sorted(set(scores.truth.tolist()))


def roc(scores: Scores, positive: int | None) -> Curve | None:
    if positive is not None:
        return _roc_one(scores.truth == positive, scores.probabilities[:, positive])
    curves = [_roc_one(scores.truth == c, scores.probabilities[:, c]) for c in _present(scores)]
    return _macro(curves)


def _roc_one(truth: np.ndarray, score: np.ndarray) -> Curve | None:
    if truth.all() or not truth.any():
        return None
    fps, tps = _counts(truth, score)
    # Points on a straight run between their neighbours are left out (as scikit-learn's
    # `drop_intermediate` does), so a vertical run interpolates as its two ends.
    kept = np.flatnonzero(np.r_[True, (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0), True])
    fpr, tpr = fps[kept] / fps[-1], tps[kept] / tps[-1]
    return Curve(tuple(GRID.tolist()), tuple(np.interp(GRID, fpr, tpr).tolist()),
                 float(np.trapezoid(tpr, fpr)))


def _counts(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false, true) positives at each distinct score taken as the threshold, highest
    first, after a first point where nothing is positive."""
    order = np.argsort(score, kind="mergesort")[::-1]
    score, hits = score[order], truth[order].astype(float)
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    tps = np.cumsum(hits)[last]
    return np.r_[0.0, last + 1 - tps], np.r_[0.0, tps]


def precision_recall(scores: Scores, positive: int | None) -> Curve | None:
    if positive is not None:
        return _pr_one(scores.truth == positive, scores.probabilities[:, positive])
    curves = [_pr_one(scores.truth == c, scores.probabilities[:, c]) for c in _present(scores)]
    return _macro(curves)


def _pr_one(truth: np.ndarray, score: np.ndarray) -> Curve | None:
    if not truth.any():
        return None
    fps, tps = _counts(truth, score)
    precision = np.r_[1.0, tps[1:] / (tps[1:] + fps[1:])]  # (recall 0, precision 1) first
    recall = tps / tps[-1]
    average = float(np.sum(np.diff(recall) * precision[1:]))
    # Interpolated precision: the best precision at this recall or beyond, on the grid.
    order = np.argsort(recall, kind="mergesort")
    recall, precision = recall[order], np.maximum.accumulate(precision[order][::-1])[::-1]
    on_grid = np.array([precision[recall >= r].max() if (recall >= r).any() else 0.0
                        for r in GRID])
    return Curve(tuple(GRID.tolist()), tuple(on_grid.tolist()), average)


def _macro(curves: Sequence[Curve | None]) -> Curve | None:
    found = [c for c in curves if c is not None]
    if not found:
        return None
    mean = np.mean([c.y for c in found], axis=0)
    areas = [c.area for c in found if c.area is not None]
    return Curve(found[0].x, tuple(mean.tolist()), float(np.mean(areas)) if areas else None)


def reliability(scores: Scores, positive: int | None) -> Curve | None:
    """Binary: predicted probability of the positive class against the observed share of
    positives. Multiclass: top-label confidence against accuracy. Empty bins are left out."""
    if len(scores.truth) == 0:
        return None
    if positive is not None:
        confidence = scores.probabilities[:, positive]
        hit = (scores.truth == positive).astype(float)
    else:
        confidence = scores.probabilities.max(axis=1)
        hit = (scores.predicted == scores.truth).astype(float)
    which = np.minimum((confidence * BINS).astype(int), BINS - 1)
    xs, ys = [], []
    for b in range(BINS):
        inside = which == b
        if inside.any():
            xs.append(float(confidence[inside].mean()))
            ys.append(float(hit[inside].mean()))
    return Curve(tuple(xs), tuple(ys), None)


def prevalence(scores: Scores, positive: int) -> float:
    return float(np.mean(scores.truth == positive))
