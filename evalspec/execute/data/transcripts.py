"""Transcripts of speech tasks: the normalisation rule applied before training and scoring,
and the character set CTC spells with."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from evalspec.validate.model import Normalize

APOSTROPHES = frozenset("'\u2019")


def normalize(text: str, rule: Normalize) -> str:
    """`text` under `rule`: lower-cased (`case = lower`), punctuation removed (`punctuation =
    remove`: every Unicode punctuation character, except an apostrophe between two letters,
    as in "don't"), then runs of whitespace collapsed to one space and the ends stripped."""
    if rule.case == "lower":
        text = text.lower()
    if rule.punctuation == "remove":
        text = "".join(ch for i, ch in enumerate(text)
                       if not _is_punctuation(ch) or _inside_word(text, i))
    return " ".join(text.split())


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _inside_word(text: str, i: int) -> bool:
    return text[i] in APOSTROPHES and 0 < i < len(text) - 1 \
        and text[i - 1].isalpha() and text[i + 1].isalpha()


def characters(transcripts: Iterable[str]) -> list[str]:
    """The sorted set of characters the transcripts use (the space included)."""
    return sorted({ch for text in transcripts for ch in text})
