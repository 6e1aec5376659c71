"""Models compared on one set of items: each metric over seeds with its pooled interval, and
the leaderboard on the primary metric with paired tests against the best."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evalspec.metrics import McNemar, aggregate_seeds, mcnemar_exact, rank
from evalspec.metrics import Predictions as MetricPredictions
from evalspec.metrics.compare import RESAMPLES
from evalspec.outcome import Predictions
from evalspec.registry.tasks import family_of
from evalspec.results.scoring import applicable, params
from evalspec.validate.model import Spec

Runs = Mapping[str, Sequence[Predictions]]  # model → its predictions, one per seed


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


def settings(spec: Spec) -> dict[str, Any]:
    """Bootstrap settings for intervals and tests (the defaults when `confidence = none`:
    rankings still need a test)."""
    confidence = spec.metrics.confidence
    if confidence.fn == "bootstrap":
        return {"n": confidence.n, "level": confidence.level, "seed": confidence.seed}
    return {"n": RESAMPLES, "level": 0.95, "seed": 0}


def metric_predictions(predictions: Predictions) -> MetricPredictions:
    return MetricPredictions(y_pred=predictions.y_pred, y_score=predictions.probabilities)


def model_metrics(spec: Spec, task: str, runs: Sequence[Predictions]) -> dict[str, Any]:
    """Each applicable metric of one model over its seeds (mean, sd, pooled interval)."""
    truth = runs[0].y_true
    labels = runs[0].labels or None
    seeds = [metric_predictions(p) for p in runs]
    return {e.name: plain(aggregate_seeds(e.metric.fn, truth, seeds, params=params(e),
                                          labels=labels, positive=spec.tasks[task].positive,
                                          **settings(spec)))
            for e in applicable(spec, task)}


def leaderboard(spec: Spec, task: str, runs: Runs) -> list[dict[str, Any]]:
    """Models ranked on the primary metric, each with its paired p-value against the best
    and that p Holm-adjusted over the comparisons (which decides the ties); classification
    adds exact McNemar tests per seed pair against the best. Empty when the primary metric
    does not fit the task."""
    primary = spec.metrics.primary_entry()
    if primary not in applicable(spec, task) or not runs:
        return []
    first = next(iter(runs.values()))[0]
    truth, labels = first.y_true, first.labels or None
    paired_labels = labels is not None and \
        family_of(spec.tasks[task].type).prediction == "probabilities"  # McNemar: one label each
    standings = rank({m: [metric_predictions(p) for p in r] for m, r in runs.items()}, truth,
                     metric=primary.metric.fn, params=params(primary), labels=labels,
                     positive=spec.tasks[task].positive, **settings(spec))
    best = standings[0].name
    rows = []
    for position, standing in enumerate(standings, start=1):
        row = {"rank": position, "model": standing.name, "metric": primary.name,
               "value": plain(standing.value), "interval": plain(standing.interval),
               "p_value": plain(standing.p_value), "p_adjusted": plain(standing.p_adjusted),
               "tied_for_first": bool(standing.tied_for_first),
               "mcnemar": None}
        if paired_labels and labels is not None and standing.name != best:
            row["mcnemar"] = [plain(_mcnemar(truth, a, b, labels)) for a, b in
                              zip(runs[best], runs[standing.name], strict=False)]
        rows.append(row)
    return rows


def _mcnemar(truth: list[Any], best: Predictions, other: Predictions,
             labels: list[str]) -> McNemar:
    return mcnemar_exact(truth, best.y_pred, other.y_pred, labels=labels)
