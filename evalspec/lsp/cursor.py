"""Where the cursor stands in a spec that is being typed (and so may not parse): the blocks
around it, the key it gives a value to, the call and parameter it is inside, and the word
under it. A scan of the text before the cursor that knows strings, comments and brackets."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Cursor:
    """`path`: the kinds of the enclosing blocks (`("finetune", "stage")`). `key`: the key
    whose value the cursor is in. `calls`: the calls it is inside, innermost last, each with
    the parameter being given (None while positional or not yet named). `at_key`: where a
    new entry's name would go. `in_string` / `in_comment`: inside one. `prefix`: the part of
    the word before the cursor."""

    path: tuple[str, ...]
    key: str | None
    calls: tuple[tuple[str, str | None], ...]
    at_key: bool
    in_string: bool
    in_comment: bool
    prefix: str

    @property
    def call(self) -> str | None:
        return self.calls[-1][0] if self.calls else None


def offset(text: str, line: int, character: int) -> int:
    """The character offset of a 0-based (line, character) position."""
    lines = text.split("\n")
    line = min(line, len(lines) - 1)
    return sum(len(previous) + 1 for previous in lines[:line]) + min(character,
                                                                      len(lines[line]))


def cursor(text: str, at: int) -> Cursor:
    """The context of offset `at` in `text`."""
    path: list[str] = []
    brackets: list[tuple[str, str | None]] = []  # ("(" call name | "[" None)
    parameters: list[str | None] = []  # per open bracket, the parameter being given
    key: str | None = None
    entry: list[str] = []  # the words and `=` of the entry so far (outside brackets)
    i, in_string, in_comment = 0, False, False
    while i < at:
        char = text[i]
        if in_comment:
            in_comment = char != "\n"
            if char == "\n":
                entry, key = ([], None) if not brackets else (entry, key)
        elif in_string:
            if char == "\\":
                i += 1
            elif char in '"\n':
                in_string = False
        elif char == "#":
            in_comment = True
        elif char == '"':
            in_string = True
            entry.append('"')
        elif char == "\n":
            if not brackets:
                entry, key = [], None
        elif char == "{":
            words = [w for w in entry if WORD.fullmatch(w)]
            path.append(words[0] if words else "")
            entry, key = [], None
        elif char == "}":
            if path:
                path.pop()
            entry, key = [], None
        elif char in "([":
            name = entry[-1] if char == "(" and entry and WORD.fullmatch(entry[-1]) else None
            brackets.append((char, name))
            parameters.append(None)
            entry.append(char)
        elif char in ")]":
            if brackets:
                brackets.pop()
                parameters.pop()
            entry.append(char)
        elif char == ",":
            if parameters:
                parameters[-1] = None
            entry.append(",")
        elif char == "=":
            words = [w for w in entry if WORD.fullmatch(w)]
            if brackets and words:
                parameters[-1] = words[-1]
            elif not brackets and words:
                key = words[-1]
            entry.append("=")
        elif WORD.match(text, i):
            word = WORD.match(text, i)
            assert word is not None
            end = min(word.end(), at)
            entry.append(text[i:end])
            i = end
            continue
        i += 1
    prefix_match = re.search(r"[A-Za-z_][A-Za-z0-9_.]*$", text[:at])
    prefix = prefix_match.group() if prefix_match and not in_string and not in_comment else ""
    calls = tuple((name or "", parameter) for (kind, name), parameter
                  in zip(brackets, parameters, strict=True) if kind == "(")
    started = [w for w in entry if w != prefix] if prefix else entry
    return Cursor(tuple(path), key, calls, not brackets and key is None and not started,
                  in_string, in_comment, prefix)


def word_at(text: str, at: int) -> tuple[int, int] | None:
    """The start and end of the name (or `val.f1` reference) under offset `at`."""
    for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", text):
        if match.start() <= at <= match.end():
            return match.start(), match.end()
        if match.start() > at:
            break
    return None
