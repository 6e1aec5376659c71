"""Ground truth and predictions, checked and turned into arrays once, before any metric runs."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PROBABILITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Predictions:
    """One candidate's predictions on the test items.

    `y_pred` holds hard predictions (labels, values, tag lists or transcripts, as the task
    predicts); `y_score` holds class probabilities, one column per label. Either may be None
    when no metric needs it.
    """

    y_pred: Any = None
    y_score: Any = None


@dataclass(frozen=True, eq=False)
class ClassInputs:
    """Classification: labels as positions into `labels`; probabilities as an (n, k) matrix."""

    truth: np.ndarray
    pred: np.ndarray | None
    proba: np.ndarray | None
    labels: tuple[Hashable, ...]
    positive: int

    @property
    def n(self) -> int:
        return len(self.truth)

    def take(self, idx: np.ndarray) -> ClassInputs:
        return ClassInputs(self.truth[idx], _take(self.pred, idx), _take(self.proba, idx),
                           self.labels, self.positive)


@dataclass(frozen=True, eq=False)
class ValueInputs:
    """Regression: true and predicted values as float arrays."""

    truth: np.ndarray
    pred: np.ndarray

    @property
    def n(self) -> int:
        return len(self.truth)

    def take(self, idx: np.ndarray) -> ValueInputs:
        return ValueInputs(self.truth[idx], self.pred[idx])


@dataclass(frozen=True, eq=False)
class SequenceInputs:
    """Token tags (one list per sentence) or transcripts (one string per utterance)."""

    truth: tuple[Any, ...]
    pred: tuple[Any, ...]

    @property
    def n(self) -> int:
        return len(self.truth)

    def take(self, idx: np.ndarray) -> SequenceInputs:
        return SequenceInputs(tuple(self.truth[i] for i in idx), tuple(self.pred[i] for i in idx))


Inputs = ClassInputs | ValueInputs | SequenceInputs


def _take(array: np.ndarray | None, idx: np.ndarray) -> np.ndarray | None:
    return None if array is None else array[idx]


def label_set(labels: Sequence[Hashable] | None, *columns: Any) -> tuple[Hashable, ...]:
    """The ordered label list: as given, else the sorted labels seen in the columns."""
    if labels is not None:
        found = tuple(labels.tolist() if isinstance(labels, np.ndarray) else labels)
        if len(set(found)) != len(found):
            raise ValueError(f"labels must be distinct, got {list(found)}")
        return found
    seen: set[Hashable] = set()
    for column in columns:
        if column is not None:
            seen.update(np.asarray(column).tolist())
    try:
        return tuple(sorted(seen))  # type: ignore[type-var]
    except TypeError:
        raise ValueError("labels mix types that do not sort; pass labels= explicitly") from None


def encode(values: Any, labels: tuple[Hashable, ...], name: str) -> np.ndarray:
    """Positions into `labels`; integers count as positions when the labels are strings."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype.kind in "iu" and all(isinstance(label, str) for label in labels):
        if array.size and (array.min() < 0 or array.max() >= len(labels)):
            raise ValueError(f"{name} holds positions outside 0..{len(labels) - 1}")
        return array.astype(np.intp)
    uniques, inverse = np.unique(array, return_inverse=True)
    index = {label: i for i, label in enumerate(labels)}
    unknown = [u for u in uniques.tolist() if u not in index]
    if unknown:
        raise ValueError(f"{name} holds {unknown[:5]}, not in labels {list(labels)}")
    return np.array([index[u] for u in uniques.tolist()], dtype=np.intp)[inverse.ravel()]


def probabilities(y_score: Any, k: int, positive: int) -> np.ndarray:
    """An (n, k) probability matrix; a 1-D binary score is the positive label's probability."""
    scores = np.asarray(y_score, dtype=float)
    if scores.ndim == 1 and k == 2:
        scores = np.column_stack([1 - scores, scores] if positive == 1 else [scores, 1 - scores])
    if scores.ndim != 2 or scores.shape[1] != k:
        raise ValueError(f"y_score must be an (n, {k}) matrix, one column per label in label "
                         f"order (or, for two labels, the positive label's probability); "
                         f"got shape {scores.shape}; pass `labels` to name the columns")
    if not np.isfinite(scores).all() or scores.min(initial=0) < 0 or scores.max(initial=0) > 1:
        raise ValueError("y_score must hold probabilities in [0, 1]; apply softmax to logits")
    off = np.abs(scores.sum(axis=1) - 1)
    if off.size and off.max() > PROBABILITY_TOLERANCE:
        row = int(off.argmax())
        raise ValueError(f"y_score rows must sum to 1 (within {PROBABILITY_TOLERANCE}); row {row} "
                         f"sums to {scores[row].sum()!r}: pass probabilities, not logits")
    return scores


def classes(y_true: Any, y_pred: Any, y_score: Any, labels: Sequence[Hashable] | None,
            positive: Hashable | None) -> ClassInputs:
    """Classification inputs; `positive` (default the last label) is the binary positive label."""
    found = label_set(labels, y_true, y_pred)
    if len(found) < 2:
        raise ValueError(f"classification needs at least two labels, got {list(found)}")
    pos = len(found) - 1 if positive is None else int(encode([positive], found, "positive")[0])
    truth = encode(y_true, found, "y_true")
    pred = None if y_pred is None else encode(y_pred, found, "y_pred")
    proba = None if y_score is None else probabilities(y_score, len(found), pos)
    _same_length(truth, pred, proba)
    return ClassInputs(truth, pred, proba, found, pos)


def values(y_true: Any, y_pred: Any, y_score: Any, labels: Any, positive: Any) -> ValueInputs:
    """Regression inputs: finite float arrays of equal length (`labels`/`positive` unused)."""
    _no_scores(y_score, "regression metrics")
    truth, pred = (np.asarray(v, dtype=float) for v in (y_true, _required(y_pred, "values")))
    if truth.ndim != 1 or truth.shape != pred.shape:
        raise ValueError(f"y_true and y_pred must be 1-D and equally long, got shapes "
                         f"{truth.shape} and {pred.shape}")
    if not (np.isfinite(truth).all() and np.isfinite(pred).all()):
        raise ValueError("y_true and y_pred must be finite numbers")
    return ValueInputs(truth, pred)


def sequences(y_true: Any, y_pred: Any, y_score: Any, labels: Any,
              positive: Any) -> SequenceInputs:
    """Tag lists or transcripts, one per test item (`labels`/`positive` unused)."""
    _no_scores(y_score, "sequence metrics")
    truth, pred = tuple(y_true), tuple(_required(y_pred, "tag lists or transcripts"))
    if len(truth) != len(pred):
        raise ValueError(f"y_true has {len(truth)} items but y_pred has {len(pred)}")
    return SequenceInputs(truth, pred)


def _required(y_pred: Any, what: str) -> Any:
    if y_pred is None:
        raise ValueError(f"y_pred is required: the predicted {what}")
    return y_pred


def _no_scores(y_score: Any, what: str) -> None:
    if y_score is not None:
        raise ValueError(f"{what} read y_pred; y_score is for class probabilities")


def _same_length(*arrays: np.ndarray | None) -> None:
    lengths = {len(a) for a in arrays if a is not None}
    if len(lengths) > 1:
        raise ValueError(f"y_true, y_pred and y_score must be equally long, got {sorted(lengths)}")
