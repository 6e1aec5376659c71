"""Meaning (ES3xx) and resolution (ES4xx) rules over a validated spec; no torch."""

from __future__ import annotations

from evalspec.check.rules import Context, run_rules
from evalspec.diagnostics import Diagnostic
from evalspec.source import SourceFile
from evalspec.validate import Validated


def check(validated: Validated, source: SourceFile) -> list[Diagnostic]:
    """Every meaning and resolution problem of a valid spec, in no particular order."""
    return run_rules(Context(validated.spec, validated.spans, source.directory))


__all__ = ["check"]
