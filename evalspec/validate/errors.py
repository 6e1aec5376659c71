"""Pydantic errors as located diagnostics in the user's words, never Pydantic's."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from evalspec.diagnostics import Diagnostic, did_you_mean, one_of
from evalspec.source import Span
from evalspec.validate import model as m
from evalspec.validate.lower import NESTED_BLOCKS
from evalspec.validate.spans import Path, SpanIndex, data_path

_BLOCKS: dict[tuple[str | int | None, ...], tuple[type[BaseModel], str]] = {
    (): (m.Spec, "the file"),
    ("tasks", None): (m.Task, "task"),
    ("models", None): (m.Model, "model"),
    ("finetune",): (m.Finetune, "finetune"),
    ("finetune", "stages", None): (m.Stage, "stage"),
    ("metrics",): (m.Metrics, "metrics"),
    ("report",): (m.Report, "report"),
}
_TOP_BLOCKS = {
    "tasks": ("task", "add a `task NAME { … }` block with its `type` and `data`"),
    "models": ("model", "add a `model NAME { … }` block with its `source`"),
    "metrics": ("metrics", "add a `metrics { … }` block listing metrics, e.g. `accuracy`"),
}
_KINDS = {
    "int_type": "an integer", "int_from_float": "a whole number", "float_type": "a number",
    "string_type": "a string", "bool_type": "`true` or `false`", "list_type": "a list",
    "dict_type": "a block", "model_type": "a call", "literal_error": "one of the names",
}
_UNION_WHAT = {
    "data": "data source", "train": "data source", "validation": "data source",
    "test": "data source", "source": "model source", "optimizer": "optimizer",
    "schedule": "schedule", "split": "split", "early_stop": "early stopping rule",
    "metric": "metric", "confidence": "confidence method",
}


def from_validation_error(error: ValidationError, data: dict[str, Any], spans: SpanIndex,
                          dropped: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Diagnostics for Pydantic's errors; a block missing only because lowering already
    reported and left it out (`dropped`) is not reported again."""
    return [_diagnostic(e, data, spans) for e in error.errors(include_url=False)
            if not (e["type"] == "missing" and len(e["loc"]) == 1 and e["loc"][0] in dropped)]


def _node(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _owner(data: dict[str, Any], path: Path) -> tuple[type[BaseModel] | None, str]:
    """The model that holds the value at `path`, and how to name it in a message."""
    parent = _node(data, path[:-1])
    if isinstance(parent, dict) and isinstance(parent.get("fn"), str):
        fn = parent["fn"]
        return m.CALLS.get(fn), f"`{fn}(…)`"
    shape = tuple(p if i != len(path) - 2 or path[0] not in ("tasks", "models") else None
                  for i, p in enumerate(path[:-1]))
    if len(path) == 4 and path[:2] == ("finetune", "stages"):
        shape = ("finetune", "stages", None)
    found = _BLOCKS.get(shape)
    if found is None:
        return None, "this block"
    model, label = found
    if len(path) >= 2 and path[0] in ("tasks", "models"):
        return model, f"{label} `{path[1]}`"
    if shape == ("finetune", "stages", None):
        return model, f"stage `{path[2]}`"
    return model, f"`{label}`"


def _field_names(model: type[BaseModel] | None) -> list[str]:
    """What may be written in a block or call, as written: a field that holds labelled
    blocks as the block (`stage NAME { … }`, not `stages`)."""
    if model is None:
        return []
    written = {field: f"{keyword} NAME {{ … }}" for nested in NESTED_BLOCKS.values()
               for keyword, field in nested.items()}
    return [written.get(n, n) for n in model.model_fields if n != "fn"]


def _what(path: Path) -> str:
    names = [p for p in path if isinstance(p, str)]
    return _UNION_WHAT.get(names[-1] if names else "", "value")


def _diagnostic(error: ErrorDetails, data: dict[str, Any], spans: SpanIndex) -> Diagnostic:
    kind = error["type"]
    path = data_path(data, tuple(error["loc"]))
    value = _node(data, path)
    key = next((p for p in reversed(path) if isinstance(p, str)), "value")
    if path and isinstance(path[-1], int):
        key = f"{key}[{path[-1]}]"
    ctx = error.get("ctx", {})
    if kind == "extra_forbidden":
        owner, where = _owner(data, path)
        allowed = _field_names(owner)
        if key.startswith("#"):
            return Diagnostic("ES210", f"too many positional arguments for {where}",
                              spans.value(path), "remove it, or name it: `key = value`")
        code = "ES209" if where.startswith("`") and where.endswith("(…)`") else "ES201"
        noun = "argument" if code == "ES209" else "key"
        hint = did_you_mean(key, allowed) or (f"{noun}s are {one_of(allowed)}" if allowed
                                              else f"{where} takes no {noun}s")
        return Diagnostic(code, f"unknown {noun} `{key}` in {where}", spans.key(path), hint)
    if kind == "missing" and len(path) == 1 and path[0] in _TOP_BLOCKS:
        block, hint = _TOP_BLOCKS[str(path[0])]
        return Diagnostic("ES207", f"the spec has no `{block}` block", _version_line(spans), hint)
    if kind == "missing":
        owner, where = _owner(data, path)
        field_info = owner.model_fields.get(key) if owner else None
        example = _example(key, field_info.description if field_info else None)
        noun = "argument" if where.endswith("(…)`") else "key"
        call = spans.places.get((*path[:-1], "fn"))
        return Diagnostic("ES207", f"missing required {noun} `{key}` in {where}",
                          call.value if call else spans.key(path[:-1]), f"add `{key} = {example}`")
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", value))
        tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        what = _what(path)
        if isinstance(value, str) and not value.isidentifier():  # a string, not a name
            return Diagnostic("ES205", f"`{key}` must be a {what}, not {_shown(value)}",
                              spans.value(path), _union_hint(path, what))
        code = "ES203" if what == "metric" else "ES204"
        place = spans.places.get((*path, "fn"))
        return Diagnostic(code, f"unknown {what} `{tag}`",
                          place.value if place else spans.value(path),
                          did_you_mean(tag, tags) or f"{what}s are {one_of(tags)}")
    if kind in ("union_tag_not_found", "model_attributes_type", "dict_type", "model_type"):
        what = _what(path)
        return Diagnostic("ES205", f"`{key}` must be a {what}, not {_shown(value)}",
                          spans.value(path), _union_hint(path, what))
    if kind == "literal_error":
        expected = [e.strip().strip("'") for e in str(ctx.get("expected", "")).replace(
            " or ", ",").split(",") if e.strip()]
        shown = value if isinstance(value, str) else _shown(value)
        hint = (did_you_mean(str(value), expected) if isinstance(value, str) else None) or \
            f"use {one_of(expected)}"
        if not isinstance(value, str):
            return Diagnostic("ES205", f"`{key}` must be a name, not {_shown(value)}",
                              spans.value(path), hint)
        return Diagnostic("ES204", f"unknown value `{shown}` for `{key}`", spans.value(path),
                          hint)
    if kind in _KINDS or kind.endswith("_type") or kind.endswith("_parsing"):
        expected_kind = _KINDS.get(kind, kind.removesuffix("_type").replace("_", " "))
        return Diagnostic("ES205", f"`{key}` must be {expected_kind}, not {_shown(value)}",
                          spans.value(path), _type_hint(kind, value))
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "greater than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[kind]
        bound = next(iter(ctx.values()), "")
        show = _percent if key in _FRACTIONS else _num
        return Diagnostic("ES206", f"`{key}` must be {words} {show(bound)}, not {show(value)}",
                          spans.value(path), _range_hint(key, kind, bound))
    if kind in ("too_short", "too_long"):
        return Diagnostic("ES206", f"`{key}` must not be empty" if kind == "too_short"
                          else f"`{key}` is too long", spans.value(path),
                          "add at least one entry" if kind == "too_short" else None)
    if kind in ("string_too_short", "string_too_long"):
        return Diagnostic("ES206", f"`{key}` must not be an empty string" if
                          kind == "string_too_short" else f"`{key}` is too long",
                          spans.value(path))
    if kind == "finite_number":
        return Diagnostic("ES206", f"`{key}` must be a finite number", spans.value(path))
    message = str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    return Diagnostic("ES206", message, spans.value(path))


def _version_line(spans: SpanIndex) -> Span:
    """The `evalspec 1` line, else the start of the file: where a missing block is reported."""
    place = spans.places.get(("version",))
    if place is not None:
        return place.key
    start = spans.places[()].key
    return Span(start.start, start.start, start.line, start.column, start.line, start.column)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, int | float):
        return f"the number {_num(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return f"a call of `{value.get('fn')}(…)`"
    return "nothing"


_FRACTIONS = ("test", "validation", "warmup", "level")


def _percent(value: Any) -> str:
    return f"{value * 100:g}%" if isinstance(value, int | float) else str(value)


def _num(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _type_hint(kind: str, value: Any) -> str | None:
    if kind == "int_type" and isinstance(value, float):
        return "write a whole number without a decimal point or %"
    if kind in ("int_type", "float_type") and isinstance(value, str):
        if value.lower() in ("inf", "infinity", "nan"):
            return "use a finite number"
        return "numbers are written without quotes"
    if kind == "string_type" and isinstance(value, int | float):
        return 'put text in double quotes: "…"'
    if kind == "list_type":
        return "write a list in brackets: `[a, b]`"
    return None


def _range_hint(key: str, kind: str, bound: Any) -> str | None:
    if key in ("test", "validation", "warmup") and kind.startswith("less"):
        return "a fraction is below 100%, e.g. `20%` or `0.2`"
    return None


def _union_hint(path: Path, what: str) -> str | None:
    examples = {"data source": 'e.g. `csv("data/train.csv", text = "text", label = "label")`',
                "model source": 'e.g. `hf("bert-base-uncased")` or `timm("resnet18")`',
                "metric": "e.g. `accuracy` or `f1(average = macro)`",
                "optimizer": "e.g. `adamw(weight_decay = 0.01)`",
                "schedule": "e.g. `cosine(warmup = 10%)`",
                "split": "e.g. `holdout(test = 20%, validation = 10%)`"}
    return examples.get(what)


def _example(key: str, description: str | None) -> str:
    examples = {"type": "text_classification", "source": 'hf("bert-base-uncased")',
                "epochs": "3", "lr": "2e-5", "path": '"data/file.csv"', "id": '"org/model"',
                "name": '"name"', "dir": '"data/images"', "arch": "resnet18", "n": "2",
                "module": '"package_name"', "entries": "accuracy"}
    return examples.get(key, "…")
