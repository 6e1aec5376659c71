"""Text to syntax tree: the only code that knows Lark."""

from __future__ import annotations

import builtins
import re
from contextvars import ContextVar
from functools import cache

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from evalspec.assets import grammar_file
from evalspec.diagnostics import Diagnostic
from evalspec.parse import ast
from evalspec.parse.lexer import (
    CLOSERS,
    ERROR,
    OPENERS,
    LexError,
    TokenFilter,
    number_value,
    scan,
    scanner_for,
    tok_span,
)
from evalspec.source import SourceFile, Span

_VALUE_STARTS = {"STRING", "NUMBER", "PERCENT", "TRUE", "FALSE", "NAME", "LSQB"}
_HUMAN = {
    "LBRACE": "`{`", "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`",
    "RSQB": "`]`", "COMMA": "`,`", "EQUAL": "`=`", "DOT": "`.`", "NAME": "a name",
    "STRING": "a string", "NUMBER": "a number", "PERCENT": "a percentage",
    "TRUE": "`true`", "FALSE": "`false`", "EVALSPEC": "`evalspec`", "_NL": "a new line",
    "$END": "the end of the file",
}
_SOURCE: ContextVar[SourceFile] = ContextVar("evalspec_parse_source")


@cache
def _lark() -> tuple[Lark, re.Pattern[str]]:
    parser = Lark(grammar_file().read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                  transformer=_ToAst(), maybe_placeholders=False)
    return parser, scanner_for(parser.terminals)


def parse(source: SourceFile) -> tuple[ast.File | None, list[Diagnostic]]:
    """Parse a spec: its tree and every syntax error in it, in order. After an error the
    parser resynchronises at the next entry of the block it is in (the next key, block or
    `}`): the broken entry is left out of the tree, and the error is reported once, with no
    follow-on errors. The tree is None only when the text cannot be read to its end (a
    bracket left open or closed twice, a size limit)."""
    parser, master = _lark()
    errors: list[Diagnostic] = []
    tokens = TokenFilter(source, errors)
    recovery = _Recovery(parser.parse_interactive(""))
    reset = _SOURCE.set(source)
    diagnostics: list[Diagnostic] = []
    try:
        for token in tokens.filter(scan(source, master, recovered=errors)):
            if recovery.skip(token):
                if token.type == ERROR:
                    errors.pop(0)  # a second error in an entry already reported
                continue
            if token.type == ERROR:
                diagnostics.append(errors.pop(0))
                recovery.fail(token)
                continue
            try:
                recovery.feed(token)
            except UnexpectedToken as error:
                diagnostics.append(_unexpected(source, error, tokens.open_bracket))
                recovery.fail(token)
        try:
            tree = recovery.finish()
        except UnexpectedToken as error:  # the file ends inside an entry: leave it out
            diagnostics.append(_unexpected(source, error, tokens.open_bracket))
            tree = recovery.entry.copy(deepcopy_values=False).feed_eof(recovery.last)
    except LexError as error:
        return None, [*diagnostics, error.diagnostic]
    except UnexpectedToken as error:
        return None, [*diagnostics, _unexpected(source, error, tokens.open_bracket)]
    finally:
        _SOURCE.reset(reset)
    return tree, diagnostics


class _Recovery:
    """The LALR parser fed token by token, with the state where the current entry began
    kept (copied without deep-copying values: tokens and tree nodes never change). After
    a syntax error the parser goes back to that state and the entry's tokens are skipped
    up to the end of its line at its own brace depth (a block it opened skipped whole), or
    to the `}` that closes the block it is in."""

    def __init__(self, interactive: InteractiveParser):
        self.parser = interactive
        self.entry = interactive.copy(deepcopy_values=False)  # where the entry began
        self.depth = 0  # `{` open
        self.skipping: int | None = None  # recovering: the depth to get back to
        self.last: Token | None = None

    def feed(self, token: Token) -> None:
        self.parser.feed_token(token)
        self.last = token
        if token.type == "LBRACE":
            self.depth += 1
        elif token.type == "RBRACE":
            self.depth -= 1
        if token.type in ("_NL", "LBRACE"):
            self.entry = self.parser.copy(deepcopy_values=False)

    def fail(self, token: Token) -> None:
        """Back to the state where the broken entry began; `token`, where it broke, is the
        first one skipped."""
        self.parser, self.skipping = self.entry.copy(deepcopy_values=False), self.depth
        self.skip(token)

    def skip(self, token: Token) -> bool:
        """While recovering, take `token` out of the parse (counting the braces it opens
        and closes) and return True; the token that ends the broken entry (its `_NL`, or
        the enclosing block's `}`) ends the recovery and is fed. Not recovering: False,
        and nothing is done."""
        if self.skipping is None:
            return False
        if token.type == "LBRACE":
            self.depth += 1
            return True
        if token.type == "RBRACE" and self.depth > self.skipping:
            self.depth -= 1
            return True
        if token.type == "RBRACE" or (token.type == "_NL" and self.depth == self.skipping):
            self.skipping = None
            self.feed(token)
        return True

    def finish(self) -> ast.File:
        """The tree; while recovering, of the entries before the broken one."""
        ended = self.entry.copy(deepcopy_values=False) if self.skipping is not None \
            else self.parser
        tree: ast.File = ended.feed_eof(self.last)
        return tree


def layout_tokens(source: SourceFile) -> list[Token]:
    """The source's tokens as written, comments and newlines included (strings undecoded),
    for the formatter; only for a source that parses."""
    return list(scan(source, _lark()[1], comments=True))


def _expected(names: set[str], open_bracket: str | None) -> str:
    """What the parser would have accepted, in the user's words."""
    names = {n for n in names if not n.startswith("__")}
    closer = {"LBRACE": "RBRACE", "LPAR": "RPAR", "LSQB": "RSQB"}.get(open_bracket or "")
    names -= {c for c in CLOSERS if c != closer}
    if open_bracket in ("LPAR", "LSQB"):
        names -= {"_NL", "$END"}
    else:
        names.discard("COMMA")
        if open_bracket == "LBRACE":
            names -= {"$END", "EVALSPEC"}
    words: list[str] = []
    if names >= _VALUE_STARTS:
        words.append("a value")
        names -= _VALUE_STARTS
    words += sorted(_HUMAN.get(n, n.lower()) for n in names)
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _unexpected(source: SourceFile, error: UnexpectedToken, open_bracket: str | None) -> Diagnostic:
    token = error.token
    expected = _expected(set(error.accepts or error.expected), open_bracket)
    if token.type == "$END":
        end = len(source.text)
        return Diagnostic("ES102", f"unexpected end of file; expected {expected}",
                          source.span(end, end))
    span = tok_span(source, token)
    hint = None
    if token.type == "NAME" and "a new line" in expected:
        hint = "put each entry on its own line"
    elif token.type == "_NL" and "`=`" in expected:
        hint = "give the key a value: `key = value`"
    elif token.type == "EQUAL":
        hint = "only a name can stand before `=`"
    elif token.type in OPENERS and open_bracket is None and token.type == "LPAR":
        hint = "parentheses only follow a function name: `holdout(test = 20%)`"
    if token.type == "_NL":
        return Diagnostic("ES102", f"unexpected end of line; expected {expected}",
                          source.span(span.start, span.start), hint)
    return Diagnostic("ES102", f"unexpected `{token.value}`; expected {expected}", span, hint)


class _ToAst(Transformer):  # type: ignore[type-arg]
    """Reduction callbacks that build evalspec.parse.ast while the LALR parser runs: no tree
    is built and nothing recurses, however deep the input nests."""

    @property
    def source(self) -> SourceFile:
        return _SOURCE.get()

    def _tok(self, token: Token) -> Span:
        return tok_span(self.source, token)

    def _cover(self, first: object, last: object) -> Span:
        def span_of(x: object) -> Span:
            return self._tok(x) if isinstance(x, Token) else x.span  # type: ignore[attr-defined]
        return span_of(first).cover(span_of(last))

    def start(self, items: list[object]) -> ast.File:
        headers = tuple(i for i in items if isinstance(i, ast.Header))
        entries = tuple(i for i in items if not isinstance(i, ast.Header))
        return ast.File(headers, entries, self.source.span(0, len(self.source.text)))  # type: ignore[arg-type]

    def header(self, children: list[Token]) -> ast.Header:
        keyword, number = children
        return ast.Header(number_value(number.value), self._cover(keyword, number))

    def block(self, children: list[object]) -> ast.Block:
        tokens = [c for c in children if isinstance(c, Token)]
        entries = tuple(c for c in children if not isinstance(c, Token))
        kind, rbrace = tokens[0], tokens[-1]
        label = tokens[1] if tokens[1].type == "NAME" else None
        return ast.Block(kind.value, self._tok(kind), label.value if label else None,
                         self._tok(label) if label else None, entries,  # type: ignore[arg-type]
                         self._cover(kind, rbrace))

    def attribute(self, children: list) -> ast.Attribute:  # type: ignore[type-arg]
        key, _eq, value = children
        return ast.Attribute(key.value, self._tok(key), value)

    def bare_item(self, children: list[Token]) -> ast.Item:
        return ast.Item(ast.Name(children[0].value, self._tok(children[0])))

    def call_item(self, children: list[ast.Call]) -> ast.Item:
        return ast.Item(children[0])

    def string(self, children: list[Token]) -> ast.String:
        return ast.String(children[0].value, self._tok(children[0]))

    def number(self, children: list[Token]) -> ast.Number:
        return ast.Number(number_value(children[0].value), self._tok(children[0]))

    def percent(self, children: list[Token]) -> ast.Number:
        return ast.Number(number_value(children[0].value) / 100, self._tok(children[0]), True)

    def true(self, children: list[Token]) -> ast.Bool:
        return ast.Bool(True, self._tok(children[0]))

    def false(self, children: list[Token]) -> ast.Bool:
        return ast.Bool(False, self._tok(children[0]))

    def name(self, children: list[Token]) -> ast.Name:
        return ast.Name(children[0].value, self._tok(children[0]))

    def ref(self, tokens: list[Token]) -> ast.Ref:
        parts = tuple(t.value for t in tokens if t.type == "NAME")
        return ast.Ref(parts, self._cover(tokens[0], tokens[-1]))

    def list(self, children: list[object]) -> ast.ListValue:
        items = tuple(c for c in children if not isinstance(c, Token))
        return ast.ListValue(items, self._cover(children[0], children[-1]))  # type: ignore[arg-type]

    def call(self, children: builtins.list[object]) -> ast.Call:
        name = children[0]
        assert isinstance(name, Token)
        args = tuple(c for c in children if isinstance(c, ast.Arg))
        return ast.Call(name.value, self._tok(name), args, self._cover(name, children[-1]))

    def positional(self, children: builtins.list[ast.Value]) -> ast.Arg:
        return ast.Arg(None, None, children[0])

    def keyword(self, children: builtins.list) -> ast.Arg:  # type: ignore[type-arg]
        name, _eq, value = children
        return ast.Arg(name.value, self._tok(name), value)
