"""The results document: every cell's curves, test metrics and cost, the leaderboard, and
the provenance needed to reproduce it. Plain JSON-ready data."""

from __future__ import annotations

import dataclasses
import hashlib
import platform
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from evalspec import __version__
from evalspec.metrics import McNemar, aggregate_seeds, mcnemar_exact, rank
from evalspec.metrics import Predictions as MetricPredictions
from evalspec.plan import Plan
from evalspec.plan.matrix import runtime_versions
from evalspec.registry.metrics import METRICS
from evalspec.results.scoring import applicable, intervals, params, score
from evalspec.source import SourceFile

SCHEMA_VERSION = 1


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


def cell_record(plan: Plan, outcome: Any, predictions_file: str) -> dict[str, Any]:
    """One (task, model, seed) cell: curves, test metrics with intervals, cost, identity."""
    cell = outcome.cell
    values = score(plan.spec, cell.task, outcome.predictions)
    spans = intervals(plan.spec, cell.task, outcome.predictions)
    test = {name: {**plain(value), "interval": plain(spans.get(name))}
            for name, value in values.items()}
    return {"task": cell.task, "model": cell.model, "seed": cell.seed, "digest": cell.digest,
            "stages": plain(outcome.stages), "test": test, "cost": plain(outcome.cost),
            "identity": plain(outcome.identity), "predictions": predictions_file}


def _as_metric_predictions(outcome: Any) -> MetricPredictions:
    predictions = outcome.predictions
    return MetricPredictions(y_pred=predictions.y_pred, y_score=predictions.probabilities)


def task_summary(plan: Plan, task: str, outcomes: Sequence[Any]) -> dict[str, Any]:
    """Per model: each metric over seeds (mean, sd, pooled interval); the leaderboard on
    the primary metric with paired tests against the best; McNemar for accuracy."""
    spec = plan.spec
    mine = [o for o in outcomes if o.cell.task == task]
    if not mine:
        return {"models": {}, "leaderboard": []}
    truth = mine[0].predictions.y_true
    labels = mine[0].predictions.labels or None
    positive = spec.tasks[task].positive
    confidence = spec.metrics.confidence
    settings = {"n": confidence.n, "level": confidence.level, "seed": confidence.seed} \
        if confidence.fn == "bootstrap" else {"n": 1000, "level": 0.95, "seed": 0}
    by_model: dict[str, list[Any]] = {}
    for outcome in mine:
        by_model.setdefault(outcome.cell.model, []).append(outcome)
    models = {}
    for model, runs in by_model.items():
        seeds = [_as_metric_predictions(o) for o in runs]
        models[model] = {"metrics": {
            e.name: plain(aggregate_seeds(e.metric.fn, truth, seeds, params=params(e),
                                          labels=labels, positive=positive, **settings))
            for e in applicable(spec, task)}, "cost": _mean_cost(runs)}
    return {"models": models,
            "leaderboard": _leaderboard(plan, task, by_model, truth, labels, settings)}


def _leaderboard(plan: Plan, task: str, by_model: dict[str, list[Any]], truth: list[Any],
                 labels: list[str] | None, settings: dict[str, Any]) -> list[dict[str, Any]]:
    spec = plan.spec
    primary = next(e for e in spec.metrics.entries if e.name == spec.metrics.primary_name())
    if primary not in applicable(spec, task):
        return []
    candidates = {m: [_as_metric_predictions(o) for o in runs] for m, runs in by_model.items()}
    standings = rank(candidates, truth, metric=primary.metric.fn, params=params(primary),
                     labels=labels, positive=spec.tasks[task].positive, **settings)
    best = standings[0].name
    rows = []
    for position, standing in enumerate(standings, start=1):
        row = {"rank": position, "model": standing.name, "metric": primary.name,
               **plain(standing)}
        if labels is not None and standing.name != best:
            row["mcnemar"] = [plain(_mcnemar(truth, a, b, labels)) for a, b in
                              zip(by_model[best], by_model[standing.name], strict=False)]
        rows.append(row)
    return rows


def _mcnemar(truth: list[Any], best: Any, other: Any, labels: list[str]) -> McNemar:
    return mcnemar_exact(truth, best.predictions.y_pred, other.predictions.y_pred, labels=labels)


def _mean_cost(runs: list[Any]) -> dict[str, Any]:
    """Cost over seeds: the first seed's measurement (cost does not depend on the seed
    beyond noise), with train time averaged."""
    first = dict(plain(runs[0].cost))
    first["train_time"] = {"seconds": float(np.mean(
        [r.cost["train_time"]["seconds"] for r in runs]))}
    return first


def environment(device: str) -> dict[str, Any]:
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "machine": platform.machine(), "device": device, "versions": runtime_versions()}


def build(plan: Plan, source: SourceFile, data: dict[str, Any], outcomes: Sequence[Any],
          cells: list[dict[str, Any]], *, started: str, finished: str,
          device: str) -> dict[str, Any]:
    """The whole results document."""
    spec = plan.spec
    metrics = [{"name": e.name, "metric": e.metric.fn, "params": params(e),
                "higher_is_better": METRICS[e.metric.fn].higher_is_better,
                "cost": METRICS[e.metric.fn].cost,
                "definition": METRICS[e.metric.fn].description} for e in spec.metrics.entries]
    tasks = {name: {"type": task.type, "labels": data[name].labels,
                    "positive": task.positive, "sizes": data[name].sizes(),
                    "fingerprints": data[name].fingerprints,
                    **task_summary(plan, name, outcomes)}
             for name, task in spec.tasks.items()}
    return {
        "schema_version": SCHEMA_VERSION, "evalspec_version": __version__,
        "title": spec.report.title or source.path,
        "spec": {"path": source.path, "text": source.text,
                 "sha256": hashlib.sha256(source.text.encode()).hexdigest()},
        "plan_digest": plan.digest, "started": started, "finished": finished,
        "environment": environment(device), "primary": spec.metrics.primary_name(),
        "confidence": spec.metrics.confidence.model_dump(), "metrics": metrics,
        "tasks": tasks, "cells": cells,
    }
