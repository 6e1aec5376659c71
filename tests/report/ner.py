"""The committed NER run (tests/data/ner_run, made from tests/data/ner_project by
`evalspec run`), and a copy of it whose every name, word and entity type carries a payload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.committed import DATA, load, save
from tests.report.injection import rewrite_predictions

NER_PROJECT = DATA / "ner_project"
NER_RUN = DATA / "ner_run"


def rows(folder: Path, cell: dict[str, Any]) -> list[dict[str, Any]]:
    """A cell's predictions."""
    text = (folder / cell["predictions"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def _tag(tag: str, types: dict[str, str]) -> str:
    return tag if tag == "O" else f"{tag[:2]}{types[tag[2:]]}"


def poison_ner(folder: Path, payload: str) -> dict[str, Any]:
    """Rewrite the NER results folder so that its models, metrics, entity types and every
    entity's words carry `payload`; returns the new names by kind."""
    doc = load(folder)
    [(task_name, task)] = doc["tasks"].items()
    models = {m: f"{payload} model{i}" for i, m in enumerate(task["models"])}
    metrics = {m["name"]: f"{payload} {m['name']}" for m in doc["metrics"]}
    kinds = sorted({t[2:] for t in task["labels"] if t != "O"})
    types = {kind: f"{payload}{kind}" for kind in kinds}
    new_task = f"{payload} task"

    doc["title"] = payload
    doc["primary"] = metrics[doc["primary"]]
    for m in doc["metrics"]:
        m["name"] = metrics[m["name"]]
    task["labels"] = [_tag(t, types) for t in task["labels"]]
    task["tag_repairs"] = {f"{payload} {split}": n for split, n in task["tag_repairs"].items()}
    task["models"] = {models[m]: {**s, "metrics": {metrics[k]: _typed(v, types)
                                                   for k, v in s["metrics"].items()}}
                      for m, s in task["models"].items()}
    for row in task["leaderboard"]:
        row["model"], row["metric"] = models[row["model"]], metrics[row["metric"]]
    doc["tasks"] = {new_task: task}
    words: set[str] = set()
    for i, cell in enumerate(doc["cells"]):
        cell["task"], cell["model"] = new_task, models[cell["model"]]
        cell["test"] = {metrics[k]: _typed(v, types) for k, v in cell["test"].items()}
        cell["cost"]["latency"] = {metrics[k]: v for k, v in cell["cost"]["latency"].items()}
        found = rows(folder, cell)
        for row in found:
            row["id"] = f"{payload} {row['id']}"
            row["words"] = [f"{payload}{w}" if t != "O" else w
                            for w, t in zip(row["words"], row["true"], strict=True)]
            words |= {w for w, t in zip(row["words"], row["true"], strict=True) if t != "O"}
            row["true"] = [_tag(t, types) for t in row["true"]]
            row["pred"] = [_tag(t, types) for t in row["pred"]]
        rewrite_predictions(folder, cell, f"{payload} {i}", found)
    save(folder, doc)
    return {"title": payload, "task": new_task, "models": list(models.values()),
            "metrics": list(metrics.values()), "types": list(types.values()),
            "words": sorted(words)}


def _typed(value: dict[str, Any], types: dict[str, str]) -> dict[str, Any]:
    """A metric value or seed summary with its per-type detail renamed."""
    def detail(d: dict[str, Any] | None) -> dict[str, Any] | None:
        if not d or "per_type" not in d:
            return d
        return {**d, "per_type": {types[k]: v for k, v in d["per_type"].items()}}
    if "per_seed" in value:
        return {**value, "per_seed": [{**v, "detail": detail(v["detail"])}
                                      for v in value["per_seed"]]}
    return {**value, "detail": detail(value["detail"])}
