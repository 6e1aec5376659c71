"""The language server over stdio (pygls): `check`'s diagnostics as you type, completion and
hover from `language.py`, go-to-definition of `primary` and `monitor` references, and
formatting through `fmt`'s layout."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from evalspec import __version__
from evalspec.api import check_source
from evalspec.diagnostics import Diagnostic, Severity
from evalspec.lsp import language
from evalspec.lsp.cursor import cursor, offset, word_at
from evalspec.lsp.models import cached_models
from evalspec.parse import ast, parse
from evalspec.parse.layout import layout
from evalspec.registry.models import MODEL_SOURCES
from evalspec.source import SourceFile, Span

SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error,
              Severity.WARNING: types.DiagnosticSeverity.Warning}
KINDS = {"block": types.CompletionItemKind.Module, "key": types.CompletionItemKind.Property,
         "value": types.CompletionItemKind.EnumMember,
         "call": types.CompletionItemKind.Function,
         "parameter": types.CompletionItemKind.Variable,
         "metric": types.CompletionItemKind.Value, "model": types.CompletionItemKind.Reference}
REFERENCE = re.compile(r"^(?:val|validation|test)\.")


def source_of(uri: str, text: str) -> SourceFile:
    """The document as a spec file: data paths resolve from its folder, as in `check`."""
    parsed = urlparse(uri)
    path = unquote(parsed.path) if parsed.scheme == "file" else "untitled.evalspec"
    return SourceFile(path, text)


def diagnostics(source: SourceFile) -> list[types.Diagnostic]:
    """`check`'s diagnostics of the text, as LSP diagnostics (same codes, spans and hints)."""
    return [_diagnostic(d) for d in check_source(source).diagnostics]


def _range(span: Span) -> types.Range:
    return types.Range(types.Position(span.line - 1, span.column - 1),
                       types.Position(span.end_line - 1, span.end_column - 1))


def _diagnostic(found: Diagnostic) -> types.Diagnostic:
    message = found.message + (f"\nhint: {found.hint}" if found.hint else "")
    where = _range(found.span) if found.span is not None else \
        types.Range(types.Position(0, 0), types.Position(0, 0))
    return types.Diagnostic(where, message, SEVERITIES[found.severity],
                            code=found.code, source="evalspec")


def completions(text: str, at: int) -> list[types.CompletionItem]:
    """What may be written at offset `at`."""
    here = cursor(text, at)
    if here.in_comment:
        return []
    if here.in_string:
        source = MODEL_SOURCES.get(here.call or "")
        takes_hub_id = source is not None and source.hub_id is not None and \
            here.calls[-1][1] in (None, source.hub_id)
        models = cached_models() if takes_hub_id else []
        return [_item(c) for c in models]
    if here.calls:
        name, parameter = here.calls[-1]
        if parameter == "monitor":
            return [_item(language.Choice(f"val.{name}", "metric", "a metric of the metrics "
                                          "block, on the validation split"))
                    for name in _metric_entries(text)] + \
                [_item(language.Choice("loss", "value", "the validation loss"))]
        if parameter is not None:
            return [_item(c) for c in language.parameter_values(name, parameter)]
        return [_item(c, f"{c.label} = ") for c in language.parameters(name)] + \
            [_item(c) for c in (language.values(here.path, here.key) if here.key else [])
             if c.kind != "call" or len(here.calls) > 1]
    if here.key is not None:
        if here.key == "primary":
            return [_item(language.Choice(name, "metric", "a metric of the metrics block"))
                    for name in _metric_entries(text)]
        return [_item(c, f"{c.label}(" if c.kind == "call" and language.parameters(c.label)
                      else None) for c in language.values(here.path, here.key)]
    if here.at_key:
        return [_item(c, f"{c.label} = " if c.kind == "key" else None)
                for c in language.keys(here.path) + language.blocks(here.path)]
    return []


def _item(choice: language.Choice, insert: str | None = None) -> types.CompletionItem:
    return types.CompletionItem(choice.label, kind=KINDS[choice.kind], detail=choice.doc,
                                insert_text=insert)


def hover(text: str, at: int) -> types.Hover | None:
    """The one-line doc of the word under offset `at`, with its docs page."""
    found = word_at(text, at)
    if found is None:
        return None
    start, end = found
    word = REFERENCE.sub("", text[start:end])
    here = cursor(text, start)
    choice = language.describe(word, here.path, here.key) if not here.calls else \
        next((c for c in language.parameters(here.calls[-1][0]) if c.label == word), None) \
        or language.describe(word, here.path, here.key)
    if choice is None or not choice.doc:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown,
                                           f"**{word}**: {choice.doc}\n\nSee `{choice.page}`."))


def _metrics_block(text: str) -> ast.Block | None:
    tree, _ = parse(SourceFile("spec.evalspec", text))
    if tree is None:
        return None
    return next((e for e in tree.entries if isinstance(e, ast.Block) and e.kind == "metrics"),
                None)


def _metric_entries(text: str) -> dict[str, Span]:
    """The metrics block's metric names, each with where it is declared."""
    block = _metrics_block(text)
    found: dict[str, Span] = {}
    for entry in block.entries if block else ():
        if isinstance(entry, ast.Attribute) and entry.key not in language.METRIC_RESERVED:
            found[entry.key] = entry.key_span
        elif isinstance(entry, ast.Item):
            value = entry.value
            found[value.name if isinstance(value, ast.Call) else str(value.value)] = \
                value.name_span if isinstance(value, ast.Call) else value.span
    return found


def definition(text: str, at: int) -> Span | None:
    """Where the metric named by a `primary` or `monitor` value under `at` is declared."""
    found = word_at(text, at)
    if found is None:
        return None
    here = cursor(text, found[0])
    key = here.calls[-1][1] if here.calls else here.key
    if key not in ("primary", "monitor"):
        return None
    return _metric_entries(text).get(REFERENCE.sub("", text[found[0]:found[1]]))


def formatting(text: str) -> list[types.TextEdit]:
    """One edit replacing the document with its canonical layout; none if it does not
    parse or is already laid out."""
    source = SourceFile("spec.evalspec", text)
    if parse(source)[1]:  # syntax errors: nothing is laid out
        return []
    laid = layout(source)
    if laid == text:
        return []
    lines = text.split("\n")
    end = types.Position(len(lines) - 1, len(lines[-1]))
    return [types.TextEdit(types.Range(types.Position(0, 0), end), laid)]


def server() -> LanguageServer:
    ls = LanguageServer("evalspec", __version__,
                        text_document_sync_kind=types.TextDocumentSyncKind.Full)

    def publish(uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri, diagnostics(source_of(uri, document.source)), version=document.version))

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    def text_and_offset(params: types.CompletionParams | types.HoverParams
                        | types.DefinitionParams) -> tuple[str, int]:
        text = ls.workspace.get_text_document(params.text_document.uri).source
        return text, offset(text, params.position.line, params.position.character)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=["=", "(", " ", ",", '"']))
    def complete(params: types.CompletionParams) -> types.CompletionList:
        return types.CompletionList(False, completions(*text_and_offset(params)))

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(params: types.HoverParams) -> types.Hover | None:
        return hover(*text_and_offset(params))

    @ls.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(params: types.DefinitionParams) -> types.Location | None:
        span = definition(*text_and_offset(params))
        return types.Location(params.text_document.uri, _range(span)) if span else None

    @ls.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit]:
        return formatting(ls.workspace.get_text_document(params.text_document.uri).source)

    return ls


def main() -> None:
    server().start_io()

