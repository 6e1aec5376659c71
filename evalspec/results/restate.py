"""A results document restated under an edited spec whose numbers it already holds: when
only the report block, the layout or the comments changed, nothing is recomputed."""

from __future__ import annotations

import hashlib
from typing import Any

from evalspec.plan.matrix import run_digest
from evalspec.source import SourceFile
from evalspec.validate.model import Spec


def spec_record(spec: Spec, source: SourceFile) -> dict[str, Any]:
    """What the document takes from the spec file's text and report block."""
    return {"title": spec.report.title or source.path,
            "spec": {"path": source.path, "directory": str(source.directory),
                     "text": source.text,
                     "sha256": hashlib.sha256(source.text.encode()).hexdigest()}}


def same_numbers(ran: Spec, spec: Spec) -> bool:
    """Whether `spec` differs from the spec that `ran` at most in its report block (or in
    layout and comments, which validation leaves out)."""
    return ran.model_dump(mode="json", exclude={"report"}) == \
        spec.model_dump(mode="json", exclude={"report"})


def restated(results: dict[str, Any], spec: Spec, source: SourceFile) -> dict[str, Any]:
    """`results` as if `spec` (with the same numbers: `same_numbers`) had run: its text,
    title and run digest; every number as recorded."""
    numbers = results.get("results_digest")
    return {**results, **spec_record(spec, source),
            "run_digest": run_digest(source.text, numbers) if numbers else None}
