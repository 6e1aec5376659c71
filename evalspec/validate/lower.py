"""Syntax tree to plain data for Pydantic, recording where every value was written.

Structure that the grammar leaves open is decided here: which blocks exist at the top level,
which take a label, duplicate keys and labels, and the shape of the `metrics` block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from evalspec.diagnostics import Diagnostic, Related, did_you_mean, one_of
from evalspec.parse import ast
from evalspec.source import Span
from evalspec.validate.model import CALLS
from evalspec.validate.spans import Path, SpanIndex

LANGUAGE_VERSION = 1
TOP_BLOCKS = {"task": "tasks", "model": "models", "finetune": "finetune", "metrics": "metrics",
              "report": "report"}
LABELLED = {"task", "model"}
NESTED_BLOCKS = {"finetune": {"stage": "stages"}}  # labelled blocks inside a block
SECTIONS = {"task": {"evaluate": "evaluate", "perturb": "perturb"}}  # unlabelled, `key = value`
METRIC_RESERVED = ("primary", "confidence")


@dataclass
class Lowered:
    data: dict[str, Any]
    spans: SpanIndex
    diagnostics: list[Diagnostic] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)  # top-level keys of blocks left out


def lower(tree: ast.File) -> Lowered:
    """The file as nested dicts and lists, with a span for every path."""
    out = Lowered({}, SpanIndex())
    out.spans.add((), tree.span, tree.span)
    _header(tree, out)
    seen: dict[tuple[str, str | None], Span] = {}
    for entry in tree.entries:
        if not isinstance(entry, ast.Block):
            out.diagnostics.append(Diagnostic(
                "ES202", "only blocks may appear at the top level", entry.span,
                f"put it inside a block: {one_of(TOP_BLOCKS)}"))
            continue
        if entry.kind not in TOP_BLOCKS:
            out.diagnostics.append(Diagnostic(
                "ES202", f"unknown block `{entry.kind}`", entry.kind_span,
                did_you_mean(entry.kind, TOP_BLOCKS) or f"blocks are {one_of(TOP_BLOCKS)}"))
            # a misspelt block is not also reported as missing
            out.dropped.update(TOP_BLOCKS[k] for k in get_close_matches(entry.kind, TOP_BLOCKS))
            continue
        if not _label_ok(entry, out):
            out.dropped.add(TOP_BLOCKS[entry.kind])
            continue
        identity = (entry.kind, entry.label)
        if identity in seen:
            what = f"{entry.kind} `{entry.label}`" if entry.label else f"`{entry.kind}` block"
            out.diagnostics.append(Diagnostic(
                "ES306", f"duplicate {what}", entry.header,
                "rename it" if entry.label else "merge the two blocks into one",
                related=(Related(seen[identity], "first defined here"),)))
            continue
        seen[identity] = entry.header
        key = TOP_BLOCKS[entry.kind]
        if entry.kind in LABELLED:
            assert entry.label is not None
            path: Path = (key, entry.label)
            out.data.setdefault(key, {})[entry.label] = _block(entry, path, out)
        else:
            path = (key,)
            out.data[key] = _block(entry, path, out)
        out.spans.add(path, entry.header, entry.span)
    for kind in ("task", "model"):
        out.spans.places.setdefault((TOP_BLOCKS[kind],), out.spans.places[()])
    return out


def _header(tree: ast.File, out: Lowered) -> None:
    if not tree.headers:
        at = tree.entries[0].span if tree.entries else tree.span
        first = Span(at.start, at.start, at.line, at.column, at.line, at.column)
        out.diagnostics.append(Diagnostic(
            "ES100", "missing the language version line", first,
            "start the file with `evalspec 1`"))
        out.data["version"] = LANGUAGE_VERSION
        return
    header = tree.headers[0]
    out.spans.add(("version",), header.span, header.span)
    first_entry = tree.entries[0].span.start if tree.entries else header.span.end
    if header.span.start > first_entry or len(tree.headers) > 1:
        extra = tree.headers[1] if len(tree.headers) > 1 else header
        out.diagnostics.append(Diagnostic(
            "ES100", "`evalspec N` must be the first line, once", extra.span,
            "keep one `evalspec 1` line at the top of the file"))
    if isinstance(header.version, float) or header.version != LANGUAGE_VERSION:
        out.diagnostics.append(Diagnostic(
            "ES101", f"unsupported language version {header.version}", header.span,
            f"this evalspec reads version {LANGUAGE_VERSION}: `evalspec {LANGUAGE_VERSION}`"))
    out.data["version"] = LANGUAGE_VERSION


def _label_ok(block: ast.Block, out: Lowered) -> bool:
    if block.kind in LABELLED and block.label is None:
        out.diagnostics.append(Diagnostic(
            "ES208", f"`{block.kind}` needs a name", block.kind_span,
            f"name it: `{block.kind} my_{block.kind} {{ … }}`"))
        return False
    if block.kind not in LABELLED and block.label is not None and block.label_span is not None:
        out.diagnostics.append(Diagnostic(
            "ES208", f"`{block.kind}` takes no name", block.label_span,
            f"write `{block.kind} {{ … }}`"))
        return False
    return True


def _block(block: ast.Block, path: Path, out: Lowered) -> dict[str, Any]:
    if block.kind == "metrics":
        return _metrics(block, path, out)
    data: dict[str, Any] = {}
    keys: dict[str, Span] = {}
    nested = NESTED_BLOCKS.get(block.kind, {})
    sections = SECTIONS.get(block.kind, {})
    labels: dict[str, Span] = {}
    for entry in block.entries:
        if isinstance(entry, ast.Attribute):
            if _duplicate(entry.key, entry.key_span, keys, out):
                continue
            data[entry.key] = _value(entry.value, (*path, entry.key), entry.key_span, out)
        elif isinstance(entry, ast.Block) and entry.kind in nested:
            _nested(entry, path, nested[entry.kind], data, labels, out)
        elif isinstance(entry, ast.Block) and entry.kind in sections:
            _section(entry, path, sections[entry.kind], data, keys, out)
        elif isinstance(entry, ast.Block):
            inner = [*nested, *sections]
            hint = did_you_mean(entry.kind, inner) or (
                f"blocks inside `{block.kind}` are {one_of(inner)}" if inner
                else f"`{block.kind}` holds only `key = value` entries")
            out.diagnostics.append(Diagnostic(
                "ES202", f"unknown block `{entry.kind}` in `{block.kind}`", entry.kind_span,
                hint))
        else:
            name = entry.value.name if isinstance(entry.value, ast.Call) else entry.value.value
            out.diagnostics.append(Diagnostic(
                "ES201", f"`{name}` needs a value here", entry.span,
                f"write `{name} = …`: entries in `{block.kind}` are `key = value`"))
    return data


def _nested(block: ast.Block, path: Path, key: str, data: dict[str, Any],
            labels: dict[str, Span], out: Lowered) -> None:
    if block.label is None or block.label_span is None:
        out.diagnostics.append(Diagnostic(
            "ES208", f"`{block.kind}` needs a name", block.kind_span,
            f"name it: `{block.kind} probe {{ … }}`"))
        return
    if block.label in labels:
        out.diagnostics.append(Diagnostic(
            "ES306", f"duplicate {block.kind} `{block.label}`", block.label_span,
            "give each stage its own name",
            related=(Related(labels[block.label], "first defined here"),)))
        return
    labels[block.label] = block.label_span
    child: Path = (*path, key, block.label)
    data.setdefault(key, {})[block.label] = _block(block, child, out)
    out.spans.add(child, block.header, block.span)
    out.spans.places.setdefault((*path, key), out.spans.places.get(path, None) or
                                 out.spans.places[()])


def _section(block: ast.Block, path: Path, key: str, data: dict[str, Any],
             keys: dict[str, Span], out: Lowered) -> None:
    """An unlabelled block of `name = value` entries inside a block (`evaluate { … }`)."""
    if block.label is not None and block.label_span is not None:
        out.diagnostics.append(Diagnostic(
            "ES208", f"`{block.kind}` takes no name", block.label_span,
            f"write `{block.kind} {{ NAME = … }}`: each entry inside names one"))
        return
    if _duplicate(block.kind, block.kind_span, keys, out):
        return
    child: Path = (*path, key)
    data[key] = _block(block, child, out)
    out.spans.add(child, block.header, block.span)


def _duplicate(key: str, span: Span, keys: dict[str, Span], out: Lowered) -> bool:
    if key in keys:
        out.diagnostics.append(Diagnostic(
            "ES306", f"duplicate key `{key}`", span, "keep one of them",
            related=(Related(keys[key], "first set here"),)))
        return True
    keys[key] = span
    return False


def _metrics(block: ast.Block, path: Path, out: Lowered) -> dict[str, Any]:
    data: dict[str, Any] = {"entries": []}
    names: dict[str, Span] = {}
    keys: dict[str, Span] = {}
    for entry in block.entries:
        if isinstance(entry, ast.Block):
            out.diagnostics.append(Diagnostic(
                "ES202", f"unexpected block `{entry.kind}` in `metrics`", entry.kind_span,
                "list metrics one per line: `accuracy` or `f1 = f1(average = macro)`"))
            continue
        if isinstance(entry, ast.Attribute) and entry.key in METRIC_RESERVED:
            if not _duplicate(entry.key, entry.key_span, keys, out):
                data[entry.key] = _value(entry.value, (*path, entry.key), entry.key_span, out)
            continue
        if isinstance(entry, ast.Attribute):
            name, name_span, value = entry.key, entry.key_span, entry.value
        else:
            value = entry.value
            name_span = value.name_span if isinstance(value, ast.Call) else value.span
            name = value.name if isinstance(value, ast.Call) else value.value
        if name in names:
            out.diagnostics.append(Diagnostic(
                "ES306", f"duplicate metric name `{name}`", name_span,
                f"give one its own name: `{name}_2 = …`",
                related=(Related(names[name], "first declared here"),)))
            continue
        names[name] = name_span
        index = len(data["entries"])
        entry_path: Path = (*path, "entries", index)
        metric = _value(value, (*entry_path, "metric"), name_span, out)
        data["entries"].append({"name": name, "metric": metric})
        out.spans.add(entry_path, name_span, value.span)
        out.spans.add((*entry_path, "name"), name_span, name_span)
    out.spans.add((*path, "entries"), block.header, block.span)
    return data


def _value(value: ast.Value, path: Path, key: Span, out: Lowered) -> Any:
    """A value as plain data; calls become {"fn": name, param: value}."""
    out.spans.add(path, key, value.span)
    match value:
        case ast.String() | ast.Number() | ast.Bool() | ast.Name():
            return value.value
        case ast.Ref():
            return value.dotted
        case ast.ListValue():
            return [_value(item, (*path, i), item.span, out) for i, item in enumerate(value.items)]
        case ast.Call():
            return _call(value, path, out)


def _call(call: ast.Call, path: Path, out: Lowered) -> dict[str, Any]:
    data: dict[str, Any] = {"fn": call.name}
    out.spans.add((*path, "fn"), call.name_span, call.name_span)
    model = CALLS.get(call.name)
    positional = model.positional if model else ()
    seen: dict[str, Span] = {}
    keyword_seen = False
    for index, arg in enumerate(call.args):
        if arg.name is None:
            if keyword_seen:
                out.diagnostics.append(Diagnostic(
                    "ES210", "positional argument after a keyword argument", arg.span,
                    "put positional arguments first, or name this one: `key = value`"))
                continue
            if model is not None and index >= len(positional):
                allowed = f"{len(positional)}" if positional else "no"
                out.diagnostics.append(Diagnostic(
                    "ES210", f"too many positional arguments for `{call.name}(…)`", arg.span,
                    f"`{call.name}` takes {allowed} positional argument"
                    f"{'s' if len(positional) != 1 else ''}; name the rest: `key = value`"))
                continue
            key = positional[index] if model is not None else f"#{index}"
            key_span = arg.value.span
        else:
            keyword_seen = True
            key, key_span = arg.name, arg.name_span or arg.value.span
        if key == "fn":
            out.diagnostics.append(Diagnostic(
                "ES209", f"unknown argument `fn` in `{call.name}(…)`", key_span, "remove it"))
            continue
        if _duplicate(key, key_span, seen, out):
            continue
        data[key] = _value(arg.value, (*path, key), key_span, out)
    return data
