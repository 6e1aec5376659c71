"""Report details in both formats: p-values at the bootstrap's floor, Holm-adjusted p-values
deciding ties, the note a single seed needs, every per-class number, and values from the
results file written as values, never as Python objects."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalspec import api
from evalspec.report import numbers
from tests.committed import load, save
from tests.report.ner import NER_RUN
from tests.report.page import Page

ONE_SEED = "variation between training runs is not measured"
PYTHON_OBJECTS = re.compile(r"\{'|\['|': |\bTrue\b|\bFalse\b|\bNone\b(?! was stopped)")


def rendered(folder: Path, edit: Callable[[dict[str, Any]], None] | None = None
             ) -> tuple[str, str]:
    """The HTML report's visible text and the Markdown report of a results folder, after
    `edit` changed its results document."""
    if edit is not None:
        document = load(folder)
        edit(document)
        save(folder, document)
    html, markdown = api.report(folder / "results.json")
    return Page(html.read_text(encoding="utf-8")).text, markdown.read_text(encoding="utf-8")


def both(html: str, markdown: str, text: str) -> bool:
    """`text` in the HTML and in the Markdown, as Markdown escapes it."""
    escaped = text.replace("_", "\\_").replace("<", "\\<").replace("|", "\\|")
    return text in html and escaped in markdown


# ------------------------------------------------------------------------------ the floor
def test_p_values_at_the_bootstrap_floor_read_at_most(run_folder: Path) -> None:
    # 300 resamples: the smallest p is 2 / 301 = 0.00664; the typo perturbation hits it
    html, markdown = rendered(run_folder)
    assert both(html, markdown, "Δ -0.123 (-0.213 – -0.044), p ≤ 0.007")
    assert both(html, markdown, "tiny_gru 0.486 (p ≤ 0.007 vs first, worse)")
    assert both(html, markdown, "p ≤ 0.007: no resample of the 300 reversed the difference")
    assert "p 0.007" not in html and "p 0.007" not in markdown
    assert both(html, markdown, "Δ -0.009 (-0.076 – 0.060), p 0.831")  # above it: as it is


def test_a_winner_at_the_floor_of_1000_resamples(run_folder: Path) -> None:
    def clear(document: dict[str, Any]) -> None:
        document["confidence"]["n"] = 1000
        second = document["tasks"]["tickets"]["leaderboard"][1]
        second.update(p_value=2 / 1001, p_adjusted=2 / 1001, tied_for_first=False)

    html, markdown = rendered(run_folder, clear)
    assert both(html, markdown, "significantly worse: largest p ≤ 0.002, below α = 0.05")
    assert "| 2 | tiny\\_gru | 0.906 | 0.813 – 0.968 | ≤ 0.002 | no |" in markdown
    assert "p ≤ 0.002: no resample of the 1,000 reversed the difference" in html


def test_a_p_value_above_the_floor_is_shown_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    html, markdown = rendered(folder)  # 200 resamples, 1 flip: p = 4 / 201
    assert "| 2 | tiny\\_lstm | 0.545 | 0.460 – 0.626 | 0.020 | no |" in markdown
    assert both(html, markdown, "largest p = 0.020, below α = 0.05")
    assert "≤" not in markdown and "≤" not in html


@pytest.mark.parametrize(("value", "shown"), [
    (2 / 1001, "≤ 0.002"), (2 / 301, "≤ 0.007"), (0.004, "≤ 0.004"), (2 / 5001, "≤ 4.00e-04")])
def test_a_bound_is_rounded_up(value: float, shown: str) -> None:
    assert numbers.p_value(value, at_most=True) == shown
    assert numbers.p_value(value) != shown


# ------------------------------------------------------------------------------ Holm
def third_model(p_values: tuple[float, float], adjusted: tuple[float, float],
                tied: bool) -> Callable[[dict[str, Any]], None]:
    """The tickets leaderboard with a third model (a copy of tiny_gru) and these p-values."""
    def edit(document: dict[str, Any]) -> None:
        task = document["tasks"]["tickets"]
        for part in ("models", "per_class"):
            task[part]["tiny_gru_b"] = copy.deepcopy(task[part]["tiny_gru"])
        task["leaderboard"].append({**copy.deepcopy(task["leaderboard"][1]), "rank": 3,
                                    "model": "tiny_gru_b"})
        for row, p, q in zip(task["leaderboard"][1:], p_values, adjusted, strict=True):
            row.update(p_value=p, p_adjusted=q, tied_for_first=tied)
    return edit


def test_the_holm_adjusted_p_decides_and_is_shown(run_folder: Path) -> None:
    html, markdown = rendered(run_folder, third_model((0.03, 0.04), (0.06, 0.06), True))
    assert "| p vs first | Holm-adjusted p | tied for first |" in markdown
    assert "| 2 | tiny\\_gru | 0.906 | 0.813 – 0.968 | 0.030 | 0.060 | yes |" in markdown
    assert "| 3 | tiny\\_gru\\_b | 0.906 | 0.813 – 0.968 | 0.040 | 0.060 | yes |" in markdown
    assert both(html, markdown, "not significantly better than tiny_gru, tiny_gru_b "
                                "(Holm-adjusted p = 0.060 ≥ α = 0.05)")
    assert both(html, markdown, "p-values Holm-adjusted over the comparisons with the first")
    assert "Holm-adjusted p decides the tie" in html  # the column and its note


def test_an_adjusted_p_from_the_floor_stays_a_bound(run_folder: Path) -> None:
    floor = 2 / 301
    html, markdown = rendered(run_folder, third_model((floor, floor), (2 * floor, 2 * floor),
                                                      False))
    assert "| 0.813 – 0.968 | ≤ 0.007 | ≤ 0.014 | no |" in markdown
    assert both(html, markdown, "significantly worse: largest Holm-adjusted p ≤ 0.014")


def test_one_comparison_needs_no_adjusted_column(run_folder: Path) -> None:
    html, markdown = rendered(run_folder)
    assert "Holm" not in markdown and "Holm" not in html


# ------------------------------------------------------------------------------ one seed
def only_seed_0(document: dict[str, Any]) -> None:
    document["seeds"] = [0]
    document["cells"] = [c for c in document["cells"] if c["seed"] == 0]
    for summary in document["tasks"]["tickets"]["models"].values():
        summary["seeds"] = [0]


def test_one_seed_says_what_is_not_measured(run_folder: Path) -> None:
    html, markdown = rendered(run_folder, only_seed_0)
    note = (f"One seed ran (seed 0), so each model was trained once: {ONE_SEED}, and the "
            "intervals and p-values cover the sampling of test examples only")
    assert note in html and note in markdown


def test_several_seeds_need_no_such_note(run_folder: Path, tmp_path: Path) -> None:
    html, markdown = rendered(run_folder)
    assert ONE_SEED not in html and ONE_SEED not in markdown
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    html, markdown = rendered(folder)
    assert ONE_SEED not in html and ONE_SEED not in markdown


def test_how_a_stage_trained_is_shown_beyond_plain_float32(run_folder: Path) -> None:
    def on_a_gpu(document: dict[str, Any]) -> None:
        first, second = document["cells"][0]["stages"][:2]
        first.update(precision="bf16", compiled=True)
        second.update(precision="tf32", compile_failure="RuntimeError: no C compiler")
    html, _ = rendered(run_folder)  # the per-seed table is the HTML report's
    assert "bf16" not in html and "compiled" not in html  # the committed CPU run: fp32
    html, _ = rendered(run_folder, on_a_gpu)
    assert "probe 2/2 (bf16, compiled)" in html
    assert "full 4/5 (tf32, not compiled: RuntimeError: no C compiler)" in html


# ------------------------------------------------------------------------------ per class
def test_every_per_class_number_is_in_both_reports(run_folder: Path) -> None:
    document = load(run_folder)
    html, markdown = rendered(run_folder)
    per_class = document["tasks"]["tickets"]["per_class"]
    expected = []
    for model, classes in per_class.items():
        for label, scores in classes.items():
            for measure in ("precision", "recall", "f1"):
                s = scores[measure]
                expected.append((model, label, measure,
                                 f"{numbers.number(s['mean'])} ± {numbers.number(s['sd'])}"))
                expected.append((model, label, f"{measure} interval", numbers.span(
                    s["interval"]["low"], s["interval"]["high"])))
            expected.append((model, label, "support", f"{scores['support']:,}"))
    assert len(expected) == 2 * 2 * 7
    assert [e for e in expected if not both(html, markdown, e[-1])] == []
    assert both(html, markdown, "Per class")
    assert "| \\<img src=x onerror=alert(1)\\> | 27 | tiny\\_transformer | " \
           "**0.891 ± 0.003** (0.759 – 1.000) |" in markdown


# ------------------------------------------------------------------------------ no objects
def hub_weights(document: dict[str, Any]) -> None:
    """A cell as a local sentence-transformers folder records it: a sha256 per file."""
    details = document["cells"][0]["identity"]["details"]
    details["weights_sha256"] = {"1_Pooling/config.json": "ab" * 32,
                                 "model.safetensors": "cd" * 32}
    details["revision"] = "v2"
    document["metrics"][0]["params"] = {"flag": True, "classes": ["a", "b"]}


def test_provenance_writes_dicts_and_lists_as_values(run_folder: Path) -> None:
    html, markdown = rendered(run_folder, hub_weights)
    assert ("weights sha256 1_Pooling/config.json abababababababab…, model.safetensors "
            "cdcdcdcdcdcdcdcd…") in html
    assert "revision v2 (commit unknown)" in html
    assert "accuracy(flag = true, classes = [a, b])" in html  # the metric definitions
    assert PYTHON_OBJECTS.findall(html) == [] and PYTHON_OBJECTS.findall(markdown) == []


def test_no_report_shows_a_python_object(run_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    for html, markdown in (rendered(run_folder), rendered(folder)):
        assert PYTHON_OBJECTS.findall(html) == [] and PYTHON_OBJECTS.findall(markdown) == []
