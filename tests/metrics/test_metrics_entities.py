"""Entity metrics against values computed by seqeval 1.2.2 (hard-coded; seqeval is not a
dependency), and against seqeval itself when it happens to be installed."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalspec.metrics import compute
from evalspec.metrics.entities import lenient_entities, strict_entities

# (y_true, y_pred, {mode: (precision, recall, f1)}) as seqeval 1.2.2 reports them
CASES = [
    ([["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
     [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
     {"default": (0.5, 0.5, 0.5), "strict": (0.5, 0.5, 0.5)}),
    ([["B-PER", "I-PER", "O", "B-LOC"]], [["I-PER", "I-PER", "O", "B-LOC"]],
     {"default": (1.0, 1.0, 1.0), "strict": (1.0, 0.5, 2 / 3)}),
    ([["B-PER", "I-PER", "O", "B-LOC", "I-LOC"]], [["B-PER", "I-LOC", "O", "I-LOC", "I-LOC"]],
     {"default": (1 / 3, 0.5, 0.4), "strict": (0.0, 0.0, 0.0)}),
    ([["B-ORG", "O"], ["B-PER", "I-PER", "I-PER"]], [["B-ORG", "O"], ["B-PER", "I-PER", "B-PER"]],
     {"default": (1 / 3, 0.5, 0.4), "strict": (1 / 3, 0.5, 0.4)}),
    ([["O", "B-A", "I-A", "O", "B-B"], ["I-A", "I-A", "O"]],
     [["O", "I-A", "I-A", "O", "B-B"], ["B-A", "I-A", "O"]],
     {"default": (1.0, 1.0, 1.0), "strict": (0.5, 0.5, 0.5)}),
]
METRICS = ("entity_precision", "entity_recall", "entity_f1")


@pytest.mark.parametrize(("y_true", "y_pred", "expected"), CASES)
def test_matches_seqeval(y_true: list, y_pred: list, expected: dict) -> None:
    for mode, values in expected.items():
        got = [compute(name, y_true, y_pred=y_pred, mode=mode).value for name in METRICS]
        assert got == pytest.approx(values, abs=1e-12), mode


@pytest.mark.parametrize(("tags", "entities"), [
    (["I-PER", "I-PER", "O", "B-LOC"], {("PER", 0, 1), ("LOC", 3, 3)}),
    (["B-PER", "I-LOC", "I-LOC"], {("PER", 0, 0), ("LOC", 1, 2)}),
    (["S-PER", "E-PER", "B-X", "E-X", "I-Y"],
     {("PER", 0, 0), ("PER", 1, 1), ("X", 2, 3), ("Y", 4, 4)}),
    (["B", "I", "O", "I"], {("_", 0, 1), ("_", 3, 3)}),
])
def test_lenient_chunking_as_seqeval_get_entities(tags: list, entities: set) -> None:
    assert lenient_entities(tags) == entities


def test_strict_mode_drops_stray_inside_tags() -> None:
    assert strict_entities(["I-PER", "B-PER", "I-PER", "I-LOC", "B-LOC"]) == {
        ("PER", 1, 2), ("LOC", 4, 4)}


def test_unreadable_tags_and_lengths_are_errors() -> None:
    with pytest.raises(ValueError, match="not a tag this mode reads"):
        compute("entity_f1", [["E-PER"]], y_pred=[["O"]], mode="strict")
    with pytest.raises(ValueError, match="not a tag"):
        compute("entity_f1", [["PER"]], y_pred=[["O"]])
    with pytest.raises(ValueError, match="sentence 0 has 2 true tags but 1"):
        compute("entity_f1", [["O", "O"]], y_pred=[["O"]])


def test_detail_holds_the_counts() -> None:
    y_true, y_pred, _ = CASES[0]
    got = compute("entity_recall", y_true, y_pred=y_pred)
    assert got.detail == {"correct": 1, "predicted": 2, "true": 2}


sentences = st.lists(st.lists(st.sampled_from(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]),
                              max_size=8), min_size=1, max_size=4)


@settings(max_examples=100, deadline=None)
@given(sentences, st.data())
def test_against_seqeval_when_installed(y_true: list, data: st.DataObject) -> None:
    seqeval = pytest.importorskip("seqeval.metrics")
    scheme = pytest.importorskip("seqeval.scheme")
    y_pred = [data.draw(st.lists(st.sampled_from(["O", "B-PER", "I-PER", "I-LOC"]),
                                 min_size=len(s), max_size=len(s))) for s in y_true]
    for mode, options in (("default", {}), ("strict", {"mode": "strict", "scheme": scheme.IOB2})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = seqeval.f1_score(y_true, y_pred, **options)
        got = compute("entity_f1", y_true, y_pred=y_pred, mode=mode)
        assert (got.value if got.value is not None else 0.0) == pytest.approx(expected)
