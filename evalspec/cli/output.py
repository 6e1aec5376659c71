"""Rendering diagnostics to the terminal: text (colour on a TTY), JSON or CI annotations."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from evalspec.diagnostics import (
    Diagnostic,
    Palette,
    render_github,
    render_json,
    render_text,
)
from evalspec.source import SourceFile


def use_colour(stream: object | None = None) -> bool:
    """Colour only on a terminal and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stdout if stream is None else stream  # looked up now: stdout may be replaced
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def print_diagnostics(reports: Sequence[tuple[SourceFile | None, Sequence[Diagnostic]]],
                      fmt: str) -> None:
    if fmt == "json":
        print(render_json([(s.path if s else "<spec>", d) for s, d in reports]))
        return
    if fmt == "github":
        for source, diagnostics in reports:
            for d in diagnostics:
                print(render_github(d, source.path if source else "<spec>"))
        return
    palette = Palette(use_colour())
    for source, diagnostics in reports:
        for d in diagnostics:
            print(render_text(d, source, palette))
            print()


def summary(reports: Sequence[tuple[SourceFile | None, Sequence[Diagnostic]]]) -> str:
    errors = sum(1 for _, ds in reports for d in ds if d.is_error)
    warnings = sum(1 for _, ds in reports for d in ds if not d.is_error)
    files = len(reports)
    noun = "file" if files == 1 else "files"

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n != 1 else ''}"

    if not errors and not warnings:
        return f"{plural(files, 'spec')} checked: no problems"
    return f"{files} {noun} checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
