"""Case files: each declares, in its first comment, exactly the diagnostics it must produce."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from evalspec import api
from evalspec.codes import CODES
from evalspec.parse import parse
from evalspec.registry.metrics import METRICS
from evalspec.source import SourceFile
from evalspec.validate import model as m
from evalspec.validate.lower import lower

from .conftest import CASES

CASE_FILES = sorted(CASES.glob("*.evalspec"))
VALID_FILES = sorted(CASES.glob("valid_*.evalspec"))
EXPECT = re.compile(r"#\s*expect:(.*)")
ENTRY = re.compile(r"ES\d{3}@\d+:\d+")


def expected(path: Path) -> list[str]:
    """`# expect: ES301@12:3, ES303@14:13` → ["ES301@12:3", "ES303@14:13"]."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    first = next((line for line in text.splitlines() if line.lstrip().startswith("#")), "")
    match = EXPECT.fullmatch(first.strip())
    assert match, f"{path.name}: the first comment must be `# expect: CODE@LINE:COL, …`"
    entries = [e.strip() for e in match.group(1).split(",") if e.strip()]
    assert all(ENTRY.fullmatch(e) for e in entries), f"{path.name}: bad expect line {first!r}"
    return entries


def found(path: Path) -> list[str]:
    checked = api.check(path)
    assert all(d.span is not None for d in checked.diagnostics), "every diagnostic is located"
    return [f"{d.code}@{d.span.line}:{d.span.column}" for d in checked.diagnostics  # type: ignore[union-attr]
            ]


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_case(path: Path) -> None:
    assert found(path) == expected(path)


def test_every_code_has_a_case() -> None:
    covered = {entry.split("@")[0] for path in CASE_FILES for entry in expected(path)}
    wanted = {code for code in CODES if not code.startswith("ES5")}
    assert sorted(wanted - covered) == []
    assert covered <= set(CODES), "case files name only catalogued codes"


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_valid_files_have_no_errors(path: Path) -> None:
    checked = api.check(path)
    assert checked.ok, [d.message for d in checked.diagnostics if d.is_error]
    assert checked.validated is not None


def _names(value: Any, into: set[str]) -> set[str]:
    """Every key and every name-like string written in the lowered data."""
    if isinstance(value, dict):
        for key, item in value.items():
            into.add(str(key))
            _names(item, into)
    elif isinstance(value, list):
        for item in value:
            _names(item, into)
    elif isinstance(value, str):
        into.add(value)
    return into


def test_valid_files_exercise_the_whole_language() -> None:
    written: set[str] = set()
    for path in VALID_FILES:
        tree, diagnostics = parse(SourceFile.read(path))
        assert tree is not None, diagnostics
        _names(lower(tree).data, written)
    blocks = (m.Spec, m.Task, m.Model, m.Finetune, m.Stage, m.Metrics, m.Report)
    keys = {f for block in blocks for f in block.model_fields} - {"version"}
    calls = set(m.CALLS)
    arguments = {f for call in m.CALLS.values() for f in call.model_fields if f != "fn"}
    assert sorted(keys - written) == [], "blocks' keys never written"
    assert sorted(calls - written) == [], "calls never written"
    assert sorted(arguments - written) == [], "call arguments never written"
    assert sorted(set(METRICS) - written) == [], "metrics never written"
