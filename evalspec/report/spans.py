"""How far predicted entities stray from the gold and from each other, and a sentence cut
into plain and marked runs of words (entities are read by `metrics.entities`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TypeVar

from evalspec.metrics.entities import Entity

T = TypeVar("T")


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
