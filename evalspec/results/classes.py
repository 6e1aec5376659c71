"""Why a winner wins, from test predictions: per-class precision, recall and F1 with
intervals, and the test examples on which the candidates disagree most."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from evalspec.metrics import Predictions as MetricPredictions
from evalspec.metrics import aggregate_seeds
from evalspec.outcome import Predictions
from evalspec.results.standings import plain, settings
from evalspec.validate.model import Spec

PER_CLASS = ("precision", "recall", "f1")
SHOWN_DISAGREEMENTS = 8


def per_class(spec: Spec, runs: Mapping[str, Sequence[Predictions]]) -> dict[str, Any]:
    """Per model, per class (one-vs-rest, the class as positive): precision, recall and F1
    over seeds with pooled intervals, and the class's test support."""
    found: dict[str, Any] = {}
    for model, predictions in runs.items():
        truth, labels = predictions[0].y_true, predictions[0].labels
        found[model] = {}
        for label in labels:
            is_it = [t == label for t in truth]
            seeds = [MetricPredictions(y_pred=[p == label for p in run.y_pred])
                     for run in predictions]
            found[model][label] = {"support": sum(is_it), **{
                fn: plain(aggregate_seeds(fn, is_it, seeds, params={"average": "binary"},
                                          labels=[False, True], positive=True,
                                          **settings(spec)))
                for fn in PER_CLASS}}
    return found


def disagreements(runs: Mapping[str, Sequence[Predictions]],
                  limit: int = SHOWN_DISAGREEMENTS) -> list[dict[str, Any]]:
    """Test examples on which the models' first seeds disagree most: most distinct predicted
    labels first, then the widest spread of the probability given to the true label, then
    id. Each with the truth and every model's prediction and confidence (its top
    probability). Empty with fewer than two models."""
    if len(runs) < 2:
        return []
    first = {model: predictions[0] for model, predictions in runs.items()}
    reference = next(iter(first.values()))
    labels = reference.labels
    predicted = {m: p.y_pred for m, p in first.items()}
    ranked = []
    for i, example in enumerate(reference.ids):
        distinct = len({predicted[m][i] for m in first})
        if distinct < 2:
            continue
        truth = labels.index(reference.y_true[i])
        given = [float(p.probabilities[i, truth]) for p in first.values()
                 if p.probabilities is not None]
        ranked.append((-distinct, -(max(given) - min(given)), example, i))
    return [{"id": example, "true": reference.y_true[i], "predictions": {
        m: {"pred": predicted[m][i], "confidence": _confidence(p, i)} for m, p in first.items()}}
        for _, _, example, i in sorted(ranked)[:limit]]


def _confidence(predictions: Predictions, i: int) -> float:
    assert predictions.probabilities is not None
    return float(np.max(predictions.probabilities[i]))
