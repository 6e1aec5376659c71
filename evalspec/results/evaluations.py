"""A task's extra sets and perturbations in the document: on each, every model's metrics and
the leaderboard as on the test split, and each metric's change from the test split with its
interval — paired for a perturbation (the test split's own examples, changed), from
independent resamples for an extra set (other examples)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_origin

from evalspec.metrics import compare, compare_sets
from evalspec.outcome import CellOutcome, Predictions
from evalspec.registry.metrics import METRICS
from evalspec.results.scoring import applicable, params
from evalspec.results.standings import (
    leaderboard,
    metric_predictions,
    model_metrics,
    plain,
    settings,
)
from evalspec.validate.model import Call, Spec


def described(call: Call, defaults: bool) -> str:
    """A call as the spec writes it: positional arguments first, names of a closed set bare,
    other strings quoted; arguments left at their default only when `defaults`."""
    values = call.model_dump(exclude={"fn"}, exclude_none=True, exclude_defaults=not defaults)
    shown = []
    for key, value in values.items():
        bare = get_origin(type(call).model_fields[key].annotation) is Literal
        text = json.dumps(value) if isinstance(value, str) and not bare else str(value)
        shown.append(text if key in call.positional else f"{key} = {text}")
    # positional ones first, a perturbation's seed last
    ordered = sorted(shown, key=lambda item: (" = " in item, item.startswith("seed = ")))
    return f"{call.model_dump()['fn']}({', '.join(ordered)})"


def evaluation_summaries(spec: Spec, task: str,
                         by_model: Mapping[str, Sequence[CellOutcome]]) -> dict[str, Any]:
    """Per extra set and perturbation (declared order) that every seed of a model has."""
    definition = spec.tasks[task]
    summaries = {}
    for name in definition.evaluations():
        runs = {m: [o.evaluations[name] for o in mine] for m, mine in by_model.items()
                if mine and all(name in o.evaluations for o in mine)}
        if not runs:
            continue
        kind = "set" if name in definition.evaluate else "perturbation"
        call = definition.evaluate[name] if kind == "set" else definition.perturb[name]
        clean = {m: [o.predictions for o in by_model[m]] for m in runs}
        changes = {m: _changes(spec, task, kind, runs[m], clean[m]) for m in runs}
        summaries[name] = {
            "kind": kind, "description": described(call, defaults=kind == "perturbation"),
            "size": len(next(iter(runs.values()))[0].ids),
            "models": {m: {"metrics": model_metrics(spec, task, r)} for m, r in runs.items()},
            "leaderboard": leaderboard(spec, task, runs), "changes": changes,
            "most_robust": _most_robust(spec, changes)}
    return summaries


def _changes(spec: Spec, task: str, kind: str, evaluated: Sequence[Predictions],
             clean: Sequence[Predictions]) -> dict[str, Any]:
    """Each applicable metric: evaluated − test split, its interval and (perturbations) its
    paired p-value."""
    labels = clean[0].labels or None
    positive = spec.tasks[task].positive
    mine = [metric_predictions(p) for p in evaluated]
    test = [metric_predictions(p) for p in clean]
    found = {}
    for entry in applicable(spec, task):
        common = {"params": params(entry), "labels": labels, "positive": positive,
                  **settings(spec)}
        if kind == "perturbation":
            assert evaluated[0].ids == clean[0].ids, "a perturbation keeps the test examples"
            result = compare(entry.metric.fn, clean[0].y_true, mine, test, **common)
        else:
            result = compare_sets(entry.metric.fn, evaluated[0].y_true, mine, clean[0].y_true,
                                  test, **common)
        found[entry.name] = {"test": plain(result.b), "evaluated": plain(result.a),
                             "difference": plain(result.difference),
                             "interval": plain(result.interval),
                             "p_value": plain(result.p_value)}
    return found


def _most_robust(spec: Spec, changes: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The model whose primary metric changes least for the worse (None if undefined)."""
    primary = spec.metrics.primary_entry()
    sign = 1 if METRICS[primary.metric.fn].higher_is_better else -1
    defined = {m: c[primary.name]["difference"] for m, c in changes.items()
               if primary.name in c and c[primary.name]["difference"] is not None}
    return max(defined, key=lambda m: sign * defined[m]) if defined else None
