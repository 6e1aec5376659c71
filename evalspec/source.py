"""Source text and spans: where in a spec file something was written."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Span(NamedTuple):
    """A half-open range of character offsets in one source file, with 1-based line/column."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def cover(self, other: Span) -> Span:
        """The smallest span holding both."""
        first, last = (self, other) if self.start <= other.start else (other, self)
        end = max(self.end, other.end)
        tail = last if last.end >= first.end else first
        return Span(first.start, end, first.line, first.column, tail.end_line, tail.end_column)


@dataclass(frozen=True)
class SourceFile:
    """The text of one spec file and a line index to turn offsets into positions."""

    path: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        object.__setattr__(self, "_line_starts", tuple(starts))

    @classmethod
    def read(cls, path: str | Path, display: str | None = None) -> SourceFile:
        """Read a spec file as UTF-8; raises UnicodeDecodeError and OSError for the caller."""
        raw = Path(path).read_bytes()
        return cls(display or str(path), raw.decode("utf-8"))

    @property
    def directory(self) -> Path:
        return Path(self.path).resolve().parent

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(start, end, line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line ending."""
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")
