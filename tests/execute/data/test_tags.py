"""IOB tags read as IOB2: parity with seqeval's default mode, and the tag sets of `labels`."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from evalspec.execute.data.tags import declared_tags, inferred_tags, is_tag, tag_set, to_iob2

TYPES = ["PER", "LOC"]
ANY_SCHEME = st.lists(st.sampled_from(["O", *(f"{p}-{t}" for p in "BIES" for t in TYPES)]),
                      max_size=12)


def strict_iob2(tags: list[str]) -> list[tuple[str, int, int]]:
    """Entities of IOB2 tags read strictly: a `B-X` and every `I-X` right after it. Any
    other `I-` is a malformed sequence, which `to_iob2` must never give."""
    entities: list[tuple[str, int, int]] = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            entities.append((tag[2:], i, i))
        elif tag.startswith("I-"):
            kind, start, end = entities[-1]
            assert kind == tag[2:] and end == i - 1, f"stray {tag} at {i} in {tags}"
            entities[-1] = (kind, start, i)
        else:
            assert tag == "O", tag
    return entities


def seqeval_entities(tags: list[str]) -> list[tuple[str, int, int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [tuple(e) for e in get_entities(list(tags))]  # type: ignore[misc]


@settings(max_examples=500, deadline=None)
@given(ANY_SCHEME)
def test_iob2_entities_are_seqeval_default_entities(tags: list[str]) -> None:
    iob2, changed = to_iob2(tags)
    assert strict_iob2(iob2) == seqeval_entities(tags)
    assert changed == sum(a != b for a, b in zip(tags, iob2, strict=True))
    assert to_iob2(iob2) == (iob2, 0)


@settings(max_examples=200, deadline=None)
@given(ANY_SCHEME)
def test_bilou_reads_as_bioes(tags: list[str]) -> None:
    bilou = [t.replace("E-", "L-").replace("S-", "U-") for t in tags]
    assert to_iob2(bilou)[0] == to_iob2(tags)[0]


@pytest.mark.parametrize(("tags", "iob2", "changed"), [
    (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "I-PER", "O", "B-LOC"], 0),  # IOB2 as is
    (["I-PER", "I-PER", "B-PER", "O"], ["B-PER", "I-PER", "B-PER", "O"], 1),  # IOB1
    (["S-PER", "B-LOC", "E-LOC", "O"], ["B-PER", "B-LOC", "I-LOC", "O"], 2),  # BIOES
    (["U-PER", "B-LOC", "I-LOC", "L-LOC"], ["B-PER", "B-LOC", "I-LOC", "I-LOC"], 2),  # BILOU
    (["O", "I-PER", "B-PER", "I-LOC"], ["O", "B-PER", "B-PER", "B-LOC"], 2),  # repairs
    (["E-PER", "I-PER"], ["B-PER", "B-PER"], 2),  # a tag after an end begins an entity
    ([], [], 0),
])
def test_to_iob2(tags: list[str], iob2: list[str], changed: int) -> None:
    assert to_iob2(tags) == (iob2, changed)
    assert strict_iob2(iob2) == seqeval_entities(tags)


def test_what_is_a_tag() -> None:
    assert all(is_tag(t) for t in ("O", "B-PER", "I-DATE-TIME", "E-x", "S-LOC", "L-A", "U-B"))
    assert not any(is_tag(t) for t in ("PER", "B", "B-", "b-per", "O-PER", "NOUN", "B-a b"))


def test_entity_types_expand_to_iob2_tags_in_declared_order() -> None:
    expanded = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    assert declared_tags(["PER", "ORG", "LOC"]) == expanded
    assert declared_tags(["PER", "O", "ORG", "LOC"]) == expanded  # `O` may be among types
    assert tag_set(["PER", "PER"]) == ["O", "B-PER", "I-PER"]


def test_full_tags_are_used_as_given() -> None:
    given_tags = ["B-PER", "O", "I-PER", "B-LOC"]
    assert declared_tags(given_tags) == given_tags
    assert declared_tags(["O"]) == ["O"]


@pytest.mark.parametrize(("labels", "says"), [
    (["PER", "B-ORG", "I-ORG"], "`labels` mixes entity types (`PER`) and tags (`B-ORG`)"),
    (["O", "B-PER", "E-PER"], "`labels` lists `E-PER`, which is not an IOB2 tag; tags are "
                              "read as IOB2 (`E-PER` as `I-PER`)"),
    (["O", "U-PER"], "(`U-PER` as `B-PER`)"),
])
def test_labels_of_two_forms_or_other_schemes_are_refused(labels: list[str], says: str) -> None:
    with pytest.raises(ValueError) as caught:
        declared_tags(labels)
    assert says in str(caught.value)


def test_inferred_tags_put_outside_first_then_types_sorted() -> None:
    found = inferred_tags([["O", "B-PER", "I-PER"], ["B-LOC", "O"], ["B-MISC"]])
    assert found == ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-PER", "I-PER"]
    assert inferred_tags([]) == ["O"]
