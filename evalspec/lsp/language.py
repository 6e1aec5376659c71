"""What may be written where, for completion and hover: the blocks, the keys of each block,
the values and calls each key takes, each call's parameters, with a one-line doc and the
docs page for each. Read from the spec's JSON Schema, the call models and the registries,
so the editor knows what `check` knows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.lower import METRIC_RESERVED, NESTED_BLOCKS, SECTIONS, TOP_BLOCKS
from evalspec.validate.model import CALLS

LANGUAGE_DOCS = "docs/language.md"
METRICS_DOCS = "docs/metrics.md"
# A block path (the kinds of the blocks around the cursor) → its model in the JSON Schema.
MODELS = {("task",): "Task", ("model",): "Model", ("finetune",): "Finetune",
          ("finetune", "stage"): "Stage", ("metrics",): "Metrics", ("report",): "Report"}
BLOCK_DOCS = {
    "task": "a task: its type, data, labels and split",
    "model": "a candidate model: where it comes from and how it reads its input",
    "finetune": "the fine-tuning schedule shared by every candidate",
    "stage": "one stage of the schedule: what trains, for how long, at which rate",
    "metrics": "what to measure, the primary metric and the confidence intervals",
    "report": "the report's title, formats and output folder",
    "evaluate": "extra evaluation sets: `NAME = source`, judged with the trained models",
    "perturb": "perturbations of the test split: `NAME = call`, nothing retrained",
}


@dataclass(frozen=True)
class Choice:
    """One completion: the text, what it is (block, key, value, call, parameter, metric),
    its one-line doc and the docs page."""

    label: str
    kind: str
    doc: str
    page: str = LANGUAGE_DOCS


@functools.cache
def _schema() -> dict[str, Any]:
    from evalspec.published import spec_schema

    return spec_schema()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return _schema()["$defs"][ref.rsplit("/", 1)[-1]] if ref else node


def _model(path: tuple[str, ...]) -> dict[str, Any] | None:
    name = MODELS.get(path)
    return _schema()["$defs"][name] if name else None


def blocks(path: tuple[str, ...]) -> list[Choice]:
    """The blocks that may open here."""
    if not path:
        kinds: list[str] = list(TOP_BLOCKS)
    else:
        kinds = [*NESTED_BLOCKS.get(path[-1], {}), *SECTIONS.get(path[-1], {})]
    return [Choice(kind, "block", BLOCK_DOCS.get(kind, ""), _page(kind)) for kind in kinds]


def _page(kind: str) -> str:
    anchor = {"evaluate": "beyond-the-test-split-evaluate-and-perturb",
              "perturb": "beyond-the-test-split-evaluate-and-perturb"}.get(kind, kind)
    return f"{LANGUAGE_DOCS}#{anchor}"


def keys(path: tuple[str, ...]) -> list[Choice]:
    """The `key = value` keys of the block at `path` (in `metrics`: also the metrics)."""
    if path and path[-1] in ("evaluate", "perturb"):
        return []
    model = _model(path)
    if model is None:
        return []
    nested = {*NESTED_BLOCKS.get(path[-1], {}).values(), *SECTIONS.get(path[-1], {}).values()}
    found = [Choice(key, "key", field.get("description", ""), _page(path[-1]))
             for key, field in model["properties"].items()
             if key not in nested and key not in ("entries", "fn")]
    if path == ("metrics",):
        found = [c for c in found if c.label in METRIC_RESERVED] + metric_names()
    return found


def metric_names() -> list[Choice]:
    return [Choice(name, "metric", metric.description, f"{METRICS_DOCS}#{name}")
            for name, metric in METRICS.items()]


def values(path: tuple[str, ...], key: str) -> list[Choice]:
    """What may follow `key =` in the block at `path`: names, booleans and calls."""
    if path and path[-1] == "evaluate":
        return _options({"oneOf": [{"$ref": f"#/$defs/{CALLS[n].__name__}"}
                                   for n in DATA_SOURCES]})
    if path and path[-1] == "perturb":
        task = _schema()["$defs"]["Task"]["properties"]["perturb"]
        return _options(task["additionalProperties"])
    model = _model(path)
    if model is None or key not in model["properties"]:
        return []
    return _options(model["properties"][key])


def parameters(call: str) -> list[Choice]:
    """The keyword parameters of a call (`csv`, `holdout`, `patience`, …)."""
    model = CALLS.get(call)
    if model is None:
        return []
    return [Choice(name, "parameter", field.description or "")
            for name, field in model.model_fields.items() if name != "fn"]


def parameter_values(call: str, parameter: str) -> list[Choice]:
    """What a call's parameter takes."""
    model = CALLS.get(call)
    if model is None:
        return []
    node = _resolve(_schema()["$defs"].get(model.__name__, {})).get("properties", {}) \
        .get(parameter)
    return _options(node) if node else []


def _options(node: dict[str, Any]) -> list[Choice]:
    """The names, booleans and calls a schema node accepts."""
    node = _resolve(node)
    found: list[Choice] = []
    for part in node.get("anyOf", []) + node.get("oneOf", []):
        found += _options(part)
    if "items" in node:
        found += _options(node["items"])
    for value in node.get("enum", []):
        found.append(Choice(str(value), "value", _value_doc(str(value))))
    properties = node.get("properties", {})
    if "fn" in properties and "const" in properties["fn"]:
        found.append(call_choice(properties["fn"]["const"]))
    if node.get("type") == "boolean":
        found += [Choice("true", "value", ""), Choice("false", "value", "")]
    return list({c.label: c for c in found}.values())


def call_choice(name: str) -> Choice:
    model = CALLS[name]
    return Choice(name, "call", model.summary or (model.__doc__ or "").strip().split("\n")[0])


def _value_doc(value: str) -> str:
    return TASK_TYPES[value].description if value in TASK_TYPES else ""


def describe(word: str, path: tuple[str, ...], key: str | None) -> Choice | None:
    """The doc of a word where it stands: a block, a key, a value of `key`, a call or a
    metric."""
    candidates = (values(path, key) if key else []) + keys(path) + blocks(path[:-1]) \
        + blocks(path)
    for choice in candidates:
        if choice.label == word:
            return choice
    if word in CALLS:
        return call_choice(word)
    if word in METRICS:
        return next(c for c in metric_names() if c.label == word)
    return None
