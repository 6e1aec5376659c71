"""Word and character error rates: hand-computed cases and a textbook Levenshtein table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalspec.metrics import compute
from evalspec.metrics.speech import edit_distance


def textbook_distance(a: str, b: str) -> int:
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1,
                              table[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return table[-1][-1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc ", max_size=12), st.text(alphabet="abc ", max_size=12))
def test_edit_distance_matches_the_textbook_table(a: str, b: str) -> None:
    assert edit_distance(a, b) == textbook_distance(a, b)


def test_word_error_rate_is_corpus_level() -> None:
    # "the cat sat" -> "the bat sat down": 1 substitution + 1 insertion over 3 words;
    # "a mat" -> "": 2 deletions over 2 words. Corpus: 4 edits / 5 words.
    got = compute("wer", ["the cat sat", "a mat"], y_pred=["the bat sat down", ""])
    assert got.value == pytest.approx(4 / 5)
    assert got.detail == {"edits": 4, "reference_length": 5}


def test_character_error_rate_counts_spaces() -> None:
    # "ab c" -> "abc": one deletion (the space) over 4 characters
    assert compute("cer", ["ab c"], y_pred=["abc"]).value == pytest.approx(1 / 4)


def test_transcripts_must_be_strings() -> None:
    with pytest.raises(ValueError, match="transcript string"):
        compute("wer", [["the", "cat"]], y_pred=[["the", "cat"]])


def test_wer_and_cer_agree_with_jiwer_on_random_transcripts() -> None:
    jiwer = pytest.importorskip("jiwer")
    import numpy as np

    rng = np.random.default_rng(11)
    words = ["go", "stop", "left", "right", "on", "off", "up", "down", "yes", "no"]

    def sentence() -> str:
        return " ".join(rng.choice(words, size=int(rng.integers(1, 7))))

    for _ in range(30):
        truth = [sentence() for _ in range(int(rng.integers(1, 12)))]
        pred = [sentence() if rng.random() < 0.7 else t for t in truth]
        assert compute("wer", truth, y_pred=pred).value == pytest.approx(
            jiwer.wer(truth, pred), abs=1e-9)
        assert compute("cer", truth, y_pred=pred).value == pytest.approx(
            jiwer.cer(truth, pred), abs=1e-9)
