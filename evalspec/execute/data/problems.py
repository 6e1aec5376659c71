"""Bad data rows, collected so that one error names several of them at once."""

from __future__ import annotations

from evalspec.errors import RunError

MAX_SHOWN = 5


class Problems:
    """Collects `file:row: what is wrong; the fix` lines; `raise_if_any` turns them into a
    RunError (ES501) that shows the first few and counts the rest. The same line twice (a
    file read as two splits) counts once."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.seen: set[str] = set()

    @property
    def count(self) -> int:
        return len(self.seen)

    def add(self, location: str, message: str) -> None:
        line = f"{location}: {message}"
        if line not in self.seen:
            self.seen.add(line)
            if len(self.shown) < MAX_SHOWN:
                self.shown.append(line)

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_if_any(self) -> None:
        if self.count == 1:
            raise RunError(self.shown[0], "ES501")
        if self.count:
            more = f", the first {len(self.shown)} shown" if self.count > len(self.shown) else ""
            lines = "\n".join(f"  {line}" for line in self.shown)
            raise RunError(f"{self.count} bad data rows{more}; fix or remove them:\n{lines}",
                           "ES501")
