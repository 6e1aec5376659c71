"""Golden reports: the committed results folders (a classification run, an NER run) render
to the committed HTML and Markdown.

Charts are compared structurally elsewhere (their exact SVG depends on the matplotlib
version), so each chart's body is scrubbed here, as are timestamps and versions.
Regenerate with `EVALSPEC_UPDATE_GOLDEN=1 pytest tests/report`.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from evalspec import api
from tests.report.ner import NER_RUN

GOLDEN = Path(__file__).parent / "golden"
SCRUBS = [
    (re.compile(r"(<svg\b[^>]*>\s*<title>[^<]*</title>).*?</svg>", re.S), r"\1 [chart] </svg>"),
    (re.compile(r"<svg\b[^>]*>"), "<svg>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d(?::|\\:)\d\d(?::|\\:)\d\d(?: UTC|[+-]\d\d:\d\d)?"),
     "TIMESTAMP"),
    (re.compile(r"evalspec \d+\.\d+\.\d+\S*"), "evalspec VERSION"),
]


def scrub(text: str) -> str:
    for pattern, replacement in SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def check_golden(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("EVALSPEC_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.exists(), f"no golden {golden}; run with EVALSPEC_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (f"{name} differs from its golden; if the change is intended, "
                                "regenerate with EVALSPEC_UPDATE_GOLDEN=1")


@pytest.mark.parametrize(("fmt", "file"), [("html", "report.html"), ("markdown", "report.md")])
def test_report_matches_golden(run_folder: Path, fmt: str, file: str) -> None:
    written = api.report(run_folder / "results.json", [fmt])
    assert written == [run_folder / file]
    check_golden(file, scrub(written[0].read_text(encoding="utf-8")))


@pytest.mark.parametrize(("fmt", "file"), [("html", "report.html"), ("markdown", "report.md")])
def test_ner_report_matches_golden(tmp_path: Path, fmt: str, file: str) -> None:
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    [written] = api.report(folder / "results.json", [fmt])
    check_golden(f"ner_{file}", scrub(written.read_text(encoding="utf-8")))


def test_scrub_keeps_what_matters() -> None:
    svg = '<svg width="1pt" viewBox="0 0 1 1" role="img"><title>ROC</title><path d="M0"/></svg>'
    assert scrub(svg) == "<svg><title>ROC</title> [chart] </svg>"
    assert scrub("Finished 2026-11-29 03:50:28 UTC by evalspec 0.1.0") == \
        "Finished TIMESTAMP by evalspec VERSION"
