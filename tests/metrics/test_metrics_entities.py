"""Entity metrics and token accuracy on fixed cases, with values seqeval 1.2.2 reports
(hard-coded here; `test_metrics_seqeval_parity.py` runs seqeval itself on random tags)."""

from __future__ import annotations

import json

import pytest

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


def test_detail_holds_the_counts_and_a_row_per_type() -> None:
    y_true, y_pred, _ = CASES[0]
    got = compute("entity_recall", y_true, y_pred=y_pred)
    assert got.detail == {"correct": 1, "predicted": 2, "true": 2, "per_type": {
        "MISC": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1},
        "PER": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}}}


def test_a_type_only_predicted_has_no_recall_and_is_json_ready() -> None:
    got = compute("entity_f1", [["B-PER", "O"]], y_pred=[["B-PER", "B-LOC"]])
    assert got.detail is not None
    assert got.detail["per_type"]["LOC"] == {"precision": 0.0, "recall": None, "f1": 0.0,
                                             "support": 0}
    assert json.loads(json.dumps(got.detail, allow_nan=False)) == got.detail


# (y_true, y_pred, macro (precision, recall, f1)); None: undefined (seqeval reports 0)
MACRO = [
    ([["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]],
     [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]],
     (None, 2 / 3, (0 + 2 / 3 + 1) / 3)),  # LOC is never predicted
    ([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "B-LOC"]], (1.0, 1.0, 1.0)),
    ([["B-PER", "O", "O"]], [["B-PER", "O", "B-LOC"]], (0.5, None, 0.5)),  # LOC only predicted
    ([["B-A", "O", "B-B", "B-B"]], [["B-A", "O", "B-B", "O"]], (1.0, 0.75, (1 + 2 / 3) / 2)),
]


@pytest.mark.parametrize(("y_true", "y_pred", "expected"), MACRO)
def test_macro_is_the_mean_over_types(y_true: list, y_pred: list, expected: tuple) -> None:
    for name, value in zip(METRICS, expected, strict=True):
        got = compute(name, y_true, y_pred=y_pred, average="macro")
        if value is None:
            assert got.value is None and "macro" in (got.undefined or ""), name
        else:
            assert got.value == pytest.approx(value, abs=1e-12), name


def test_macro_undefined_names_the_types() -> None:
    y_true, y_pred, _ = MACRO[0]
    got = compute("entity_precision", y_true, y_pred=y_pred, average="macro")
    assert got.undefined == ("no entity of type 'LOC' is predicted; macro entity precision is "
                             "undefined")
    got = compute("entity_recall", [["O", "O"]], y_pred=[["B-X", "B-Y"]], average="macro")
    assert got.undefined == "y_true holds no entity of type 'X', 'Y'; macro entity recall is " \
                            "undefined"
    got = compute("entity_f1", [["O"]], y_pred=[["O"]], average="macro")
    assert got.undefined == ("neither y_true nor y_pred holds an entity; macro entity F1 is "
                             "undefined")


def test_macro_and_micro_agree_with_one_type() -> None:
    y_true, y_pred = [["B-PER", "I-PER", "O", "B-PER"]], [["B-PER", "O", "O", "B-PER"]]
    for name in METRICS:
        micro = compute(name, y_true, y_pred=y_pred, average="micro")
        assert compute(name, y_true, y_pred=y_pred, average="macro") == micro


def test_unknown_average_is_an_error() -> None:
    with pytest.raises(ValueError, match="choose one of micro, macro"):
        compute("entity_f1", [["O"]], y_pred=[["O"]], average="weighted")


def test_token_accuracy_pools_tokens_over_sentences() -> None:
    y_true, y_pred, _ = CASES[0]  # seqeval's accuracy_score example: 0.8
    got = compute("token_accuracy", y_true, y_pred=y_pred)
    assert got.value == pytest.approx(0.8)
    assert got.detail == {"correct": 8, "total": 10}
    long_wrong = compute("token_accuracy", [["O"], ["O"] * 9], y_pred=[["O"], ["B-X"] * 9])
    assert long_wrong.value == pytest.approx(0.1)  # pooled, not the mean of 1.0 and 0.0


def test_token_accuracy_compares_tags_as_they_are() -> None:
    got = compute("token_accuracy", [["B-PER", "I-PER"]], y_pred=[["I-PER", "I-PER"]])
    assert got.value == 0.5  # the same entity in lenient mode, yet a different tag
    assert compute("token_accuracy", [["E-X", "whatever"]], y_pred=[["E-X", "O"]]).value == 0.5


def test_token_accuracy_without_tokens_or_with_ragged_sentences() -> None:
    got = compute("token_accuracy", [[], []], y_pred=[[], []])
    assert got.value is None
    assert got.undefined == "the test sentences hold no tokens; token accuracy is undefined"
    with pytest.raises(ValueError, match="sentence 1 has 1 true tags but 2"):
        compute("token_accuracy", [["O"], ["O"]], y_pred=[["O"], ["O", "O"]])
