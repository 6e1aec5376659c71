"""What every reader of a table's header refuses: a column name given twice (which column
would a keyword read?)."""

from __future__ import annotations

from collections.abc import Sequence


def repeated_column(header: Sequence[str]) -> str | None:
    """Why the header is ambiguous, naming the first repeated column and its positions
    (from 1); None when every name is distinct."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            return (f"the header names column `{name}` twice (columns {seen[name]} and "
                    f"{position}); rename one so that each column has its own name")
        seen[name] = position
    return None
