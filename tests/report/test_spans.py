"""The choice of example sentences, and a sentence cut into marked runs."""

from __future__ import annotations

from evalspec.report.spans import disagreement, most_disputed, runs


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
