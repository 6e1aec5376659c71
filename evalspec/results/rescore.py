"""Metrics recomputed from a run's saved predictions under a changed metrics block: no
model is loaded and nothing is trained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalspec.errors import UsageError
from evalspec.outcome import CellOutcome, CellRef, Predictions
from evalspec.results import document
from evalspec.results.files import read_jsonl
from evalspec.results.prescreen import prescreen_record
from evalspec.source import SourceFile
from evalspec.validate.model import Spec


def training_sections(spec: Spec) -> dict[str, Any]:
    """What decided the trained models and their predictions (not the metrics or report)."""
    return {"tasks": {n: t.model_dump(exclude={"positive"}) for n, t in spec.tasks.items()},
            "models": {n: m.model_dump() for n, m in spec.models.items()},
            "finetune": spec.finetune.model_dump() if spec.finetune else None}


def inside(folder: Path, written: str) -> Path:
    """A predictions file named by a results file, refused unless it lies in that file's
    folder (a results file is shared: it must not make `report` read elsewhere)."""
    path = (folder / written).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise UsageError(f"{folder / 'results.json'}: predictions file `{written}` is not a "
                         "file inside the results folder; keep the folder as the run wrote it")
    return path


def _raw_cost(recorded: dict[str, Any]) -> dict[str, Any]:
    """A cell's cost back in the executor's shape: batched measurements by metric name."""
    flat = {k: v for k, v in recorded.items() if k not in ("latency", "throughput")}
    for kind in ("latency", "throughput"):
        flat.update(recorded.get(kind) or {})
    return flat


def rescore(results: dict[str, Any], ran: Spec, spec: Spec, source: SourceFile,
            folder: Path) -> dict[str, Any]:
    """`results` with every metric, interval and ranking recomputed under `spec`, whose
    tasks, models and fine-tuning must be those that `ran`."""
    if training_sections(spec) != training_sections(ran):
        raise UsageError(f"{source.path}: its tasks, models or fine-tuning changed since this "
                         "run; only the metrics and report blocks can change here — "
                         "`evalspec run` the spec to train again")
    cells, outcomes = [], []
    for cell in results["cells"]:
        rows = read_jsonl(inside(folder, cell["predictions"]))
        labels = results["tasks"][cell["task"]]["labels"]
        evaluations = {name: Predictions.from_rows(read_jsonl(inside(folder, e["predictions"])),
                                                   labels)
                       for name, e in cell.get("evaluations", {}).items()}
        recorded = CellOutcome(CellRef(cell["task"], cell["model"], cell["seed"], cell["digest"]),
                               cell["stages"], Predictions.from_rows(rows, labels),
                               _raw_cost(cell["cost"]), cell["identity"],
                               results["environment"]["device"], evaluations)
        outcomes.append(recorded)
        cells.append({**cell, "test": document.test_metrics(spec, cell["task"],
                                                            recorded.predictions),
                      "evaluations": {name: {**e, "metrics": document.test_metrics(
                          spec, cell["task"], evaluations[name])}
                          for name, e in cell.get("evaluations", {}).items()},
                      "cost": document.cost_record(spec, recorded.cost)})
    out = {(name, stop["model"]) for name, task in results["tasks"].items()
           for stop in (task.get("race") or {}).get("stopped", [])}  # never ranked
    ranked = [o for o in outcomes if (o.cell.task, o.cell.model) not in out]
    tasks = {name: {**task, "positive": document.positive(spec.tasks[name], task["labels"]),
                    **document.task_summary(spec, name, ranked)}
             for name, task in results["tasks"].items()}
    for task in tasks.values():  # the final ranking may have changed: so may the agreement
        if task.get("prescreen"):
            recorded = task["prescreen"]
            task["prescreen"] = prescreen_record(
                {k: recorded[k] for k in ("method", "keep", "folds")},
                {m: {k: c[k] for k in ("logme", "linear_probe", "dimensions", "examples")}
                 for m, c in recorded["candidates"].items()},
                [row["model"] for row in task["leaderboard"]])
    return {**results, **document.spec_sections(spec, source),
            "metrics": document.declarations(spec), "tasks": tasks, "cells": cells}
