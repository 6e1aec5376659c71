"""Syntax tree to a frozen, validated spec; every error mapped back to its span."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from evalspec.diagnostics import Diagnostic
from evalspec.parse import ast
from evalspec.validate.errors import from_validation_error
from evalspec.validate.lower import lower
from evalspec.validate.model import Spec
from evalspec.validate.spans import SpanIndex


@dataclass(frozen=True)
class Validated:
    """A valid spec and where each of its values was written."""

    spec: Spec
    spans: SpanIndex


def validate(tree: ast.File) -> tuple[Validated | None, list[Diagnostic]]:
    """Validate a parsed file; structural and value errors are all reported at once."""
    lowered = lower(tree)
    diagnostics = list(lowered.diagnostics)
    try:
        spec = Spec.model_validate(lowered.data)
    except ValidationError as error:
        diagnostics += from_validation_error(error, lowered.data, lowered.spans,
                                             frozenset(lowered.dropped))
        return None, diagnostics
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return Validated(spec, lowered.spans), diagnostics


__all__ = ["Spec", "Validated", "validate"]
