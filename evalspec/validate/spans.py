"""Where each value of the validated spec was written: data paths mapped to spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evalspec.source import Span

Path = tuple[str | int, ...]
PLAIN = "plain"  # the tag of a tagged union's member for plain values (strings, numbers)


@dataclass(frozen=True)
class Place:
    """The spans of one value: its key (or block header) and the value itself."""

    key: Span
    value: Span


@dataclass
class SpanIndex:
    """Data path → place, recorded while lowering the syntax tree."""

    places: dict[Path, Place] = field(default_factory=dict)

    def add(self, path: Path, key: Span, value: Span) -> None:
        self.places[path] = Place(key, value)

    def nearest(self, path: Path) -> tuple[Path, Place]:
        """The place of the longest recorded prefix of `path`."""
        for cut in range(len(path), -1, -1):
            place = self.places.get(path[:cut])
            if place is not None:
                return path[:cut], place
        raise KeyError(path)

    def key(self, path: Path) -> Span:
        return self.nearest(path)[1].key

    def value(self, path: Path) -> Span:
        return self.nearest(path)[1].value


def data_path(data: Any, loc: tuple[str | int, ...]) -> Path:
    """A Pydantic error location as a path into the lowered data.

    Discriminated unions add the tag (`csv`, or `PLAIN` for a plain value beside calls) to
    the location; it is not a key of the data, so it is dropped here.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("fn") == part:
            continue
        if isinstance(node, str) and part == node:
            continue  # a bare name standing for a call: `optimizer = adamw`
        if part == PLAIN and not isinstance(node, dict | list):
            continue
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)
