"""IOB tags: schemes normalised to IOB2 as seqeval's default mode reads them, and tag sets.

A tag is `O` or `P-TYPE`, P one of `B I E S L U`: IOB1 and IOB2 use B and I; BIOES (IOBES)
adds E (end) and S (single); BILOU writes L and U for E and S. `to_iob2` rewrites any of
them as IOB2, tag by tag, so that the entities of the result read strictly as IOB2 (an
entity is a `B-X` and the `I-X` right after it) are exactly the entities seqeval's default
(lenient) mode finds in the original: an `I-X` or `E-X` that does not continue an `X`
entity starts one (`B-X`), and so does a tag after an `E-` or `S-`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

OUTSIDE = "O"
TAG = re.compile(r"(?P<prefix>[BIESLU])-(?P<type>\S+)")
SAME_AS = {"L": "E", "U": "S"}  # BILOU → BIOES
STARTS = frozenset("BS")  # prefixes that always begin an entity
ENDS = frozenset("ES")  # prefixes after which a new entity begins
IOB2_PREFIX = {"E": "I", "L": "I", "S": "B", "U": "B"}  # what a lone tag of each becomes


def is_tag(tag: str) -> bool:
    """Whether `tag` is `O` or a prefixed tag (`B-PER`, `E-LOC`, …)."""
    return tag == OUTSIDE or TAG.fullmatch(tag) is not None


def entity_type(tag: str) -> str | None:
    """`PER` for `B-PER` (or any prefix); None for `O` and for what is not a tag."""
    match = TAG.fullmatch(tag)
    return match["type"] if match else None


def to_iob2(tags: Sequence[str]) -> tuple[list[str], int]:
    """(the tags as IOB2, how many were changed). What is not a tag is kept as it is."""
    result: list[str] = []
    before, before_type = OUTSIDE, ""
    for tag in tags:
        match = TAG.fullmatch(tag)
        if match is None:  # not a tag: kept, and read as outside any entity
            result.append(tag)
            before, before_type = OUTSIDE, ""
            continue
        prefix, kind = SAME_AS.get(match["prefix"], match["prefix"]), match["type"]
        begins = (prefix in STARTS or before == OUTSIDE or before in ENDS
                  or before_type != kind)
        result.append(f"{'B' if begins else 'I'}-{kind}")
        before, before_type = prefix, kind
    return result, sum(a != b for a, b in zip(tags, result, strict=True))


def tag_set(types: Iterable[str]) -> list[str]:
    """`O`, then `B-T` and `I-T` for each entity type T in the order given (once each)."""
    return [OUTSIDE, *(f"{p}-{t}" for t in dict.fromkeys(types) for p in "BI")]


def declared_tags(labels: Sequence[str]) -> list[str]:
    """The tag set a token task's `labels` declare: entity types (`PER`; `O` may be among
    them) expand with `tag_set`; IOB2 tags (`O`, `B-PER`, `I-PER`) are used as given.
    Raises ValueError, saying what to write, for a mix of the two or a non-IOB2 tag."""
    tags = [label for label in labels if TAG.fullmatch(label)]
    types = [label for label in labels if label != OUTSIDE and not TAG.fullmatch(label)]
    if tags and types:
        raise ValueError(f"`labels` mixes entity types (`{types[0]}`) and tags (`{tags[0]}`); "
                         f"list the entity types alone (`[\"{types[0]}\", …]` stands for `O`, "
                         f"`B-{types[0]}` and `I-{types[0]}`), or every tag")
    other = [tag for tag in tags if tag[0] not in "BI"]
    if other:
        read = f"{IOB2_PREFIX[other[0][0]]}{other[0][1:]}"
        raise ValueError(f"`labels` lists `{other[0]}`, which is not an IOB2 tag; tags are "
                         f"read as IOB2 (`{other[0]}` as `{read}`); declare `{read}`, or the "
                         "entity types alone")
    if types:
        return tag_set(types)
    return list(dict.fromkeys(labels))


def inferred_tags(sequences: Iterable[Sequence[str]]) -> list[str]:
    """The tag set of IOB2 data: `O`, then `B-` and `I-` of every entity type found, types
    sorted (a type seen only as `B-` still gets its `I-` tag)."""
    found = {kind for tags in sequences for tag in tags if (kind := entity_type(tag))}
    return tag_set(sorted(found))
