"""Builds the report's view model (`page.py`) from a results document and its predictions:
every rounding, ordering, colour and "best" mark is decided here and in `tables.py`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evalspec.registry.tasks import family_of
from evalspec.report import (
    classes,
    curves,
    figures,
    prescreen,
    race,
    robustness,
    sentences,
    significance,
    tables,
    transcripts,
)
from evalspec.report import numbers as fmt
from evalspec.report.numbers import visible
from evalspec.report.page import (
    Column,
    Fact,
    Provenance,
    Report,
    Row,
    Table,
    TaskView,
    Value,
    Verdict,
)
from evalspec.results.files import read_jsonl
from evalspec.results.schema import Cell, ResultsDocument, Task

PALETTE = ("#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777",
           "#65a30d", "#4b5563", "#9333ea")


# ------------------------------------------------------------------------------ loading
def load_predictions(document: ResultsDocument, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Each cell's predictions file, by its name in the document; files that are missing,
    unreadable or outside the results folder are left out (the report says so)."""
    found = {}
    base = root.resolve()
    for cell in document.cells:
        path = (base / cell.predictions).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            continue
        try:
            found[cell.predictions] = read_jsonl(path)
        except (OSError, ValueError):
            continue
    return found


# ------------------------------------------------------------------------------ building
def build(document: ResultsDocument, predictions: Mapping[str, list[dict[str, Any]]]) -> Report:
    colours = _colours(document)
    anchors = _anchors(list(document.tasks))
    tasks = tuple(_task(document, name, task, anchors[name], colours, predictions)
                  for name, task in document.tasks.items())
    env = document.environment
    byline = (Fact("Spec", visible(document.spec.path)),
              Fact("Finished", _when(document.finished) if document.finished else "in progress"),
              Fact("Device", visible(f"{env.device_name} ({env.device})")),
              Fact("Seeds", ", ".join(str(s) for s in document.seeds)))
    glossary = tuple(Fact(visible(m.name), visible(_definition(m.name, m.metric, m.params,
                                                               m.definition)))
                     for m in document.metrics)
    return Report(visible(document.title), document.complete, byline, tasks, glossary,
                  visible(document.spec.path), visible(document.spec.text, keep_lines=True),
                  document.spec.sha256, _provenance(document),
                  f"evalspec {visible(document.evalspec_version)} · results schema "
                  f"{document.schema_version}",
                  any(t.entity_types is not None or t.per_class is not None or t.examples
                      or t.transcripts or t.disagreements for t in tasks))


def _colours(document: ResultsDocument) -> dict[str, str]:
    order: list[str] = []
    for task in document.tasks.values():
        for model in [r.model for r in task.leaderboard] + list(task.models):
            if model not in order:
                order.append(model)
    for cell in document.cells:
        if cell.model not in order:
            order.append(cell.model)
    for task in document.tasks.values():  # candidates the pre-screen dropped
        for model in task.prescreen.candidates if task.prescreen else ():
            if model not in order:
                order.append(model)
        for stop in task.race.stopped if task.race else ():
            if stop.model not in order:
                order.append(stop.model)
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(order)}


def _anchors(names: Sequence[str]) -> dict[str, str]:
    return {name: f"task-{i}-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x")
            for i, name in enumerate(names, start=1)}


def _when(stamp: str) -> str:
    return visible(stamp.replace("T", " ").replace("+00:00", " UTC"))


def _definition(name: str, metric: str, params: Mapping[str, Any], definition: str) -> str:
    """`f1(average = macro): harmonic mean …`; the bare definition when the name says it all."""
    inside = ", ".join(f"{k} = {fmt.written(v)}" for k, v in params.items() if v is not None)
    call = f"{metric}({inside})" if inside else metric
    return definition if call == name else f"{call}: {definition}"


def _order(task: Task) -> list[str]:
    ranked = [r.model for r in task.leaderboard]
    return ranked + [m for m in task.models if m not in ranked]


def _task(document: ResultsDocument, name: str, task: Task, anchor: str,
          colours: Mapping[str, str], predictions: Mapping[str, list[dict[str, Any]]]) -> TaskView:
    order = _order(task)
    rank_one = task.leaderboard[0].model if task.leaderboard else None
    cells = [c for c in document.cells if c.task == name]
    verdict = _verdict(document, task)
    pooled, notes = _pooled(task, cells, order, predictions)
    seeds = max((len(task.models[m].seeds) for m in order), default=1)
    sections = set(family_of(task.type).sections) if task.labels else set()
    plots = figures.quality_plots(anchor, task, pooled, colours, seeds) \
        if "quality_plots" in sections and pooled else ()
    examples, unread = sentences.examples(task, cells, order, colours, predictions) \
        if "examples" in sections else ((), [])
    spoken, unheard = transcripts.transcripts(task, cells, order, colours, predictions) \
        if "transcripts" in sections else ((), [])
    sizes = task.sizes
    return TaskView(
        visible(name), anchor, task.type.replace("_", " "),
        tuple(visible(label) for label in task.labels), visible(task.positive or ""),
        (Fact("train", f"{sizes.train:,}"), Fact("validation", f"{sizes.validation:,}"),
         Fact("test", f"{sizes.test:,}")),
        _split_text(task),
        tuple(Fact(visible(k), visible(v)) for k, v in sorted(task.fingerprints.items())),
        verdict, tables.leaderboard(document, task, colours),
        tables.metrics(document, {m: task.models[m].metrics for m in order},
                       {m: task.models[m].seeds for m in order}, order, colours),
        tables.cost(task, order, colours), tables.seeds(document, task, cells, order, colours),
        tables.confusions(task, pooled, order, colours) if "confusion" in sections else (),
        plots, figures.learning(anchor, cells, order, colours),
        figures.tradeoff(anchor, task, document.primary, tables.higher_is_better(document),
                         order, colours, rank_one if verdict.kind != "none" else None),
        tuple(notes + unread + unheard),
        tables.entity_types(document, task, cells, order, colours)
        if "entity_types" in sections else None,
        examples, _repairs(task), spoken, robustness.beyond(document, task, order, colours),
        robustness.evaluated(document, task, order, colours),
        classes.per_class(task, order, colours) if "per_class" in sections else None,
        classes.disagreements(task, order, colours) if "disagreements" in sections else (),
        prescreen.table(task, colours), prescreen.agreement(task), race.stopped(task, colours),
        race.note(task), _one_seed(task, cells) if seeds == 1 else "",
        robustness.floor_note(document, task))


def _one_seed(task: Task, cells: Sequence[Cell]) -> str:
    """What a single training run per model leaves unmeasured; empty when nothing was
    trained (models evaluated as they are vary with no seed)."""
    ran = [c.seed for c in cells if c.stages and c.model in task.models]
    if not ran:
        return ""
    return (f"One seed ran (seed {ran[0]}), so each model was trained once: variation "
            "between training runs is not measured, and the intervals and p-values cover "
            "the sampling of test examples only; declare several seeds in finetune "
            "(seeds = [0, 1, 2]) to measure it.")


def _repairs(task: Task) -> str:
    """Gold tags changed when the data was read as IOB2, per split: "train 3, test 1"."""
    order = {name: i for i, name in enumerate(("train", "validation", "test"))}
    return ", ".join(f"{visible(name)} {count:,}" for name, count in
                     sorted(task.tag_repairs.items(), key=lambda kv: order.get(kv[0], 3))
                     if count)


def _split_text(task: Task) -> str:
    if task.split is None:
        return "explicit train, validation and test files"
    s = task.split
    return (f"holdout: {fmt.percent(s.test)} test, {fmt.percent(s.validation)} validation, "
            f"seed {s.seed}" + (", stratified" if s.stratify and family_of(task.type).stratify
                                else ""))


# ------------------------------------------------------------------------------ verdict
def _verdict(document: ResultsDocument, task: Task) -> Verdict:
    metric = visible(document.primary)
    rows = task.leaderboard

    def verdict(kind: str, pick: str = "", others: Sequence[str] = (), p: str = "",
                cheapest: tuple[str, str] = ("", ""), reason: str = "") -> Verdict:
        first = rows[0] if rows else None
        level = first.interval.level if first else 0.95
        value = fmt.number(first.value.value) if first else ""
        span = fmt.span(first.interval.low, first.interval.high) if first else ""
        return Verdict(kind, visible(pick), metric, value, span, fmt.percent(level),
                       f"{1 - level:.2g}", tuple(visible(o) for o in others), p,
                       visible(cheapest[0]), cheapest[1], visible(reason))

    if not rows:
        return verdict("none", reason="no model has finished yet" if not task.models else
                       f"the primary metric {document.primary} does not apply to this task")
    first = rows[0]
    if first.value.value is None:
        return verdict("none", reason=f"{document.primary} is undefined for every model: "
                                      f"{first.value.undefined}")
    if len(rows) == 1:
        return verdict("single", first.model)
    floor = significance.ranking_floor(document)
    tied = [r for r in rows[1:] if r.tied_for_first]
    if not tied:
        worse = [r for r in rows[1:] if significance.deciding(r) is not None]
        return verdict("clear", first.model, [r.model for r in rows[1:]],
                       significance.sentence(rows, max(worse, key=significance.sort_key), floor)
                       if worse else f"p {fmt.MISSING}")
    return verdict("tied", first.model, [r.model for r in tied],
                   significance.sentence(rows, min(tied, key=significance.sort_key), floor),
                   _cheapest(task, [first.model, *(r.model for r in tied)]))


def _cheapest(task: Task, models: Sequence[str]) -> tuple[str, str]:
    """Among tied models: the lowest median latency if measured, else the fewest parameters."""
    latency = figures._first_latency(task)
    if latency is not None and all(latency in task.models[m].cost.latency for m in models):
        best = min(models, key=lambda m: task.models[m].cost.latency[latency].p50)
        return best, "lowest latency, " + fmt.milliseconds(
            task.models[best].cost.latency[latency].p50) + " per input"
    best = min(models, key=lambda m: task.models[m].cost.params.total)
    return best, "fewest parameters, " + fmt.count(task.models[best].cost.params.total)


# ------------------------------------------------------------------------------ predictions
def _pooled(task: Task, cells: Sequence[Cell], order: Sequence[str],
            predictions: Mapping[str, list[dict[str, Any]]]
            ) -> tuple[dict[str, curves.Scores], list[str]]:
    """Each model's probabilities pooled over seeds; notes for what could not be read."""
    notes, pooled = [], {}
    if not task.labels or family_of(task.type).prediction != "probabilities":
        return {}, []
    for model in order:
        runs = []
        for cell in (c for c in cells if c.model == model):
            rows = predictions.get(cell.predictions)
            if rows is None:
                notes.append(f"predictions of {visible(model)} seed {cell.seed} "
                             f"({visible(cell.predictions)}) could not be read")
                continue
            try:
                runs.append(([str(r["true"]) for r in rows],
                             np.array([r["probabilities"] for r in rows], dtype=float)))
            except (KeyError, TypeError, ValueError):
                notes.append(f"predictions of {visible(model)} seed {cell.seed} have no "
                             "class probabilities")
        try:
            if runs:
                pooled[model] = curves.Scores.pooled(runs, list(task.labels))
        except (KeyError, ValueError):
            notes.append(f"predictions of {visible(model)} do not match the task's labels")
    return pooled, notes


# ------------------------------------------------------------------------------ provenance
def _provenance(document: ResultsDocument) -> Provenance:
    env = document.environment
    conf = document.confidence
    confidence = "none" if conf.method == "none" else \
        f"bootstrap, {conf.n:,} resamples, {fmt.percent(conf.level or 0.95)}, seed {conf.seed}"
    facts = (Fact("Spec sha256", document.spec.sha256),
             Fact("Plan digest", visible(document.plan_digest)),
             Fact("Started", _when(document.started)),
             Fact("Finished", _when(document.finished) if document.finished else "in progress"),
             Fact("Device", visible(f"{env.device_name} ({env.device})")),
             Fact("Platform", visible(f"{env.platform}, {env.machine}")),
             Fact("Python", visible(env.python)),
             Fact("Intervals", confidence),
             Fact("Primary metric", visible(document.primary)))
    versions = tuple(Fact(visible(k), visible(v)) for k, v in env.versions.items())
    columns = (Column("digest", numeric=False), Column("model", numeric=False),
               Column("preprocessing", numeric=False), Column("ran", "started, finished",
                                                               numeric=False))
    rows = tuple(Row(visible(f"{c.task} / {c.model}"), "", (
        Value(visible(c.digest)), Value(*_model_identity(c)), Value(_preprocessing(c)),
        Value(_when(c.started), _when(c.finished))), f"seed {c.seed}") for c in document.cells)
    return Provenance(facts, versions, Table(columns, rows))


def _model_identity(cell: Cell) -> tuple[str, str]:
    identity = cell.identity
    details = identity.details
    found = details.get("spec")
    spec: dict[str, Any] = found if isinstance(found, dict) else {}
    what = (details.get("hub_id") or details.get("architecture") or spec.get("arch")
            or spec.get("name") or spec.get("path") or spec.get("module") or identity.source)
    line = visible(f"{identity.source}: {fmt.written(what)}")
    extra = []
    if identity.revision:
        extra.append(f"revision {identity.revision}")
    elif details.get("revision"):
        extra.append(f"revision {fmt.written(details['revision'])} (commit unknown)")
    if details.get("weights_sha256"):
        extra.append(f"weights sha256 {_digests(details['weights_sha256'])}")
    return line, visible("; ".join(extra))


def _digests(found: Any) -> str:
    """`model.safetensors 3f2a9c01d4e5b6a7…, config.json 9b1c…`: each weights file (a bare
    digest as itself) with its sha256 shortened."""
    files = found if isinstance(found, dict) else {"": found}
    return ", ".join(f"{fmt.written(name)} {fmt.written(digest)[:16]}…".lstrip()
                     for name, digest in files.items())


def _preprocessing(cell: Cell) -> str:
    p = cell.preprocessing
    parts = []
    if p.image_size is not None:
        parts.append(f"{p.image_size}×{p.image_size} px" + (f", {p.interpolation}"
                                                           if p.interpolation else ""))
    if p.mean is not None and p.std is not None:
        parts.append("mean " + "/".join(f"{v:.3f}" for v in p.mean) + ", std " +
                     "/".join(f"{v:.3f}" for v in p.std))
    if p.max_length is not None:
        parts.append(f"max {p.max_length} tokens")
    return visible("; ".join(parts)) or fmt.MISSING
