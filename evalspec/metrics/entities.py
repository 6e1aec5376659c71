"""Entity-level precision, recall and F1 over IOB tag sequences, as seqeval computes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def entity_counts(inputs: SequenceInputs, mode: str) -> np.ndarray:
    """(n, 3) per sentence: correct, predicted and true entities."""
    rows = []
    for i, (truth, pred) in enumerate(zip(inputs.truth, inputs.pred, strict=True)):
        if len(truth) != len(pred):
            raise ValueError(f"sentence {i} has {len(truth)} true tags but {len(pred)} predicted")
        true, predicted = MODES[mode](list(truth)), MODES[mode](list(pred))
        rows.append((len(true & predicted), len(predicted), len(true)))
    return np.array(rows, dtype=float).reshape(-1, 3)


RATIOS = {  # metric: numerator, denominator from summed (correct, predicted, true)
    "entity_precision": lambda c, p, t: (c, p),
    "entity_recall": lambda c, p, t: (c, t),
    "entity_f1": lambda c, p, t: (2 * c, p + t),
}
WHY = {
    "entity_precision": "no entity is predicted; entity precision is undefined",
    "entity_recall": "y_true holds no entity; entity recall is undefined",
    "entity_f1": "neither y_true nor y_pred holds an entity; entity F1 is undefined",
}


def _evaluator(metric: str, counts: np.ndarray) -> Evaluator:
    def evaluate(resample: Resample) -> np.ndarray:
        totals = resample.take(counts).sum(axis=1)
        return divide(*RATIOS[metric](*totals.T))
    return evaluate


def _resampled(metric: str) -> Callable[..., Evaluator]:
    def resampled(inputs: SequenceInputs, mode: str) -> Evaluator:
        return _evaluator(metric, entity_counts(inputs, mode))
    return resampled


def _point(metric: str) -> Callable[..., MetricValue]:
    def point(inputs: SequenceInputs, mode: str) -> MetricValue:
        counts = entity_counts(inputs, mode)
        correct, predicted, true = counts.sum(axis=0).astype(int).tolist()
        detail = {"correct": correct, "predicted": predicted, "true": true}
        return own_point(_evaluator(metric, counts), inputs.n, WHY[metric], detail)
    return point


KERNELS = {name: Kernel(_point(name), _resampled(name)) for name in RATIOS}
