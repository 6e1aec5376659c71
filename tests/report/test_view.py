"""The view model decides verdicts, rounding and best marks; Markdown text is escaped."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from evalspec.report import numbers, view
from evalspec.report.page import Report
from evalspec.report.templates import markdown_text
from evalspec.results.schema import ResultsDocument
from tests.committed import RUN, load


@pytest.fixture(scope="module")
def original() -> dict[str, Any]:
    return load(RUN)


def build(document: dict[str, Any]) -> Report:
    parsed = ResultsDocument.model_validate(document)
    return view.build(parsed, view.load_predictions(parsed, RUN))


def test_a_tie_names_the_cheaper_model(original: dict[str, Any]) -> None:
    verdict = build(original).tasks[0].verdict
    assert (verdict.kind, verdict.pick, verdict.others) == ("tied", "tiny_transformer",
                                                            ("tiny_gru",))
    assert verdict.cheapest == "tiny_gru"
    assert verdict.cheapest_by.startswith("lowest latency, 0.264 ms")
    assert (verdict.value, verdict.interval, verdict.level, verdict.alpha) == \
        ("0.916", "0.827 – 0.984", "95%", "0.05")


def test_a_significant_winner_is_clear(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    second = document["tasks"]["tickets"]["leaderboard"][1]
    second.update(tied_for_first=False, p_value=0.012, p_adjusted=0.012)
    verdict = build(document).tasks[0].verdict
    assert (verdict.kind, verdict.pick, verdict.p_value) == ("clear", "tiny_transformer",
                                                             "p = 0.012")


def test_one_candidate_and_no_ranking(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    task = document["tasks"]["tickets"]
    task["leaderboard"] = task["leaderboard"][:1]
    assert build(document).tasks[0].verdict.kind == "single"
    first = task["leaderboard"][0]
    first["value"] = {"value": None, "undefined": "only one class in y_true", "detail": None}
    verdict = build(document).tasks[0].verdict
    assert verdict.kind == "none" and "only one class" in verdict.reason
    task["leaderboard"] = []
    assert "does not apply" in build(document).tasks[0].verdict.reason


def test_best_marks_follow_each_metric_direction(original: dict[str, Any]) -> None:
    metrics = build(original).tasks[0].metrics
    names = [c.name for c in metrics.columns]
    best = {names[j]: [r.label for r in metrics.rows if r.values[j].best]
            for j in range(len(names))}
    assert best == {"accuracy": ["tiny_transformer"], "f1": ["tiny_transformer"],
                    "auc": ["tiny_transformer"], "log_loss": ["tiny_transformer"],
                    "ece": ["tiny_transformer"], "brier": ["tiny_transformer"]}
    assert [c.primary for c in metrics.columns] == [False, True, False, False, False, False]


def test_models_are_ordered_by_rank_everywhere(original: dict[str, Any]) -> None:
    task = build(original).tasks[0]
    order = ["tiny_transformer", "tiny_gru"]
    assert [r.model for r in task.leaderboard.rows] == order
    assert [r.label for r in task.metrics.rows] == order
    assert [r.label for r in task.cost.rows] == order
    assert [c.model for c in task.confusions] == order
    assert [r.label for r in task.beyond.rows] == order
    assert all([r.label for r in e.table.rows] == order for e in task.evaluated)
    assert [m.label for m in task.per_class.models] == order


def test_confusion_counts_come_from_the_predictions(original: dict[str, Any]) -> None:
    task = build(original).tasks[0]
    for confusion in task.confusions:
        total = sum(int(c.count) for row in confusion.rows for c in row)
        assert total == 2 * 60  # two seeds of 60 test items


def test_missing_predictions_are_noted_not_fatal(original: dict[str, Any],
                                                 tmp_path: Path) -> None:
    parsed = ResultsDocument.model_validate(original)
    report = view.build(parsed, {})
    assert report.tasks[0].plots == () and report.tasks[0].confusions == ()
    assert len(report.tasks[0].notes) == 4


def test_predictions_outside_the_results_folder_are_not_read(original: dict[str, Any],
                                                             tmp_path: Path) -> None:
    document = copy.deepcopy(original)
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"id": 1}\n', encoding="utf-8")
    document["cells"][0]["predictions"] = str(secret)
    document["cells"][1]["predictions"] = "../" * 12 + str(secret)
    parsed = ResultsDocument.model_validate(document)
    found = view.load_predictions(parsed, RUN)
    assert set(found) == {c["predictions"] for c in original["cells"][2:]}


@pytest.mark.parametrize(("value", "shown"), [
    (None, "—"), (0.0, "0.000"), (0.91449, "0.914"), (1.0, "1.000"), (12.345, "12.3"),
    (123456.0, "123,456"), (0.00012, "1.20e-04"), (-0.5, "-0.500")])
def test_numbers(value: float | None, shown: str) -> None:
    assert numbers.number(value) == shown


def test_other_quantities() -> None:
    assert numbers.p_value(0.0004) == "< 0.001" and numbers.p_value(0.0123) == "0.012"
    assert numbers.count(4_927_618) == "4.93 M" and numbers.count(6170) == "6.2 k"
    assert numbers.milliseconds(0.4) == "0.400 ms" and numbers.milliseconds(7.923) == "7.92 ms"
    assert numbers.seconds(42.25) == "42.2 s" and numbers.seconds(214.3) == "3 min 34 s"
    assert numbers.seconds(3725) == "1 h 02 min"
    assert numbers.visible("a\u202eb\u200bc\x1b") == "aU+202EbU+200BcU+001B"
    assert numbers.visible("x\ny", keep_lines=True) == "x\ny"


@pytest.mark.parametrize(("raw", "escaped"), [
    ("a|b", "a\\|b"), ("<img src=x>", "\\<img src=x\\>"), ("`x`", "\\`x\\`"),
    ("snake_case *x*", "snake\\_case \\*x\\*"), ("two\nlines", "two lines"),
    ("@user #1 $x$", "\\@user \\#1 \\$x\\$"), (":smile: 10:30", "\\:smile: 10:30"),
    ("[l](u)", "\\[l\\](u)"), ("a\\b", "a\\\\b")])
def test_markdown_text_escapes_what_markdown_would_interpret(raw: str, escaped: str) -> None:
    assert markdown_text(raw) == escaped
