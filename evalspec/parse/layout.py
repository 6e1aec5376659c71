"""The canonical layout of a spec (`evalspec fmt`): two-space indentation, `=` aligned
within a run of attributes, one blank line around blocks, `f(a, key = v)` and `[a, b]`
spacing; comments and blank-line groups kept. Only text that parses is laid out, and the
layout of its layout is itself (idempotent).

A list or call written over several lines keeps one element per line (with a trailing
comma); one written on one line stays on one line. The text is read as tokens with its
comments (`parser.layout_tokens`) into a small tree that keeps them, then printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lark import Token

from evalspec.parse.parser import layout_tokens
from evalspec.source import SourceFile

INDENT = "  "
ATOMS = {"STRING", "NUMBER", "PERCENT", "TRUE", "FALSE", "NAME"}


@dataclass
class Element:
    """One element of a list or call: its text (`key = value` or a value), the comment at
    the end of its line, and comment lines standing before it."""

    value: Value
    key: str | None = None
    comment: str | None = None
    before: list[str] = field(default_factory=list)


@dataclass
class Bracketed:
    """A list (`name` None) or a call; `broken` when written over several lines."""

    name: str | None
    elements: list[Element]
    broken: bool
    opener_comment: str | None = None  # a comment right after `(` or `[`
    after: list[str] = field(default_factory=list)  # comment lines before the closer


Value = str | Bracketed  # an atom or reference as written, or a list or call


@dataclass
class Entry:
    """A line of a block body: `key = value`, an item, a comment line or a blank line, or a
    nested block (`body` not None)."""

    kind: str  # attribute | item | comment | blank | block | header
    text: str = ""  # the key, the block's kind and label, the comment, or the header
    value: Value | None = None
    comment: str | None = None  # at the end of the line (for a block: after its `{`)
    body: list[Entry] | None = None
    closing_comment: str | None = None  # after a block's `}`


def layout(source: SourceFile) -> str:
    """The canonical text of a spec that parses."""
    reader = _Reader(layout_tokens(source))
    return "\n".join(_lines(reader.body(top=True), 0)).rstrip("\n") + "\n"


class _Reader:
    """Recursive descent over a parsed spec's tokens: the grammar is known to match."""

    def __init__(self, tokens: list[Token]):
        self.tokens, self.at = tokens, 0

    def peek(self, offset: int = 0) -> str:
        at = self.at + offset
        return self.tokens[at].type if at < len(self.tokens) else "$END"

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def trailing(self) -> str | None:
        return self.take().value.rstrip() if self.peek() == "COMMENT" else None

    def body(self, top: bool = False) -> list[Entry]:
        entries: list[Entry] = []
        newlines = 0
        while self.peek() != ("$END" if top else "RBRACE"):
            kind = self.peek()
            if kind == "_NL":
                self.take()
                newlines += 1
                if newlines == 2 and entries:
                    entries.append(Entry("blank"))
                continue
            newlines = 0
            if kind == "COMMENT":
                entries.append(Entry("comment", self.take().value.rstrip()))
            else:
                entries.append(self.entry())
        return entries

    def entry(self) -> Entry:
        if self.peek() == "EVALSPEC":
            keyword, number = self.take(), self.take()
            return Entry("header", f"{keyword.value} {number.value}", comment=self.trailing())
        if self.peek(1) == "EQUAL":
            key = self.take().value
            self.take()
            value = self.value()
            return Entry("attribute", key, value, self.trailing())
        if self.peek(1) == "LBRACE" or (self.peek(1) == "NAME" and self.peek(2) == "LBRACE"):
            head = [self.take().value]
            if self.peek() == "NAME":
                head.append(self.take().value)
            self.take()  # {
            opened = self.trailing()
            body = self.body()
            self.take()  # }
            return Entry("block", " ".join(head), comment=opened, body=body,
                         closing_comment=self.trailing())
        return Entry("item", value=self.value(), comment=self.trailing())

    def value(self) -> Value:
        kind = self.peek()
        if kind == "LSQB":
            return self.bracketed(None, "RSQB")
        name = self.take().value
        if kind == "NAME" and self.peek() == "LPAR":
            return self.bracketed(name, "RPAR")
        while kind == "NAME" and self.peek() == "DOT":
            self.take()
            name += "." + self.take().value
        return name

    def bracketed(self, name: str | None, closer: str) -> Bracketed:
        self.take()  # ( or [
        found = Bracketed(name, [], broken=False, opener_comment=self.trailing())
        pending: list[str] = []  # comment lines waiting for the next element
        same_line = False  # whether the last element ended on the current line
        while self.peek() != closer:
            kind = self.peek()
            if kind == "_NL":
                self.take()
                found.broken, same_line = True, False
            elif kind == "COMMENT":
                comment = self.take().value.rstrip()
                if same_line:
                    found.elements[-1].comment = comment
                else:
                    pending.append(comment)
            elif kind == "COMMA":
                self.take()
            else:
                key = None
                if kind == "NAME" and self.peek(1) == "EQUAL":
                    key = self.take().value
                    self.take()
                found.elements.append(Element(self.value(), key, before=pending))
                pending, same_line = [], True
        self.take()
        found.after = pending
        return found


def _lines(entries: list[Entry], depth: int) -> Iterator[str]:
    """The printed lines of a body: blank lines collapsed to one, none at the start or end;
    a block set off by a blank line from what is around it (a comment just above a block
    stays with it); the comments ending consecutive one-line entries aligned."""
    pad = INDENT * depth
    shown = _spaced(entries)
    widths = _alignment(shown)
    run: list[tuple[str, str]] = []  # one-line entries with a comment, not yet printed
    for index, entry in enumerate(shown):
        code = _code(entry, pad, widths.get(index), depth)
        if code is not None and len(code) == 1 and entry.comment:
            run.append((code[0], entry.comment))
            continue
        yield from _aligned(run)
        run = []
        if code is not None:
            code[-1] += _comment(entry.comment)
            yield from code
        elif entry.kind == "blank":
            yield ""
        elif entry.kind == "comment":
            yield pad + entry.text
        else:
            assert entry.body is not None
            yield f"{pad}{entry.text} {{" + _comment(entry.comment)
            yield from _lines(entry.body, depth + 1)
            yield pad + "}" + _comment(entry.closing_comment)
    yield from _aligned(run)


def _code(entry: Entry, pad: str, width: int | None, depth: int) -> list[str] | None:
    """The lines of a header, attribute or item without its comment; None for the rest."""
    if entry.kind == "header":
        return [pad + entry.text]
    if entry.kind not in ("attribute", "item"):
        return None
    assert entry.value is not None
    lines = _value_lines(entry.value, depth)
    key = f"{entry.text.ljust(width or len(entry.text))} = " if entry.kind == "attribute" \
        else ""
    lines[0] = pad + key + lines[0]
    return lines


def _aligned(run: list[tuple[str, str]]) -> Iterator[str]:
    """Consecutive lines ending in comments, the comments in one column."""
    column = max((len(code) for code, _ in run), default=0)
    for code, comment in run:
        yield code.ljust(column) + _comment(comment)


def _spaced(entries: list[Entry]) -> list[Entry]:
    """The entries with blank lines where the layout wants them, and only there."""
    out: list[Entry] = []
    for entry in entries:
        previous = out[-1] if out else None
        if entry.kind == "blank":
            if previous is not None and previous.kind != "blank":
                out.append(entry)
            continue
        if previous is not None and previous.kind != "blank" and (
                previous.kind == "block" or (entry.kind == "block" and previous.kind != "comment")
                or (previous.kind == "header")):
            out.append(Entry("blank"))
        out.append(entry)
    while out and out[-1].kind == "blank":
        out.pop()
    return _attached(out)


def _attached(entries: list[Entry]) -> list[Entry]:
    """A run of comment lines just above a block is set off from what precedes it."""
    out: list[Entry] = []
    for index, entry in enumerate(entries):
        if entry.kind == "comment" and out and out[-1].kind not in ("blank", "comment"):
            following = next((e for e in entries[index:] if e.kind != "comment"), None)
            if following is not None and following.kind == "block":
                out.append(Entry("blank"))
        out.append(entry)
    return out


def _alignment(shown: list[Entry]) -> dict[int, int]:
    """Key widths by entry index: runs of attributes (comment lines inside a run do not end
    it; anything else does) align their `=`."""
    widths: dict[int, int] = {}
    run: list[int] = []
    for index, entry in enumerate([*shown, Entry("blank")]):
        if entry.kind == "attribute":
            run.append(index)
        elif entry.kind != "comment":
            width = max((len(shown[i].text) for i in run), default=0)
            widths.update(dict.fromkeys(run, width))
            run = []
    return widths


def _comment(comment: str | None) -> str:
    return f"  {comment}" if comment else ""


def _value_lines(value: Value, depth: int) -> list[str]:
    """A value's printed lines: one, unless it is a list or call written over several lines
    (then one element per line, indented one level deeper than `depth`)."""
    if isinstance(value, str):
        return [value]
    opener, closer = (f"{value.name}(", ")") if value.name is not None else ("[", "]")
    if not value.broken and not value.opener_comment and not value.after and not any(
            e.comment or e.before for e in value.elements):
        return [opener + ", ".join(_flat(e) for e in value.elements) + closer]
    pad = INDENT * (depth + 1)
    lines = [opener + _comment(value.opener_comment)]
    for element in value.elements:
        lines += [pad + comment for comment in element.before]
        inner = _value_lines(element.value, depth + 1)
        inner[0] = pad + (f"{element.key} = " if element.key else "") + inner[0]
        inner[-1] += "," + _comment(element.comment)
        lines += inner
    lines += [pad + comment for comment in value.after]
    lines.append(INDENT * depth + closer)
    return lines


def _flat(element: Element) -> str:
    text = _value_lines(element.value, 0)
    assert len(text) == 1
    return (f"{element.key} = " if element.key else "") + text[0]
