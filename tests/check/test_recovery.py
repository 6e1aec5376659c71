"""Syntax error recovery: every independent syntax error of a file is reported, each once
and located, with no follow-on errors; the blocks that parsed are still validated and
checked."""

from __future__ import annotations

import pytest

from evalspec import api
from evalspec.source import SourceFile

THREE = """evalspec 1

task t {
  type: text_classification
  data = csv("data/movie_reviews.csv", text = "sentence", label = "label")
  split = holdout(test = 20% validation = 10%)
}

model m {
  source = scratch(transformer, layers = 1, hidden = 32)
  max_length = 64 layers
}

finetune {
  stage only {
    train  = all
    epochs = 1
    lr     = 1e-3
  }
}

metrics {
  accuracy
  primary = accuracy
}
"""


def found(text: str) -> list[str]:
    checked = api.check_source(SourceFile("specs/t.evalspec", text))
    return [f"{d.code}@{d.span.line}:{d.span.column}" for d in checked.diagnostics]


def test_three_independent_syntax_errors_are_exactly_three() -> None:
    checked = api.check_source(SourceFile("specs/t.evalspec", THREE))
    assert [(d.code, d.span.line, d.span.column, d.message) for d in checked.diagnostics] == [
        ("ES102", 4, 7, "unexpected character `:`"),
        ("ES102", 6, 30, "unexpected `validation`; expected `)` or `,`"),
        ("ES102", 11, 19, "unexpected `layers`; expected `}` or a new line"),
    ]
    assert not checked.ok and checked.validated is None


def test_meaning_checks_still_run_on_the_blocks_that_parsed() -> None:
    text = THREE.replace("  accuracy\n  primary = accuracy", "  accuarcy\n  primary = accuracy")
    assert found(text) == ["ES102@4:7", "ES102@6:30", "ES102@11:19", "ES203@23:3"]


def test_the_same_file_mended_has_no_diagnostics() -> None:
    assert found(THREE.replace("  type: text", "  type = text")
                 .replace(" validation", ", validation").replace("64 layers", "64")) == []


@pytest.mark.parametrize(("broken", "expected"), [
    # an unterminated string takes the rest of its line, its ( and [ with it
    ('  split = csv("data/reviews.csv, text = "sentence")\n', ["ES102@6:42"]),
    ('  split = csv("data/reviews.csv, text = "sentence", label = "label")\n', ["ES102@6:42"]),
    ('  split = csv("data/reviews.csv\n', ["ES103@6:15"]),
    # a broken block header skips its whole block, and no `}` is left over
    ("  stage = probe {\n    epochs = 1\n  }\n", ["ES102@6:17"]),
    # an entry with two mistakes is one error
    ("  split: holdout; (test = 20%)\n", ["ES102@6:8"]),
    # a bad escape, and a number out of range, are each one error, and parsing goes on
    ('  positive = "a\\qb"\n  labels = [1e999]\n', ["ES106@6:16", "ES107@7:13"]),
])
def test_one_mistake_is_one_error(broken: str, expected: list[str]) -> None:
    text = THREE.replace("  type: text_classification\n", "  type = text_classification\n") \
        .replace("  split = holdout(test = 20% validation = 10%)\n", broken) \
        .replace("max_length = 64 layers", "max_length = 64")
    assert found(text) == expected


def test_a_file_that_ends_inside_an_entry() -> None:
    text = THREE.replace("  type: text", "  type = text").replace(" validation", ", validation") \
        .replace("64 layers", "64") + "report {\n  title = \n}"
    assert found(text) == ["ES102@27:11"]


def test_unrecoverable_errors_still_stop_at_the_first() -> None:
    assert found(THREE.replace("metrics {\n", "metrics {\n  ]\n")) == \
        ["ES102@4:7", "ES102@6:30", "ES102@11:19", "ES104@23:3"]
