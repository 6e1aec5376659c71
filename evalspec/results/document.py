"""The results document: every cell's curves, test metrics and cost, the leaderboard, and
the provenance needed to reproduce it. Plain JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from evalspec import __version__
from evalspec.outcome import CellOutcome, Predictions
from evalspec.plan import Plan
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import family_of
from evalspec.results import provenance
from evalspec.results.classes import disagreements, per_class
from evalspec.results.evaluations import evaluation_summaries
from evalspec.results.prescreen import prescreen_record
from evalspec.results.restate import spec_record
from evalspec.results.schema import SCHEMA_VERSION
from evalspec.results.scoring import intervals, params, score
from evalspec.results.standings import leaderboard, model_metrics, plain
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

    def shown(self, ids: Sequence[str]) -> dict[str, dict[str, str]]: ...


def test_metrics(spec: Spec, task: str, predictions: Predictions) -> dict[str, Any]:
    """Every applicable metric on a cell's test predictions, with its interval."""
    values = score(spec, task, predictions)
    spans = intervals(spec, task, predictions)
    return {name: {**plain(value), "interval": plain(spans.get(name))}
            for name, value in values.items()}


def cell_record(spec: Spec, outcome: CellOutcome, predictions_file: str,
                evaluation_files: dict[str, str], *, started: str,
                finished: str) -> dict[str, Any]:
    """One (task, model, seed) cell: curves, test metrics with intervals, cost, identity,
    and the metrics of each extra set and perturbation (`evaluation_files`: their
    predictions files by name)."""
    cell = outcome.cell
    test = test_metrics(spec, cell.task, outcome.predictions)
    identity = plain(outcome.identity)
    evaluations = {name: {"metrics": test_metrics(spec, cell.task, predictions),
                          "predictions": evaluation_files[name]}
                   for name, predictions in outcome.evaluations.items()}
    return {"task": cell.task, "model": cell.model, "seed": cell.seed, "digest": cell.digest,
            "started": started, "finished": finished,
            "stages": [_stage(s) for s in plain(outcome.stages)], "test": test,
            "cost": cost_record(spec, plain(outcome.cost)),
            "identity": provenance.identity(identity),
            "preprocessing": provenance.preprocessing(identity.get("details") or {}),
            "predictions": predictions_file, "evaluations": evaluations}


STAGE_KEYS = ("name", "train", "trainable_params", "best_epoch", "stopped_early", "seconds",
              "backbone_passes")
RECORDED_SINCE = {"precision": None, "compiled": False, "compile_failure": None}  # absent
# from stage logs that earlier versions cached


def _stage(stage: dict[str, Any]) -> dict[str, Any]:
    """A stage log as the schema has it: every epoch with the same keys (validation ones null
    without a validation split)."""
    epochs = [{"epoch": e["epoch"], "train_loss": e["train_loss"], "lr": e["lr"],
               "val_loss": e.get("val_loss"), "val": e.get("val", {}), "seconds": e["seconds"],
               "examples_per_second": e.get("examples_per_second")}
              for e in stage["epochs"]]
    return {**{key: stage[key] for key in STAGE_KEYS}, "epochs": epochs,
            **{key: stage.get(key, default) for key, default in RECORDED_SINCE.items()}}


def cost_record(spec: Spec, measured: dict[str, Any]) -> dict[str, Any]:
    """Measured cost with batched measurements grouped by kind, keyed by metric name."""
    kinds: dict[str, dict[str, Any]] = {"latency": {}, "throughput": {}}
    for entry in spec.metrics.entries:
        if entry.metric.fn in kinds and entry.name in measured:
            kinds[entry.metric.fn][entry.name] = measured[entry.name]
    return {"params": measured["params"], "train_time": measured["train_time"],
            "peak_memory": measured["peak_memory"], **kinds}


def task_summary(spec: Spec, task: str, outcomes: Sequence[CellOutcome]) -> dict[str, Any]:
    """Per model: each metric over seeds (mean, sd, pooled interval); the leaderboard on
    the primary metric with paired tests against the best; McNemar for accuracy; the same
    on each extra set and perturbation, with its change from the test split; per-class
    metrics where the family has classes."""
    by_model: dict[str, list[CellOutcome]] = {}
    for outcome in outcomes:
        if outcome.cell.task == task:
            by_model.setdefault(outcome.cell.model, []).append(outcome)
    runs = {model: [o.predictions for o in mine] for model, mine in by_model.items()}
    models = {model: {"seeds": [o.cell.seed for o in mine],
                      "metrics": model_metrics(spec, task, runs[model]),
                      "cost": _mean_cost(spec, mine)} for model, mine in by_model.items()}
    sections = family_of(spec.tasks[task].type).sections
    return {"models": models, "leaderboard": leaderboard(spec, task, runs),
            "evaluations": evaluation_summaries(spec, task, by_model),
            "per_class": per_class(spec, runs) if "per_class" in sections else {}}


def _mean_cost(spec: Spec, runs: list[CellOutcome]) -> dict[str, Any]:
    """Cost over seeds: the first seed's measurement (cost does not depend on the seed
    beyond noise), with train time averaged."""
    first = cost_record(spec, dict(plain(runs[0].cost)))
    first["train_time"] = {"seconds": float(np.mean(
        [r.cost["train_time"]["seconds"] for r in runs]))}
    return first


def _disagreements(spec: Spec, task: str, outcomes: Sequence[CellOutcome],
                   data: TaskSummary) -> dict[str, Any]:
    """The test examples the models disagree on most, with their inputs as reports show
    them (recorded once: rescoring keeps them, since they depend on no metric)."""
    if "disagreements" not in family_of(spec.tasks[task].type).sections:
        return {"disagreements": []}
    runs: dict[str, list[Predictions]] = {}
    for outcome in outcomes:
        if outcome.cell.task == task:
            runs.setdefault(outcome.cell.model, []).append(outcome.predictions)
    found = disagreements(runs)
    inputs = data.shown([row["id"] for row in found])
    return {"disagreements": [{**row, "input": inputs[row["id"]]} for row in found]}


RACE_FIELDS = ("model", "seed", "epochs", "metric", "value", "leader", "leader_value",
               "p_value")


def race_record(spec: Spec, stopped: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The race's settings and the cells it stopped (None when candidates do not race)."""
    race = spec.finetune.race if spec.finetune else None
    if race is None:
        return None
    return {"level": race.level, "after": race.after,
            "stopped": [{k: r[k] for k in RACE_FIELDS} for r in stopped]}


def prescreen_settings(spec: Spec) -> dict[str, Any]:
    """The declared pre-screen: its method, `keep` and cross-validation `folds`."""
    assert spec.finetune is not None and spec.finetune.prescreen is not None
    declared = spec.finetune.prescreen
    return {"method": declared.fn, "keep": declared.keep,
            "folds": getattr(declared, "folds", 5)}


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
          device: str, prescreen: Mapping[str, Mapping[str, Any]] | None = None,
          raced: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The whole results document (see `results.schema.ResultsDocument`); `finished` is
    None while the run is in progress; `prescreen` holds each task's pre-screen scores per
    model when the spec asks for one; `raced`, the cells a race stopped (their models are
    not ranked, as their training did not finish)."""
    spec = plan.spec
    metrics = declarations(spec)
    out = {(r["task"], r["model"]) for r in raced}
    outcomes = [o for o in outcomes if (o.cell.task, o.cell.model) not in out]
    tasks = {name: {"type": task.type, "labels": list(data[name].labels),
                    "positive": positive(task, list(data[name].labels)),
                    "sizes": data[name].sizes(), "split": _split(task),
                    "fingerprints": data[name].fingerprints,
                    "tag_repairs": dict(data[name].tag_repairs),
                    **task_summary(spec, name, outcomes),
                    **_disagreements(spec, name, outcomes, data[name])}
             for name, task in spec.tasks.items()}
    for name, summary in tasks.items():
        summary["race"] = race_record(spec, [r for r in raced if r["task"] == name])
        found = (prescreen or {}).get(name)
        summary["prescreen"] = prescreen_record(prescreen_settings(spec), found, [
            row["model"] for row in summary["leaderboard"]]) if found else None
    return {
        "schema_version": SCHEMA_VERSION, "evalspec_version": __version__,
        "complete": finished is not None, "started": started, "finished": finished,
        "plan_digest": plan.digest, "run_digest": plan.run_digest(source.text),
        "results_digest": plan.results_digest(),
        "environment": provenance.environment(device),
        "seeds": list(spec.finetune.seeds) if spec.finetune else [0],
        **spec_sections(spec, source), "metrics": metrics, "tasks": tasks, "cells": cells,
    }


def spec_sections(spec: Spec, source: SourceFile) -> dict[str, Any]:
    """What the document takes from the spec file itself (the metrics block included)."""
    return {**spec_record(spec, source), "primary": spec.metrics.primary_name(),
            "confidence": _confidence(spec)}


def declarations(spec: Spec) -> list[dict[str, Any]]:
    """The declared metrics with their parameters, direction and definition."""
    return [{"name": e.name, "metric": e.metric.fn, "params": params(e),
             "higher_is_better": METRICS[e.metric.fn].higher_is_better,
             "cost": METRICS[e.metric.fn].cost,
             "definition": METRICS[e.metric.fn].description} for e in spec.metrics.entries]
