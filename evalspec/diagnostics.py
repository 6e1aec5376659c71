"""Diagnostics as values, and their renderings as text, JSON and CI annotations."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from evalspec.source import SourceFile, Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Related:
    """A second place a diagnostic points at, e.g. the first definition of a duplicate."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec: a stable code, a message, where, and how to fix it."""

    code: str
    message: str
    span: Span | None
    hint: str | None = None
    severity: Severity = Severity.ERROR
    related: tuple[Related, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A "did you mean `x`?" hint for a misspelt name from a closed set, or None."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        stem = word.lower().split("_")[0]
        close = [lowered[k] for k in (word.lower(), stem) if k in lowered][:1]
    return f"did you mean `{close[0]}`?" if close else None


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    """`a`, `b` or `c` — a short listing of allowed names for hints."""
    names = [f"`{c}`" for c in sorted(set(choices))]
    if len(names) > limit:
        names = names[:limit] + ["…"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, str]:
    span = diagnostic.span
    return (span.start if span else -1, span.end if span else -1, diagnostic.code)


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in source order, exact duplicates dropped."""
    seen: set[tuple[str, Span | None, str]] = set()
    unique = []
    for d in diagnostics:
        key = (d.code, d.span, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return sorted(unique, key=sort_key)


@dataclass(frozen=True)
class Palette:
    """ANSI styles; the empty palette renders plain text."""

    on: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text

    def severity(self, severity: Severity, text: str) -> str:
        return self._wrap("1;31" if severity is Severity.ERROR else "1;33", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("34", text)


def _snippet(source: SourceFile, span: Span, label: str, palette: Palette) -> list[str]:
    gutter = len(str(span.line))
    text = source.line_text(span.line).expandtabs(1)
    width = (span.end_column if span.end_line == span.line else len(text) + 1) - span.column
    caret = " " * (span.column - 1) + "^" * max(1, width)
    bar = palette.dim(" " * gutter + " |")
    lines = [bar, palette.dim(f"{span.line} |") + " " + text, bar + " " + caret]
    if label:
        lines[-1] += " " + label
    return lines


def render_text(diagnostic: Diagnostic, source: SourceFile | None, palette: Palette) -> str:
    """Compiler-style text: `file:line:col: error[ES203]: message`, the line, a caret, a hint."""
    span = diagnostic.span
    where = source.path if source else "<spec>"
    if span is not None:
        where += f":{span.line}:{span.column}"
    head = palette.severity(diagnostic.severity, f"{diagnostic.severity.value}[{diagnostic.code}]")
    lines = [f"{where}: {head}: {palette.bold(diagnostic.message)}"]
    if source is not None and span is not None:
        lines += _snippet(source, span, diagnostic.hint or "", palette)
    elif diagnostic.hint:
        lines.append(f"  = help: {diagnostic.hint}")
    for related in diagnostic.related:
        lines.append(f"{source.path if source else '<spec>'}:{related.span.line}:"
                     f"{related.span.column}: note: {related.message}")
        if source is not None:
            lines += _snippet(source, related.span, "", palette)
    return "\n".join(lines)


def as_data(diagnostic: Diagnostic, path: str) -> dict[str, object]:
    """The diagnostic as plain JSON-ready data."""
    def span_data(span: Span | None) -> dict[str, int] | None:
        if span is None:
            return None
        return {"line": span.line, "column": span.column, "end_line": span.end_line,
                "end_column": span.end_column, "start": span.start, "end": span.end}

    return {
        "file": path,
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "span": span_data(diagnostic.span),
        "related": [{"message": r.message, "span": span_data(r.span)} for r in diagnostic.related],
    }


def render_json(reports: Sequence[tuple[str, Sequence[Diagnostic]]]) -> str:
    """All files' diagnostics as one JSON document."""
    files = [
        {"file": path, "diagnostics": [as_data(d, path) for d in diags]}
        for path, diags in reports
    ]
    errors = sum(1 for _, diags in reports for d in diags if d.is_error)
    warnings = sum(1 for _, diags in reports for d in diags if not d.is_error)
    return json.dumps({"files": files, "errors": errors, "warnings": warnings}, indent=2)


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostic: Diagnostic, path: str) -> str:
    """A GitHub Actions workflow command (`::error file=…,line=…::message`)."""
    props = [f"file={_escape_github(path, prop=True)}"]
    span = diagnostic.span
    if span is not None:
        props += [f"line={span.line}", f"col={span.column}",
                  f"endLine={span.end_line}", f"endColumn={span.end_column}"]
    props.append(f"title={diagnostic.code}")
    message = diagnostic.message + (f" ({diagnostic.hint})" if diagnostic.hint else "")
    return f"::{diagnostic.severity.value} {','.join(props)}::{_escape_github(message)}"
