"""Mutation fuzzing of `check`: mutated example specs and case files never make an
exception escape, never take two seconds, and every diagnostic they give is located."""

from __future__ import annotations

import time

import pytest

from evalspec import api
from evalspec.source import SourceFile
from tests.mutate import mutations

INPUTS = 5_000


@pytest.mark.slow
def test_mutated_specs_give_located_diagnostics_quickly() -> None:
    slowest = 0.0
    for path, text in mutations(INPUTS, seed=12):
        start = time.perf_counter()
        checked = api.check_source(SourceFile(str(path), text))
        slowest = max(slowest, time.perf_counter() - start)
        assert all(d.span is not None for d in checked.diagnostics), text
    assert slowest < 2.0
