"""Token stream checks Lark cannot express: brackets, nesting depth, newlines, escapes, and
the sizes no spec needs (huge strings, names and lists cost time and memory downstream)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from lark import Token
from lark.lexer import TerminalDef

from evalspec.diagnostics import Diagnostic, Related
from evalspec.source import SourceFile, Span

MAX_DEPTH = 64
MAX_STRING = 65_536  # characters in one string literal (a path, a title)
MAX_NAME = 256  # characters in one name
MAX_ITEMS = 100_000  # commas in one list or call: no spec needs more
OPENERS = {"LBRACE": "}", "LPAR": ")", "LSQB": "]"}
CLOSERS = {"RBRACE": "{", "RPAR": "(", "RSQB": "["}
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.S)
_MAX_NUMBER = 2**63
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class LexError(Exception):
    """Stops the token stream with a located diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def tok_span(source: SourceFile, token: Token) -> Span:
    """The span of a token; the scanner recorded its line and columns."""
    if token.line is None:
        start = token.start_pos or 0
        return source.span(start, token.end_pos if token.end_pos is not None else start)
    return Span(token.start_pos, token.end_pos, token.line, token.column,  # type: ignore[arg-type]
                cast(int, token.end_line), cast(int, token.end_column))


_KEYWORDS = {"true": "TRUE", "false": "FALSE", "evalspec": "EVALSPEC"}
ERROR = "ERROR"  # a token that could not be read; its diagnostic was recorded
_SKIP = {"WS", "COMMENT"}


def scanner_for(terminals: Iterable[TerminalDef]) -> re.Pattern[str]:
    """One alternation of the grammar's own terminal patterns, tried in Lark's order."""
    regular = [t for t in terminals if t.name not in _KEYWORDS.values()]
    regular.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
    return re.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in regular))


def scan(source: SourceFile, master: re.Pattern[str], comments: bool = False,
         recovered: list[Diagnostic] | None = None) -> Iterator[Token]:
    """Tokens of the source with their positions (with `comments`, COMMENT tokens too: the
    formatter keeps them). An unknown character raises `LexError`; with `recovered`, its
    diagnostic goes there and an ERROR token takes its place (an unterminated string's
    ERROR covers the rest of its line), so that the parser can go on.

    Only newline tokens cross lines, so line and column are tracked here as we go instead
    of being searched for per token.
    """
    skip = _SKIP - {"COMMENT"} if comments else _SKIP
    text, pos, end = source.text, 0, len(source.text)
    line, line_start = 1, 0
    match = master.match
    while pos < end:
        found = match(text, pos)
        if found is None or found.end() == pos:
            problem = bad_character(source, pos)
            if recovered is None:
                raise LexError(problem)
            recovered.append(problem)
            stop = pos + 1 if text[pos] != '"' else _line_end(text, pos)
            yield Token(ERROR, text[pos:stop], pos, line, pos - line_start + 1, line,
                        stop - line_start + 1, stop)
            pos = stop
            continue
        kind = found.lastgroup or ""
        stop = found.end()
        if kind not in skip:
            value = found.group()
            if kind == "NAME":
                kind = _KEYWORDS.get(value, kind)
            column = pos - line_start + 1
            yield Token(kind, value, pos, line, column, line, column + stop - pos, stop)
        if kind == "_NL":  # exactly one line break, then indentation
            line += 1
            line_start = text.index("\n", pos) + 1
        pos = stop


def _line_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find("\n", pos), text.find("\r", pos)) if i >= 0]
    return min(ends, default=len(text))


def bad_character(source: SourceFile, pos: int) -> Diagnostic:
    """An unexpected character, with a hint for the usual habits from other languages."""
    char = source.text[pos]
    span = source.span(pos, pos + 1)
    if char == '"':
        return Diagnostic("ES103", "unterminated string", span,
                          'close the string with `"` on the same line')
    hints = {
        ":": "set a key with `=`: `key = value`",
        "'": 'strings use double quotes: "text"',
        ";": "put each entry on its own line",
    }
    shown = char if char.isprintable() else repr(char)
    return Diagnostic("ES102", f"unexpected character `{shown}`", span,
                      hints.get(char, "remove it"))


@dataclass
class _Block:
    opener: Token  # its `{`
    indent: int  # the indentation of the line the `{` is on
    indented: bool | None = None  # its first line inside is indented deeper (None: not yet)


class Layout:
    """Which block the indentation says was left unclosed: the innermost open block whose
    first line inside is indented deeper than its own line, at the first later line (not a
    `}`) that comes back to its indentation or less while it is still open. Braces are
    matched by count, so an unclosed block's `}` is taken by the next one that closes: the
    layout, not the count, names the block the user left open."""

    def __init__(self) -> None:
        self.open: list[_Block] = []
        self.left: tuple[Token, int] | None = None  # the block's `{`, the line that left it
        self._indent = 0
        self._line_start = True

    def see(self, token: Token) -> None:
        """Each token outside ( ) and [ ] (newlines inside them are not seen)."""
        if token.type == "_NL":
            self._line_start = True
            return
        if self._line_start:
            self._line_start = False
            self._indent = (token.column or 1) - 1
            for block in self.open:
                if block.indented is None:
                    block.indented = self._indent > block.indent
            ended = [b for b in self.open if b.indented and self._indent <= b.indent]
            if ended and token.type != "RBRACE" and self.left is None:
                self.left = (ended[-1].opener, token.line or 0)
        if token.type == "LBRACE":
            self.open.append(_Block(token, self._indent))
        elif token.type == "RBRACE" and self.open:
            self.open.pop()


class TokenFilter:
    """Drops newlines inside ( ) and [ ], matches brackets and bounds nesting depth."""

    def __init__(self, source: SourceFile, recovered: list[Diagnostic] | None = None):
        self.source = source
        self.stack: list[Token] = []
        self.layout = Layout()
        self.recovered = recovered  # where recoverable errors go (None: they raise)

    @property
    def open_bracket(self) -> str | None:
        """The token type of the innermost open bracket, if any."""
        return self.stack[-1].type if self.stack else None

    def filter(self, tokens: Iterable[Token]) -> Iterator[Token]:
        source, stack = self.source, self.stack
        commas: list[int] = []  # per open bracket, the commas seen in it
        for token in tokens:
            kind = token.type
            if kind == ERROR and token.value.startswith('"'):
                while stack and stack[-1].type != "LBRACE":  # the string took the line's
                    stack.pop()                              # closing ( and [ with it
                    commas.pop()
            _bounded(source, token)
            if kind == "COMMA" and commas:
                commas[-1] += 1
                if commas[-1] > MAX_ITEMS:
                    raise LexError(Diagnostic(
                        "ES109", f"more than {MAX_ITEMS:,} items in one list or call",
                        tok_span(source, stack[-1]), "no spec needs this many; keep long "
                        "data in a data file"))
            if kind in OPENERS:
                commas.append(0)
                stack.append(token)
                if len(stack) > MAX_DEPTH:
                    raise LexError(Diagnostic(
                        "ES108", f"nesting deeper than {MAX_DEPTH} levels", tok_span(source, token),
                        "flatten the value: specs never need this much nesting"))
            elif kind in CLOSERS:
                self._close(token)
                if commas:
                    commas.pop()
            elif kind == "_NL" and stack and stack[-1].type != "LBRACE":
                continue
            elif kind in ("NUMBER", "PERCENT") and _may_overflow(token.value):
                if _out_of_range(token.value):
                    token = self._error(token, Diagnostic(
                        "ES107", f"number `{token.value}` is out of range",
                        tok_span(source, token), "use a finite number of reasonable size"))
            elif kind == "STRING":
                try:
                    token = Token.new_borrow_pos("STRING", decode_string(source, token), token)
                except LexError as error:
                    token = self._error(token, error.diagnostic)
            self.layout.see(token)
            yield token
        if stack:
            raise LexError(self._unclosed())

    def _error(self, token: Token, problem: Diagnostic) -> Token:
        """An ERROR token in place of `token`, its diagnostic recorded; raised when errors
        are not being recovered from."""
        if self.recovered is None:
            raise LexError(problem)
        self.recovered.append(problem)
        return Token.new_borrow_pos(ERROR, token.value, token)

    def _unclosed(self) -> Diagnostic:
        """ES104 at the innermost bracket left open: an open ( or [, else the block the
        layout says was left open, else the last `{` the count leaves open."""
        opener, hint = self.stack[-1], f"add the matching `{OPENERS[self.stack[-1].type]}`"
        if opener.type == "LBRACE" and self.layout.left is not None:
            opener, line = self.layout.left
            hint += f" before line {line}"
        return Diagnostic("ES104", f"unclosed `{opener.value}`", tok_span(self.source, opener),
                          hint)

    def _close(self, token: Token) -> None:
        source, kind = self.source, token.type
        if not self.stack:
            raise LexError(Diagnostic(
                "ES104", f"unmatched `{token.value}`", tok_span(source, token),
                f"remove it, or add the `{CLOSERS[kind]}` it closes"))
        opener = self.stack.pop()
        if OPENERS[opener.type] != token.value:
            raise LexError(Diagnostic(
                "ES104", f"`{token.value}` does not close `{opener.value}`",
                tok_span(source, token), f"close it with `{OPENERS[opener.type]}` first",
                related=(Related(tok_span(source, opener), f"`{opener.value}` opened here"),)))


def _bounded(source: SourceFile, token: Token) -> None:
    """ES109 for a string literal or name longer than any spec needs."""
    limit = MAX_STRING + 2 if token.type == "STRING" else MAX_NAME if token.type == "NAME" \
        else None
    if limit is not None and len(token.value) > limit:
        what = "string" if token.type == "STRING" else "name"
        start = token.start_pos or 0
        raise LexError(Diagnostic(
            "ES109", f"a {what} of {len(token.value):,} characters is longer than "
            f"{limit - 2 if what == 'string' else limit:,}", source.span(start, start + 1),
            "keep long text in a data file; spec values are paths, names and settings"))


def decode_string(source: SourceFile, token: Token) -> str:
    """The value of a string literal; an unknown escape is a located error."""
    body = token.value[1:-1]
    base = (token.start_pos or 0) + 1

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if escape.startswith("u{"):
            code = int(escape[2:-1], 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
        raise LexError(Diagnostic(
            "ES106", f"invalid escape `\\{escape}` in string",
            source.span(base + match.start(), base + match.end()),
            'use one of \\" \\\\ \\n \\t \\u{hex}'))

    return _ESCAPE.sub(replace, body)


def number_value(text: str) -> int | float:
    """The value of a NUMBER or PERCENT token's text, before any percent scaling."""
    text = text.rstrip("%").replace("_", "")
    return float(text) if "." in text or "e" in text or "E" in text else int(text)


def _out_of_range(text: str) -> bool:
    """Whether a number is infinite or at least _MAX_NUMBER in size, decided without
    converting a huge integer (Python refuses over 4,300 digits, and floats overflow)."""
    digits = text.rstrip("%").replace("_", "")
    if not any(c in digits for c in ".eE"):
        whole = digits.lstrip("+-").lstrip("0")
        return len(whole) > len(str(int(_MAX_NUMBER))) or \
            (bool(whole) and int(whole) >= _MAX_NUMBER)
    value = float(digits)
    return not math.isfinite(value) or abs(value) >= _MAX_NUMBER


def _may_overflow(text: str) -> bool:
    """Cheap test before the exact one: short numbers without an exponent always fit."""
    return len(text) > 18 or "e" in text or "E" in text
