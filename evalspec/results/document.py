"""The results document: every cell's curves, test metrics and cost, the leaderboard, and
the provenance needed to reproduce it. Plain JSON-ready data."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from evalspec import __version__
from evalspec.metrics import McNemar, aggregate_seeds, mcnemar_exact, rank
from evalspec.metrics import Predictions as MetricPredictions
from evalspec.outcome import CellOutcome, Predictions
from evalspec.plan import Plan
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import family_of
from evalspec.results import provenance
from evalspec.results.schema import SCHEMA_VERSION
from evalspec.results.scoring import applicable, intervals, params, score
from evalspec.source import SourceFile
from evalspec.validate.model import Spec


class TaskSummary(Protocol):
    """What the document records of a task's data (execute's TaskData is one)."""

    @property
    def labels(self) -> list[str]: ...

    @property
    def fingerprints(self) -> dict[str, str]: ...

    @property
    def tag_repairs(self) -> dict[str, int]: ...

    def sizes(self) -> dict[str, int]: ...


def plain(value: Any) -> Any:
    """Dataclasses, numpy scalars and arrays as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def test_metrics(spec: Spec, task: str, predictions: Predictions) -> dict[str, Any]:
    """Every applicable metric on a cell's test predictions, with its interval."""
    values = score(spec, task, predictions)
    spans = intervals(spec, task, predictions)
    return {name: {**plain(value), "interval": plain(spans.get(name))}
            for name, value in values.items()}


def cell_record(spec: Spec, outcome: CellOutcome, predictions_file: str, *, started: str,
                finished: str) -> dict[str, Any]:
    """One (task, model, seed) cell: curves, test metrics with intervals, cost, identity."""
    cell = outcome.cell
    test = test_metrics(spec, cell.task, outcome.predictions)
    identity = plain(outcome.identity)
    return {"task": cell.task, "model": cell.model, "seed": cell.seed, "digest": cell.digest,
            "started": started, "finished": finished,
            "stages": [_stage(s) for s in plain(outcome.stages)], "test": test,
            "cost": cost_record(spec, plain(outcome.cost)),
            "identity": provenance.identity(identity),
            "preprocessing": provenance.preprocessing(identity.get("details") or {}),
            "predictions": predictions_file}


STAGE_KEYS = ("name", "train", "trainable_params", "best_epoch", "stopped_early", "seconds",
              "backbone_passes")


def _stage(stage: dict[str, Any]) -> dict[str, Any]:
    """A stage log as the schema has it: every epoch with the same keys (validation ones null
    without a validation split)."""
    epochs = [{"epoch": e["epoch"], "train_loss": e["train_loss"], "lr": e["lr"],
               "val_loss": e.get("val_loss"), "val": e.get("val", {}), "seconds": e["seconds"]}
              for e in stage["epochs"]]
    return {**{key: stage[key] for key in STAGE_KEYS}, "epochs": epochs}


def cost_record(spec: Spec, measured: dict[str, Any]) -> dict[str, Any]:
    """Measured cost with batched measurements grouped by kind, keyed by metric name."""
    kinds: dict[str, dict[str, Any]] = {"latency": {}, "throughput": {}}
    for entry in spec.metrics.entries:
        if entry.metric.fn in kinds and entry.name in measured:
            kinds[entry.metric.fn][entry.name] = measured[entry.name]
    return {"params": measured["params"], "train_time": measured["train_time"],
            "peak_memory": measured["peak_memory"], **kinds}


def _as_metric_predictions(outcome: CellOutcome) -> MetricPredictions:
    predictions = outcome.predictions
    return MetricPredictions(y_pred=predictions.y_pred, y_score=predictions.probabilities)


def task_summary(spec: Spec, task: str, outcomes: Sequence[CellOutcome]) -> dict[str, Any]:
    """Per model: each metric over seeds (mean, sd, pooled interval); the leaderboard on
    the primary metric with paired tests against the best; McNemar for accuracy."""
    mine = [o for o in outcomes if o.cell.task == task]
    if not mine:
        return {"models": {}, "leaderboard": []}
    truth = mine[0].predictions.y_true
    labels = mine[0].predictions.labels or None
    positive = spec.tasks[task].positive
    confidence = spec.metrics.confidence
    settings = {"n": confidence.n, "level": confidence.level, "seed": confidence.seed} \
        if confidence.fn == "bootstrap" else {"n": 1000, "level": 0.95, "seed": 0}
    by_model: dict[str, list[CellOutcome]] = {}
    for outcome in mine:
        by_model.setdefault(outcome.cell.model, []).append(outcome)
    models = {}
    for model, runs in by_model.items():
        seeds = [_as_metric_predictions(o) for o in runs]
        models[model] = {"seeds": [o.cell.seed for o in runs], "metrics": {
            e.name: plain(aggregate_seeds(e.metric.fn, truth, seeds, params=params(e),
                                          labels=labels, positive=positive, **settings))
            for e in applicable(spec, task)}, "cost": _mean_cost(spec, runs)}
    return {"models": models,
            "leaderboard": _leaderboard(spec, task, by_model, truth, labels, settings)}


def _leaderboard(spec: Spec, task: str, by_model: dict[str, list[CellOutcome]], truth: list[Any],
                 labels: list[str] | None, settings: dict[str, Any]) -> list[dict[str, Any]]:
    primary = next(e for e in spec.metrics.entries if e.name == spec.metrics.primary_name())
    if primary not in applicable(spec, task):
        return []
    candidates = {m: [_as_metric_predictions(o) for o in runs] for m, runs in by_model.items()}
    paired_labels = labels is not None and \
        family_of(spec.tasks[task].type).prediction == "probabilities"  # McNemar: one label each
    standings = rank(candidates, truth, metric=primary.metric.fn, params=params(primary),
                     labels=labels, positive=spec.tasks[task].positive, **settings)
    best = standings[0].name
    rows = []
    for position, standing in enumerate(standings, start=1):
        row = {"rank": position, "model": standing.name, "metric": primary.name,
               "value": plain(standing.value), "interval": plain(standing.interval),
               "p_value": plain(standing.p_value),
               "tied_for_first": bool(standing.tied_for_first),
               "mcnemar": None}
        if paired_labels and labels is not None and standing.name != best:
            row["mcnemar"] = [plain(_mcnemar(truth, a, b, labels)) for a, b in
                              zip(by_model[best], by_model[standing.name], strict=False)]
        rows.append(row)
    return rows


def _mcnemar(truth: list[Any], best: CellOutcome, other: CellOutcome, labels: list[str]) -> McNemar:
    return mcnemar_exact(truth, best.predictions.y_pred, other.predictions.y_pred, labels=labels)


def _mean_cost(spec: Spec, runs: list[CellOutcome]) -> dict[str, Any]:
    """Cost over seeds: the first seed's measurement (cost does not depend on the seed
    beyond noise), with train time averaged."""
    first = cost_record(spec, dict(plain(runs[0].cost)))
    first["train_time"] = {"seconds": float(np.mean(
        [r.cost["train_time"]["seconds"] for r in runs]))}
    return first


def _confidence(spec: Spec) -> dict[str, Any]:
    confidence = spec.metrics.confidence
    if confidence.fn != "bootstrap":
        return {"method": "none", "n": None, "level": None, "seed": None}
    return {"method": "bootstrap", "n": confidence.n, "level": confidence.level,
            "seed": confidence.seed}


def _split(task: Any) -> dict[str, Any] | None:
    if task.data is None:
        return None
    return task.split.model_dump(exclude={"fn"})


def positive(task: Any, labels: list[str]) -> str | None:
    """The positive class binary metrics used: the declared one, else the last label."""
    if family_of(task.type).labels != "classes" or len(labels) != 2:
        return task.positive
    return task.positive or labels[-1]


def build(plan: Plan, source: SourceFile, data: Mapping[str, TaskSummary],
          outcomes: Sequence[CellOutcome],
          cells: list[dict[str, Any]], *, started: str, finished: str | None,
          device: str) -> dict[str, Any]:
    """The whole results document (see `results.schema.ResultsDocument`); `finished` is
    None while the run is in progress."""
    spec = plan.spec
    metrics = declarations(spec)
    tasks = {name: {"type": task.type, "labels": list(data[name].labels),
                    "positive": positive(task, list(data[name].labels)),
                    "sizes": data[name].sizes(), "split": _split(task),
                    "fingerprints": data[name].fingerprints,
                    "tag_repairs": dict(data[name].tag_repairs),
                    **task_summary(spec, name, outcomes)}
             for name, task in spec.tasks.items()}
    return {
        "schema_version": SCHEMA_VERSION, "evalspec_version": __version__,
        "complete": finished is not None, "started": started, "finished": finished,
        "plan_digest": plan.digest, "environment": provenance.environment(device),
        "seeds": list(spec.finetune.seeds) if spec.finetune else [0],
        **spec_sections(spec, source), "metrics": metrics, "tasks": tasks, "cells": cells,
    }


def spec_sections(spec: Spec, source: SourceFile) -> dict[str, Any]:
    """What the document takes from the spec file itself (the metrics block included)."""
    return {"title": spec.report.title or source.path,
            "spec": {"path": source.path, "directory": str(source.directory),
                     "text": source.text,
                     "sha256": hashlib.sha256(source.text.encode()).hexdigest()},
            "primary": spec.metrics.primary_name(), "confidence": _confidence(spec)}


def declarations(spec: Spec) -> list[dict[str, Any]]:
    """The declared metrics with their parameters, direction and definition."""
    return [{"name": e.name, "metric": e.metric.fn, "params": params(e),
             "higher_is_better": METRICS[e.metric.fn].higher_is_better,
             "cost": METRICS[e.metric.fn].cost,
             "definition": METRICS[e.metric.fn].description} for e in spec.metrics.entries]
