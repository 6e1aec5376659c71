"""The syntax tree of a spec file: plain frozen values, each carrying its span."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from evalspec.source import Span


@dataclass(frozen=True)
class String:
    value: str
    span: Span


@dataclass(frozen=True)
class Number:
    value: int | float
    span: Span
    percent: bool = False


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True)
class Name:
    value: str
    span: Span


@dataclass(frozen=True)
class Ref:
    """A dotted reference such as `val.f1`."""

    parts: tuple[str, ...]
    span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class ListValue:
    items: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Arg:
    """A call argument: positional when `name` is None."""

    name: str | None
    name_span: Span | None
    value: Value

    @property
    def span(self) -> Span:
        return self.name_span.cover(self.value.span) if self.name_span else self.value.span


@dataclass(frozen=True)
class Call:
    name: str
    name_span: Span
    args: tuple[Arg, ...]
    span: Span


Value: TypeAlias = String | Number | Bool | Name | Ref | ListValue | Call


@dataclass(frozen=True)
class Attribute:
    """`key = value`."""

    key: str
    key_span: Span
    value: Value

    @property
    def span(self) -> Span:
        return self.key_span.cover(self.value.span)


@dataclass(frozen=True)
class Item:
    """A bare entry: a name or a call, e.g. a metric in `metrics { … }`."""

    value: Name | Call

    @property
    def span(self) -> Span:
        return self.value.span


@dataclass(frozen=True)
class Block:
    """`kind label { entries }`; `header` spans the kind and label."""

    kind: str
    kind_span: Span
    label: str | None
    label_span: Span | None
    entries: tuple[Entry, ...]
    span: Span

    @property
    def header(self) -> Span:
        return self.kind_span.cover(self.label_span) if self.label_span else self.kind_span


@dataclass(frozen=True)
class Header:
    """The `evalspec N` line naming the language version."""

    version: int | float
    span: Span


Entry: TypeAlias = Block | Attribute | Item


@dataclass(frozen=True)
class File:
    headers: tuple[Header, ...]
    entries: tuple[Entry, ...]
    span: Span


def describe(value: Value) -> str:
    """How a value reads in a message: `a string "x"`, `the name \\`foo\\``, …."""
    match value:
        case String():
            text = value.value if len(value.value) <= 40 else value.value[:37] + "..."
            return f'the string "{text}"'
        case Number():
            return f"the number {value.value}"
        case Bool():
            return f"`{'true' if value.value else 'false'}`"
        case Name():
            return f"`{value.value}`"
        case Ref():
            return f"the reference `{value.dotted}`"
        case ListValue():
            return "a list"
        case Call():
            return f"a call of `{value.name}(…)`"
