"""Entity spans read from IOB2 tags as the default entity metrics read them, the choice of
example sentences, and a sentence cut into marked runs."""

from __future__ import annotations

import random

import pytest

from evalspec.metrics.entities import lenient_entities
from evalspec.report.spans import disagreement, entities, most_disputed, runs


@pytest.mark.parametrize(("tags", "found"), [
    (["B-PER", "I-PER", "O", "B-LOC"], (("PER", 0, 1), ("LOC", 3, 3))),
    (["O", "I-LOC", "I-LOC"], (("LOC", 1, 2),)),  # I- after O starts an entity
    (["B-PER", "I-LOC"], (("PER", 0, 0), ("LOC", 1, 1))),  # another type starts one
    (["B-ORG", "B-ORG", "I-ORG"], (("ORG", 0, 0), ("ORG", 1, 2))),
    (["I-PER"], (("PER", 0, 0),)),
    (["O", "O"], ()),
    ([], ()),
    (["B", "I", "O"], (("_", 0, 1),)),  # a bare prefix has type "_"
    (["PER", "B-PER", "S-PER"], (("PER", 1, 1),)),  # not IOB2: outside
])
def test_entities_read_leniently(tags: list[str], found: tuple) -> None:
    assert entities(tags) == found


def test_entities_agree_with_the_default_entity_metric() -> None:
    rng = random.Random(0)
    alphabet = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-<x>", "I-<x>"]
    for _ in range(2000):
        tags = [rng.choice(alphabet) for _ in range(rng.randrange(0, 9))]
        assert set(entities(tags)) == lenient_entities(tags), tags
        assert list(entities(tags)) == sorted(entities(tags), key=lambda e: e[1])


def test_disagreement_counts_errors_against_the_gold_and_between_models() -> None:
    gold = frozenset({("PER", 0, 1)})
    right, wrong_type = frozenset(gold), frozenset({("LOC", 0, 1)})
    assert disagreement(gold, [right, right]) == 0
    assert disagreement(gold, [right, wrong_type]) == 2 + 2  # vs gold: 2; between: 2
    assert disagreement(gold, [frozenset(), frozenset()]) == 2  # both miss it, agree
    assert disagreement(frozenset(), [wrong_type]) == 1


def test_the_most_disputed_sentences_come_first_ties_in_order() -> None:
    per, loc = ("PER", 0, 0), ("LOC", 0, 0)
    g = frozenset
    sentences = [
        (g(), [g(), g()]),  # no entity anywhere: never chosen
        (g({per}), [g({per}), g({per})]),  # all right: 0
        (g({per}), [g({loc}), g({per})]),  # 2 + 2
        (g({per}), [g(), g()]),  # 2
        (g(), [g({loc}), g()]),  # only predicted: 1 + 1
        (g({per}), [g({loc}), g()]),  # 2 + 1 + 1
    ]
    assert most_disputed(sentences, 10) == [2, 5, 3, 4, 1]
    assert most_disputed(sentences, 2) == [2, 5]
    assert most_disputed(sentences[:1], 5) == []


def test_runs_cut_a_sentence_around_its_marks() -> None:
    assert runs(6, {(1, 2): "a", (4, 4): "b"}) == [(0, 0, None), (1, 2, "a"), (3, 3, None),
                                                  (4, 4, "b"), (5, 5, None)]
    assert runs(2, {(0, 1): "x"}) == [(0, 1, "x")]
    assert runs(3, {}) == [(0, 2, None)]
    assert runs(0, {}) == []
