"""Word and character error rates: corpus-level edits over reference length."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

from evalspec.metrics.inputs import SequenceInputs
from evalspec.metrics.kernel import Evaluator, Kernel, own_point
from evalspec.metrics.resample import Resample, divide
from evalspec.metrics.value import MetricValue


def edit_distance(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> int:
    """Levenshtein distance (substitutions, deletions, insertions), one numpy row at a time.

    Row i of the table is d[i][j] = min(c[j], d[i][j-1] + 1), where c holds the
    substitution and deletion candidates; that left-to-right recurrence is a running
    minimum: d[i][j] = j + min over k <= j of (c[k] - k).
    """
    if len(reference) > len(hypothesis):  # the distance is symmetric: loop over the shorter
        reference, hypothesis = hypothesis, reference
    vocabulary: dict[Hashable, int] = {}
    ref = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in reference], dtype=np.intp)
    hyp = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in hypothesis], dtype=np.intp)
    columns = np.arange(len(hyp) + 1)
    row = columns.copy()
    for i, token in enumerate(ref, start=1):
        candidates = np.empty_like(row)
        candidates[0] = i
        candidates[1:] = np.minimum(row[1:] + 1, row[:-1] + (hyp != token))
        row = np.minimum.accumulate(candidates - columns) + columns
    return int(row[-1])


UNITS: dict[str, Callable[[str], Sequence[Hashable]]] = {
    "wer": str.split,  # words: whitespace-separated
    "cer": list,  # characters, spaces included, as given
}
WHY = {
    "wer": "the references hold no words; WER is undefined",
    "cer": "the references hold no characters; CER is undefined",
}


def edit_counts(inputs: SequenceInputs, metric: str) -> np.ndarray:
    """(n, 2) per utterance: edits and reference length, in the metric's units."""
    unit = UNITS[metric]
    rows = []
    for reference, hypothesis in zip(inputs.truth, inputs.pred, strict=True):
        if not (isinstance(reference, str) and isinstance(hypothesis, str)):
            raise ValueError("wer and cer read one transcript string per test item")
        ref, hyp = unit(reference), unit(hypothesis)
        rows.append((edit_distance(ref, hyp), len(ref)))
    return np.array(rows, dtype=float).reshape(-1, 2)


def _evaluator(counts: np.ndarray) -> Evaluator:
    def evaluate(resample: Resample) -> np.ndarray:
        edits, length = resample.take(counts).sum(axis=1).T
        return divide(edits, length)
    return evaluate


def _resampled(metric: str) -> Callable[..., Evaluator]:
    def resampled(inputs: SequenceInputs) -> Evaluator:
        return _evaluator(edit_counts(inputs, metric))
    return resampled


def _point(metric: str) -> Callable[..., MetricValue]:
    def point(inputs: SequenceInputs) -> MetricValue:
        counts = edit_counts(inputs, metric)
        edits, length = counts.sum(axis=0).astype(int).tolist()
        detail = {"edits": edits, "reference_length": length}
        return own_point(_evaluator(counts), inputs.n, WHY[metric], detail)
    return point


KERNELS = {name: Kernel(_point(name), _resampled(name)) for name in UNITS}
