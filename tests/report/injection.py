"""Hostile strings, and a results folder whose every name is one of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.committed import load, save

CORPUS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "{{ 7*7 }} {% raw %}",
    "a|b",
    "`x` ``y``",
    "]]> <![CDATA[x",
    "</title></style></textarea>",
    "\u202eevil\u202c \u2066rtl\u2069",
    '<img src="https://evil.example/x.png">',
    "**bold** _it_ $x$ @user #1 ~s~ [l](http://e.example)",
    "&amp; &lt; &#60;",
    "<!-- comment --> \\ back\\slash",
    "two\nlines\ttab",
]


def _rename(mapping: dict[str, str], value: str) -> str:
    return mapping.get(value, value)


def poison(folder: Path, payload: str) -> dict[str, str]:
    """Rewrite the results folder so that every string a report shows carries `payload`;
    returns the new names by kind."""
    doc = load(folder)
    [(task_name, task)] = doc["tasks"].items()
    models = {m: f"{payload} model{i}" for i, m in enumerate(task["models"])}
    labels = {x: f"{payload} label{i}" for i, x in enumerate(task["labels"])}
    metrics = {m["name"]: f"{payload} {m['name']}" for m in doc["metrics"]}
    new_task = f"{payload} task"
    stages = {s["name"]: f"{payload} stage{i}"
              for i, s in enumerate(doc["cells"][0]["stages"])}

    doc["title"] = payload
    doc["spec"]["path"] = f"{payload}.evalspec"
    doc["spec"]["text"] += f"\n# {payload}\n"
    doc["primary"] = metrics[doc["primary"]]
    for m in doc["metrics"]:
        m["name"] = metrics[m["name"]]
        m["definition"] += f" {payload}"
    env = doc["environment"]
    env["device_name"] = f"{payload} device"
    env["versions"][f"{payload} package"] = payload

    task["labels"] = [labels[x] for x in task["labels"]]
    task["positive"] = labels[task["positive"]]
    task["fingerprints"] = {f"{payload} file.csv": "0" * 64}
    task["models"] = {models[m]: _summary(s, metrics) for m, s in task["models"].items()}
    for row in task["leaderboard"]:
        row["model"] = models[row["model"]]
        row["metric"] = metrics[row["metric"]]
    sets = {n: f"{payload} set{i}" for i, n in enumerate(task["evaluations"])}
    task["evaluations"] = {sets[n]: _evaluation(e, payload, models, metrics)
                           for n, e in task["evaluations"].items()}
    task["per_class"] = {models[m]: {labels[x]: c for x, c in per.items()}
                         for m, per in task["per_class"].items()}
    for row in task["disagreements"]:
        row.update(id=f"{payload} id", true=labels[row["true"]],
                   input={**{k: f"{payload} {v}" for k, v in row["input"].items()},
                          "image": f"{payload} data:image/png;base64,AAAA"},
                   predictions={models[m]: {**g, "pred": labels[g["pred"]]}
                                for m, g in row["predictions"].items()})
    doc["tasks"] = {new_task: task}

    for i, cell in enumerate(doc["cells"]):
        cell["task"], cell["model"] = new_task, models[cell["model"]]
        cell["test"] = {metrics[k]: v for k, v in cell["test"].items()}
        cell["evaluations"] = {sets[n]: {**e, "metrics": {metrics[k]: v for k, v
                                                          in e["metrics"].items()}}
                               for n, e in cell["evaluations"].items()}
        cell["cost"] = _cost(cell["cost"], metrics)
        cell["identity"]["details"]["architecture"] = f"{payload} arch"
        for stage in cell["stages"]:
            stage["name"] = stages[stage["name"]]
        rows = [json.loads(line) for line in
                (folder / cell["predictions"]).read_text(encoding="utf-8").splitlines()]
        for row in rows:
            row["true"], row["pred"] = labels[row["true"]], labels[row["pred"]]
        rewrite_predictions(folder, cell, f"{payload} {i}", rows)
    save(folder, doc)
    return {"title": payload, "task": new_task, "models": list(models.values()),
            "labels": list(labels.values()), "metrics": list(metrics.values()),
            "stages": list(stages.values()), "device": f"{payload} device",
            "file": f"{payload} file.csv", "spec": f"{payload}.evalspec",
            "arch": f"{payload} arch", "package": f"{payload} package",
            "sets": list(sets.values())}


def _evaluation(evaluation: dict[str, Any], payload: str, models: dict[str, str],
                metrics: dict[str, str]) -> dict[str, Any]:
    """An extra set's or perturbation's summary under the poisoned names."""
    return {**evaluation, "description": f"{payload} {evaluation['description']}",
            "models": {models[m]: {"metrics": {metrics[k]: v for k, v in s["metrics"].items()}}
                       for m, s in evaluation["models"].items()},
            "leaderboard": [{**row, "model": models[row["model"]],
                             "metric": metrics[row["metric"]]}
                            for row in evaluation["leaderboard"]],
            "changes": {models[m]: {metrics[k]: v for k, v in c.items()}
                        for m, c in evaluation["changes"].items()},
            "most_robust": models.get(evaluation["most_robust"], evaluation["most_robust"])}


def _summary(summary: dict[str, Any], metrics: dict[str, str]) -> dict[str, Any]:
    return {**summary, "metrics": {metrics[k]: v for k, v in summary["metrics"].items()},
            "cost": _cost(summary["cost"], metrics)}


def _cost(cost: dict[str, Any], metrics: dict[str, str]) -> dict[str, Any]:
    return {**cost, "latency": {metrics[k]: v for k, v in cost["latency"].items()},
            "throughput": {metrics[k]: v for k, v in cost["throughput"].items()}}


def rewrite_predictions(folder: Path, cell: dict[str, Any], name: str,
                        rows: list[dict[str, Any]]) -> None:
    """The cell's predictions written again as `predictions/NAME.jsonl`, and named so."""
    cell["predictions"] = f"predictions/{name}.jsonl"
    target = folder / cell["predictions"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
