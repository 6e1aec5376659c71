"""Entity spans of a tagged sentence, how far predictions stray from the gold and from each
other, and a sentence cut into plain and marked runs of words. Pure functions on tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TypeVar

Entity = tuple[str, int, int]  # type, first word, last word
T = TypeVar("T")


def _split(tag: str) -> tuple[str, str]:
    """("B-PER") -> ("B", "PER"); a bare "B" or "I" has type "_"; anything else is outside."""
    if tag in ("B", "I"):
        return tag, "_"
    if tag[:2] in ("B-", "I-"):
        return tag[0], tag[2:] or "_"
    return "O", ""


def entities(tags: Sequence[str]) -> tuple[Entity, ...]:
    """The entities of one sentence's IOB2 tags, in order, read leniently as the entity
    metrics' default mode reads them: `B-X` starts an entity, `I-X` continues an entity of
    type X and starts one after `O` or another type; any other tag is outside."""
    found: list[Entity] = []
    kind, begin = "", 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, next_kind = _split(str(tag))
        if kind and (prefix != "I" or next_kind != kind):
            found.append((kind, begin, i - 1))
            kind = ""
        if prefix != "O" and not kind:
            kind, begin = next_kind, i
    return tuple(found)


def disagreement(gold: frozenset[Entity], predicted: Sequence[frozenset[Entity]]) -> int:
    """How far predictions stray: the entities each one gets wrong or misses against the
    gold, plus the entities each pair of predictions does not share."""
    wrong = sum(len(p ^ gold) for p in predicted)
    apart = sum(len(a ^ b) for a, b in combinations(predicted, 2))
    return wrong + apart


def most_disputed(sentences: Sequence[tuple[frozenset[Entity], Sequence[frozenset[Entity]]]],
                  count: int) -> list[int]:
    """Indices of up to `count` sentences, given as (gold, predictions): those whose
    predictions stray most first, ties in sentence order; a sentence with no entity in the
    gold or any prediction is never chosen."""
    candidates = [i for i, (gold, predicted) in enumerate(sentences)
                  if gold or any(predicted)]
    ranked = sorted(candidates, key=lambda i: (-disagreement(*sentences[i]), i))
    return ranked[:count]


def runs(length: int, marked: Mapping[tuple[int, int], T]) -> list[tuple[int, int, T | None]]:
    """Words 0 … length − 1 cut into (first, last, mark) runs: each marked (first, last)
    span whole with its mark, the words between them as runs marked None. Marked spans
    must not overlap."""
    found: list[tuple[int, int, T | None]] = []
    at = 0
    for (first, last), mark in sorted(marked.items()):
        if first > at:
            found.append((at, first - 1, None))
        found.append((first, last, mark))
        at = last + 1
    if at < length:
        found.append((at, length - 1, None))
    return found
