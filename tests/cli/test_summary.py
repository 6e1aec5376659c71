"""The leaderboard `run` prints: the p-value that decides a tie, as the report states it."""

from __future__ import annotations

import json
from typing import Any

from evalspec.cli.summary import leaderboard_text
from tests.committed import RUN
from tests.report.test_details import third_model


def document() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((RUN / "results.json").read_text(encoding="utf-8"))
    return found


def test_one_comparison_prints_its_p() -> None:
    lines = leaderboard_text(document()).splitlines()
    assert lines[0] == "tickets: ranked by f1 (test, 95% interval; * = tied for first)"
    assert lines[2].startswith("   2* tiny_gru") and lines[2].endswith("p = 0.545")


def test_several_comparisons_print_the_holm_adjusted_p_that_decides() -> None:
    found = document()
    third_model((0.03, 0.04), (0.06, 0.06), True)(found)
    lines = leaderboard_text(found).splitlines()
    assert lines[0].endswith("* = tied for first; p Holm-adjusted)")
    assert lines[2].endswith("p = 0.060") and lines[3].endswith("p = 0.060")


def test_a_p_at_the_bootstrap_floor_prints_as_a_bound() -> None:
    found = document()
    floor = 2 / 301
    third_model((floor, floor), (2 * floor, 2 * floor), False)(found)
    lines = leaderboard_text(found).splitlines()
    assert lines[2].endswith("p ≤ 0.014") and lines[2].startswith("   2  tiny_gru")
    assert lines[-1] == "  verdict: tiny_transformer is best on f1; the others are " \
        "significantly worse"
