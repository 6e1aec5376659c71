"""Probability metrics (ROC AUC, average precision, log loss, ECE, Brier), point and resampled."""

from __future__ import annotations

import functools
import inspect
import itertools
import warnings
from collections.abc import Callable, Hashable

import numpy as np

from evalspec.metrics.inputs import ClassInputs
from evalspec.metrics.kernel import Deferred, Evaluator, Kernel, guarded, own_point, skm
from evalspec.metrics.resample import Resample, divide
from evalspec.metrics.value import MetricValue

preprocessing = Deferred("sklearn.preprocessing")


@functools.cache
def _proba_argument() -> str:
    """scikit-learn 1.9 renamed log_loss's probabilities argument from y_pred to y_proba."""
    return "y_proba" if "y_proba" in inspect.signature(skm.log_loss).parameters else "y_pred"


def _proba(inputs: ClassInputs) -> np.ndarray:
    assert inputs.proba is not None
    return inputs.proba


class ScoreGroups:
    """Items grouped by role (negative, positive, …) and by distinct score in one column.

    `tables(resample)` gives integer counts (rows, roles, distinct scores, highest first) of
    the items of each role every resample drew at each score, and their running sums: the
    sufficient statistic of ROC AUC and average precision with ties, as scikit-learn's
    sample-weighted curves use it. Computed once per block and shared by both metrics.
    """

    def __init__(self, key: Hashable, scores: np.ndarray, roles: np.ndarray, n_roles: int):
        ranks = np.unique(-scores, return_inverse=True)[1].ravel()
        self.n_ranks = int(ranks.max()) + 1 if ranks.size else 0
        self.keys = roles * self.n_ranks + ranks
        self.n_roles = n_roles
        self.key = key

    def tables(self, resample: Resample) -> tuple[np.ndarray, np.ndarray]:
        return resample.shared(self.key, lambda: self._tables(resample))

    def _tables(self, resample: Resample) -> tuple[np.ndarray, np.ndarray]:
        found = resample.counts(self.keys, self.n_roles * self.n_ranks, exact=True)
        counts = found.reshape(resample.rows, self.n_roles, self.n_ranks)
        return counts, np.cumsum(counts, axis=2)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


def auc_from(tables: tuple[np.ndarray, np.ndarray], positive: int = 1,
             negative: int = 0) -> np.ndarray:
    """ROC AUC per row: P(pos > neg) + P(pos = neg) / 2, in integers until the last division.

    With P, N the counts at descending scores and C the running sum of N, the pairs a
    positive wins are N_total − C (strictly lower scores) plus N / 2 (ties), so
    2 · wins = 2 P_total N_total − 2 Σ P·C + Σ P·N.
    """
    counts, running = tables
    pos, neg, below = counts[:, positive], counts[:, negative], running[:, negative]
    pos_total, neg_total = running[:, positive, -1], running[:, negative, -1]
    twice = 2 * pos_total * neg_total - 2 * _dot(pos, below) + _dot(pos, neg)
    return divide(twice, 2 * pos_total * neg_total)


def average_precision_from(tables: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Step-wise area under precision-recall per row (scikit-learn's, not interpolated):
    Σ over scores, highest first, of the positives there times the precision so far."""
    counts, running = tables
    hits, seen = running[:, 1], running[:, 1] + running[:, 0]
    precision = hits / np.maximum(seen, 1)  # seen = 0 only where no positive is counted
    return divide(_dot(counts[:, 1], precision), running[:, 1, -1])


def _one_vs_rest(inputs: ClassInputs, column: int) -> ScoreGroups:
    roles = (inputs.truth == column).astype(np.intp)
    return ScoreGroups(("one_vs_rest", inputs, column), _proba(inputs)[:, column], roles, 2)


def _versus(inputs: ClassInputs, column: int, other: int) -> ScoreGroups:
    """Roles: 1 for `column`'s label, 2 for `other`'s, 0 (left out) for the rest."""
    roles = np.select([inputs.truth == column, inputs.truth == other], [1, 2], 0)
    return ScoreGroups(("versus", inputs, column, other), _proba(inputs)[:, column], roles, 3)


def _columns(inputs: ClassInputs) -> list[int]:
    """Binary: the positive label's column only; multiclass: every column, one vs rest."""
    return [inputs.positive] if len(inputs.labels) == 2 else list(range(len(inputs.labels)))


def _one_vs_rest_resampled(area: Callable[[tuple[np.ndarray, np.ndarray]], np.ndarray],
                           inputs: ClassInputs) -> Evaluator:
    groups = [_one_vs_rest(inputs, column) for column in _columns(inputs)]
    return lambda resample: np.mean([area(g.tables(resample)) for g in groups], axis=0)


def _one_vs_one_resampled(inputs: ClassInputs) -> Evaluator:
    """Hand & Till: mean over label pairs both present in the resample, as scikit-learn."""
    pairs = itertools.combinations(range(len(inputs.labels)), 2)
    groups = [(_versus(inputs, a, b), _versus(inputs, b, a)) for a, b in pairs]

    def evaluate(resample: Resample) -> np.ndarray:
        scores = [(auc_from(x.tables(resample), 1, 2) + auc_from(y.tables(resample), 1, 2)) / 2
                  for x, y in groups]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all pairs absent: NaN, undefined
            return np.nanmean(scores, axis=0)
    return evaluate


def _absent(inputs: ClassInputs) -> str | None:
    """The labels a one-vs-rest score cannot be computed for: none of them in y_true."""
    missing = [repr(inputs.labels[c]) for c in _columns(inputs)
               if not (inputs.truth == c).any()]
    return ", ".join(missing) or None


def _auc_point(inputs: ClassInputs, multi_class: str) -> MetricValue:
    proba, k = _proba(inputs), len(inputs.labels)
    if len(np.unique(inputs.truth)) < 2:
        return MetricValue.not_defined("only one class present in y_true; ROC AUC is undefined")
    if k == 2:
        return guarded(lambda: skm.roc_auc_score(inputs.truth == inputs.positive,
                                                 proba[:, inputs.positive]))
    if multi_class == "ovr" and (missing := _absent(inputs)):
        return MetricValue.not_defined(f"no test item is labelled {missing}; its one-vs-rest "
                                       f"ROC AUC, and so the macro average, is undefined")
    return guarded(lambda: skm.roc_auc_score(inputs.truth, proba, multi_class=multi_class,
                                             labels=list(range(k))))


def _auc_resampled(inputs: ClassInputs, multi_class: str) -> Evaluator:
    if multi_class == "ovo" and len(inputs.labels) > 2:
        return _one_vs_one_resampled(inputs)
    return _one_vs_rest_resampled(auc_from, inputs)


def _average_precision_point(inputs: ClassInputs) -> MetricValue:
    proba, k = _proba(inputs), len(inputs.labels)
    if missing := _absent(inputs):
        return MetricValue.not_defined(f"no test item is labelled {missing}; average precision "
                                       f"is undefined without positives")
    if k == 2:
        return guarded(lambda: skm.average_precision_score(inputs.truth == inputs.positive,
                                                           proba[:, inputs.positive]))
    indicator = preprocessing.label_binarize(inputs.truth, classes=list(range(k)))
    return guarded(lambda: skm.average_precision_score(indicator, proba, average="macro"))


def _average_precision_resampled(inputs: ClassInputs) -> Evaluator:
    return _one_vs_rest_resampled(average_precision_from, inputs)


def _log_loss_point(inputs: ClassInputs) -> MetricValue:
    proba = _proba(inputs)
    labels = list(range(len(inputs.labels)))
    # Rows were checked to sum to 1 within 1e-6; scikit-learn's own check is tighter.
    return guarded(lambda: skm.log_loss(inputs.truth, labels=labels, **{_proba_argument(): proba}),
                   benign=("do not sum to one",))


def item_log_loss(inputs: ClassInputs) -> np.ndarray:
    """Each item's cross-entropy, clipped as scikit-learn clips (machine epsilon)."""
    proba = _proba(inputs)
    eps = np.finfo(proba.dtype).eps
    return -np.log(np.clip(proba[np.arange(inputs.n), inputs.truth], eps, 1 - eps))


def _item_mean(loss: np.ndarray) -> Evaluator:
    """A metric that is the mean over items of a per-item loss, on every resample."""
    return lambda resample: resample.take(loss).mean(axis=1)


def _log_loss_resampled(inputs: ClassInputs) -> Evaluator:
    return _item_mean(item_log_loss(inputs))


def item_brier(inputs: ClassInputs) -> np.ndarray:
    """Each item's squared distance to its one-hot truth over `_columns`: for two labels the
    positive label's column alone (scikit-learn's binary Brier score), else every column."""
    columns = _columns(inputs)
    gap = _proba(inputs)[:, columns] - (inputs.truth[:, None] == np.array(columns))
    return np.square(gap).sum(axis=1)


def _brier_resampled(inputs: ClassInputs) -> Evaluator:
    return _item_mean(item_brier(inputs))


def _brier_point(inputs: ClassInputs) -> MetricValue:
    return own_point(_brier_resampled(inputs), inputs.n, "there are no test items")


def calibration_bins(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bins over [0, 1]: bin b (from 0) holds (b / bins, (b + 1) / bins], each
    edge that division in floating point; a confidence of 0 joins the first."""
    edges = np.arange(bins + 1) / bins
    return np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)


def _ece_resampled(inputs: ClassInputs, bins: int) -> Evaluator:
    """Σ over bins of |correct − summed confidence| / n: the top-class (argmax) confidence."""
    proba = _proba(inputs)
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == inputs.truth).astype(np.intp)
    binned = calibration_bins(confidence, bins)

    def evaluate(resample: Resample) -> np.ndarray:
        hits = resample.counts(binned * 2 + correct, bins * 2)[:, 1::2]
        mass = resample.counts(binned, bins, weights=confidence)
        return np.abs(hits - mass).sum(axis=1) / inputs.n
    return evaluate


def _ece_point(inputs: ClassInputs, bins: int) -> MetricValue:
    return own_point(_ece_resampled(inputs, bins), inputs.n, "there are no test items")


KERNELS = {
    "auc": Kernel(_auc_point, _auc_resampled),
    "average_precision": Kernel(_average_precision_point, _average_precision_resampled),
    "log_loss": Kernel(_log_loss_point, _log_loss_resampled),
    "ece": Kernel(_ece_point, _ece_resampled),
    "brier": Kernel(_brier_point, _brier_resampled),
}
