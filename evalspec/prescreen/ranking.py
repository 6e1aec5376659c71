"""Candidates ordered by a pre-screen score: `logme`, or the `linear_probe` mean."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def score_of(entry: Mapping[str, Any], method: str) -> float:
    """A candidate's score under `method`, from its scores (`logme`, `linear_probe`)."""
    return float(entry["logme"] if method == "logme" else entry["linear_probe"]["mean"])


def order(scores: Mapping[str, Mapping[str, Any]], method: str) -> list[str]:
    """Models best first by `method`; ties keep the given (spec) order."""
    names = list(scores)
    return sorted(names, key=lambda m: (-score_of(scores[m], method), names.index(m)))
