"""The one exception tree: each user-facing failure knows its exit code."""

from __future__ import annotations

import re
from collections.abc import Sequence

from evalspec.diagnostics import Diagnostic
from evalspec.source import SourceFile

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colour codes that library messages carry


class EvalspecError(Exception):
    """Base of every error evalspec raises on purpose; `exit_code` follows LANGUAGE.md §5."""

    exit_code = 70


class SpecError(EvalspecError):
    """The spec has errors; carries every diagnostic of the file."""

    exit_code = 1

    def __init__(self, source: SourceFile | None, diagnostics: Sequence[Diagnostic]):
        self.source = source
        self.diagnostics = list(diagnostics)
        first = self.diagnostics[0].message if self.diagnostics else "invalid spec"
        super().__init__(first)


class UsageError(EvalspecError):
    """The command line is wrong (unknown option, missing file argument)."""

    exit_code = 2


class RunError(EvalspecError):
    """The run failed: bad data, an unloadable or unsafe model, a non-finite loss.

    The message names the file, row, key or model and the fix, in one line.
    """

    exit_code = 3

    def __init__(self, message: str, code: str = "ES500"):
        self.code = code
        super().__init__(_ANSI.sub("", message))


class Interrupted(EvalspecError):
    """The user interrupted a run; finished work is kept."""

    exit_code = 130
