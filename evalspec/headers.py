"""What every reader of a table's header refuses or doubts: a column name given twice (which
column would a keyword read?), and a first row that looks like data rather than names."""

from __future__ import annotations

import re
from collections.abc import Sequence

NUMBER = re.compile(r"[-+]?(\d[\d_,]*)?\.?\d+([eE][-+]?\d+)?%?")
SENTENCE_WORDS = 4  # a cell of this many words or more reads as text, not a column name


def repeated_column(header: Sequence[str], where: str = "the header") -> str | None:
    """Why the header (or a declared list of column names, `where`) is ambiguous, naming the
    first repeated column and its positions (from 1); None when every name is distinct."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            return (f"{where} names column `{name}` twice (columns {seen[name]} and "
                    f"{position}); rename one so that each column has its own name")
        seen[name] = position
    return None


def first_row_is_data(first: Sequence[str]) -> str | None:
    """Why a first row read as the header seems to be data — one of its cells is a number or
    a sentence, not a column name — naming that cell; None when it reads as names."""
    for cell in first:
        value = cell.strip()
        if NUMBER.fullmatch(value) or len(value.split()) >= SENTENCE_WORDS:
            shown = value if len(value) <= 40 else f"{value[:37]}..."
            return f"the first row looks like data, not column names (`{shown}`)"
    return None


NO_HEADER = ("if the file has no header row, add `header = false` and name the columns in order "
             "(`columns = [\"…\", \"…\"]`) or by their 0-based index (`text = 0`)")
