"""Metrics over IOB tag sequences: entity precision, recall and F1 as seqeval computes them
(micro or macro over entity types), and token accuracy."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from evalspec.metrics.inputs import SequenceInputs
from evalspec.metrics.kernel import Evaluator, Kernel, own_point
from evalspec.metrics.resample import Resample, divide
from evalspec.metrics.value import MetricValue

Entity = tuple[str, int, int]  # type, first token, last token

# seqeval's default (lenient) chunking rules, on (previous prefix, prefix) pairs.
_ENDS = {("B", "B"), ("B", "S"), ("B", "O"), ("I", "B"), ("I", "S"), ("I", "O")}
_STARTS = {("E", "E"), ("E", "I"), ("S", "E"), ("S", "I"), ("O", "E"), ("O", "I")}


def split_tag(tag: str, prefixes: str) -> tuple[str, str]:
    """("B-PER") -> ("B", "PER"); a bare prefix has type "_"; "O" is outside any entity."""
    if tag == "O":
        return "O", "_"
    if not isinstance(tag, str) or tag[:1] not in prefixes or tag[1:2] not in ("", "-"):
        allowed = ", ".join(f"{p}-TYPE" for p in prefixes)
        raise ValueError(f"{tag!r} is not a tag this mode reads: use O, {allowed}")
    return tag[0], tag[2:] or "_"


def _ends(previous: str, prefix: str, previous_type: str, kind: str) -> bool:
    return (previous in ("E", "S") or (previous, prefix) in _ENDS
            or (previous != "O" and previous_type != kind))


def _starts(previous: str, prefix: str, previous_type: str, kind: str) -> bool:
    return (prefix in ("B", "S") or (previous, prefix) in _STARTS
            or (prefix != "O" and previous_type != kind))


def lenient_entities(tags: Sequence[str]) -> set[Entity]:
    """seqeval's default mode: I- after O starts an entity; IOBES prefixes are understood."""
    found: set[Entity] = set()
    previous, previous_type, begin = "O", "_", 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, kind = split_tag(tag, "BIES")
        if _ends(previous, prefix, previous_type, kind):
            found.add((previous_type, begin, i - 1))
        if _starts(previous, prefix, previous_type, kind):
            begin = i
        previous, previous_type = prefix, kind
    return found


def strict_entities(tags: Sequence[str]) -> set[Entity]:
    """seqeval's strict IOB2 mode: an entity is B-X then I-X…; a stray I- is no entity."""
    split = [split_tag(tag, "BI") for tag in tags] + [("O", "_")]
    found: set[Entity] = set()
    for begin, (prefix, kind) in enumerate(split[:-1]):
        if prefix == "B":
            end = begin + 1
            while split[end] == ("I", kind):
                end += 1
            found.add((kind, begin, end - 1))
    return found


MODES: dict[str, Callable[[Sequence[str]], set[Entity]]] = {
    "default": lenient_entities,
    "strict": strict_entities,
}


def _sentences(inputs: SequenceInputs) -> Iterator[tuple[list[str], list[str]]]:
    """Each sentence's (true, predicted) tags; a sentence whose lengths differ is an error."""
    for i, (truth, pred) in enumerate(zip(inputs.truth, inputs.pred, strict=True)):
        if len(truth) != len(pred):
            raise ValueError(f"sentence {i} has {len(truth)} true tags but {len(pred)} predicted")
        yield list(truth), list(pred)


@dataclass(frozen=True, eq=False)
class EntityCounts:
    """Per sentence and entity type: correct, predicted and true entities, shape (n, types, 3).

    `types` is every type found in the truth or the predictions, sorted, as seqeval lists
    them; a resample's own type set is the types with an entity among its sentences.
    """

    types: tuple[str, ...]
    counts: np.ndarray

    @classmethod
    def of(cls, inputs: SequenceInputs, mode: str) -> EntityCounts:
        rows: list[dict[str, list[int]]] = []
        for truth, pred in _sentences(inputs):
            true, predicted = MODES[mode](truth), MODES[mode](pred)
            row: dict[str, list[int]] = {}
            for column, found in enumerate((true & predicted, predicted, true)):
                for kind, _, _ in found:
                    row.setdefault(kind, [0, 0, 0])[column] += 1
            rows.append(row)
        types = tuple(sorted({kind for row in rows for kind in row}))
        counts = np.zeros((len(rows), len(types), 3))
        for i, row in enumerate(rows):
            for j, kind in enumerate(types):
                counts[i, j] = row.get(kind, (0, 0, 0))
        return cls(types, counts)


def drawn_totals(resample: Resample, counts: np.ndarray) -> np.ndarray:
    """Per-sentence counts (n, ...) summed over each resample's sentences: (rows, ...).

    How often each sentence is drawn, times its counts: exact in float64 for counts this size.
    """
    n = counts.shape[0]
    draws = resample.shared(("sentence draws", n), lambda: resample.counts(np.arange(n), n))
    return (draws @ counts.reshape(n, -1)).reshape(resample.rows, *counts.shape[1:])


RATIOS = {  # metric: per-type numerator, denominator from (correct, predicted, true)
    "entity_precision": lambda c, p, t: (c, p),
    "entity_recall": lambda c, p, t: (c, t),
    "entity_f1": lambda c, p, t: (2 * c, p + t),
}


def _average(metric: str, average: str, totals: np.ndarray) -> np.ndarray:
    """(rows, types, 3) summed counts -> one value per row; NaN where undefined.

    `micro` divides the counts summed over types; `macro` is the mean over the types with
    an entity in that row (truth or predictions) of each type's ratio, NaN if any is.
    """
    correct, predicted, true = np.moveaxis(totals, -1, 0)
    numerator, denominator = RATIOS[metric](correct, predicted, true)
    if average == "micro":
        return divide(numerator.sum(-1), denominator.sum(-1))
    present = (predicted + true) > 0
    scores = np.where(present, divide(numerator, denominator), 0.0)
    return divide(scores.sum(-1), present.sum(-1))


NAMES = {"entity_precision": "entity precision", "entity_recall": "entity recall",
         "entity_f1": "entity F1"}
WHY = {
    "entity_precision": "no entity is predicted",
    "entity_recall": "y_true holds no entity",
    "entity_f1": "neither y_true nor y_pred holds an entity",
}
MACRO_WHY = {  # metric: the count column that must not be 0 for any type, and why
    "entity_precision": (1, "no entity of type {types} is predicted"),
    "entity_recall": (2, "y_true holds no entity of type {types}"),
}


def _why(metric: str, average: str, found: EntityCounts, totals: np.ndarray) -> str:
    """The reason the metric is undefined, should it be: name the types at fault."""
    if average == "micro":
        return f"{WHY[metric]}; {NAMES[metric]} is undefined"
    if not found.types or metric not in MACRO_WHY:
        return f"{WHY['entity_f1']}; macro {NAMES[metric]} is undefined"
    column, why = MACRO_WHY[metric]
    missing = [kind for kind, row in zip(found.types, totals, strict=True) if row[column] == 0]
    types = ", ".join(repr(kind) for kind in missing)
    return f"{why.format(types=types)}; macro {NAMES[metric]} is undefined"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def per_type(found: EntityCounts, totals: np.ndarray) -> dict[str, dict[str, float | int | None]]:
    """Each type's precision, recall, F1 (None where undefined) and support (true entities)."""
    table: dict[str, dict[str, float | int | None]] = {}
    for kind, (correct, predicted, true) in zip(found.types, totals.astype(int).tolist(),
                                                strict=True):
        table[kind] = {"precision": _ratio(correct, predicted), "recall": _ratio(correct, true),
                       "f1": _ratio(2 * correct, predicted + true), "support": true}
    return table


def _evaluator(metric: str, average: str, found: EntityCounts) -> Evaluator:
    return lambda resample: _average(metric, average, drawn_totals(resample, found.counts))


def _resampled(metric: str) -> Callable[..., Evaluator]:
    def resampled(inputs: SequenceInputs, mode: str, average: str) -> Evaluator:
        return _evaluator(metric, average, EntityCounts.of(inputs, mode))
    return resampled


def _point(metric: str) -> Callable[..., MetricValue]:
    def point(inputs: SequenceInputs, mode: str, average: str) -> MetricValue:
        found = EntityCounts.of(inputs, mode)
        totals = found.counts.sum(axis=0)
        correct, predicted, true = totals.sum(axis=0).astype(int).tolist()
        detail = {"correct": correct, "predicted": predicted, "true": true,
                  "per_type": per_type(found, totals)}
        return own_point(_evaluator(metric, average, found), inputs.n,
                         _why(metric, average, found, totals), detail)
    return point


# --------------------------------------------------------------------------- token accuracy
def token_counts(inputs: SequenceInputs) -> np.ndarray:
    """(n, 2) per sentence: tokens whose predicted tag is the true one, and tokens."""
    rows = [(sum(t == p for t, p in zip(truth, pred, strict=True)), len(truth))
            for truth, pred in _sentences(inputs)]
    return np.array(rows, dtype=float).reshape(-1, 2)


def _token_evaluator(counts: np.ndarray) -> Evaluator:
    def evaluate(resample: Resample) -> np.ndarray:
        totals = drawn_totals(resample, counts)
        return divide(totals[:, 0], totals[:, 1])
    return evaluate


def _token_point(inputs: SequenceInputs) -> MetricValue:
    counts = token_counts(inputs)
    correct, total = counts.sum(axis=0).astype(int).tolist()
    return own_point(_token_evaluator(counts), inputs.n,
                     "the test sentences hold no tokens; token accuracy is undefined",
                     {"correct": correct, "total": total})


KERNELS = {
    **{name: Kernel(_point(name), _resampled(name)) for name in RATIOS},
    "token_accuracy": Kernel(_token_point, lambda inputs: _token_evaluator(token_counts(inputs))),
}
