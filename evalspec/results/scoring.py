"""Which declared metrics apply to a task, and their values on a set of predictions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evalspec.metrics import MetricValue, bootstrap, compute
from evalspec.metrics.value import Interval
from evalspec.outcome import Predictions
from evalspec.registry.metrics import METRICS
from evalspec.validate.model import MetricEntry, Spec


def applicable(spec: Spec, task: str) -> list[MetricEntry]:
    """Quality metrics (not cost) that fit the task's type, in declared order."""
    kind = spec.tasks[task].type
    return [e for e in spec.metrics.entries
            if not METRICS[e.metric.fn].cost and kind in METRICS[e.metric.fn].tasks]


def params(entry: MetricEntry) -> dict[str, Any]:
    return entry.metric.model_dump(exclude={"fn"})


def _inputs(predictions: Predictions) -> dict[str, Any]:
    """compute()/bootstrap() keyword arguments from a Predictions value."""
    if predictions.probabilities is not None:
        return {"y_pred": predictions.y_pred, "y_score": predictions.probabilities,
                "labels": predictions.labels}
    return {"y_pred": predictions.y_pred}


def score(spec: Spec, task: str, predictions: Predictions) -> dict[str, MetricValue]:
    """Every applicable metric on `predictions`, undefined values with their reasons."""
    positive = spec.tasks[task].positive
    return {e.name: compute(e.metric.fn, predictions.y_true, positive=positive,
                            **_inputs(predictions), **params(e))
            for e in applicable(spec, task)}


def intervals(spec: Spec, task: str, predictions: Predictions) -> dict[str, Interval]:
    """Bootstrap intervals for every applicable metric, sharing one set of resamples."""
    confidence = spec.metrics.confidence
    entries = applicable(spec, task)
    if confidence.fn != "bootstrap" or not entries:
        return {}
    return bootstrap([(e.name, e.metric.fn, params(e)) for e in entries], predictions.y_true,
                     positive=spec.tasks[task].positive, n=confidence.n, level=confidence.level,
                     seed=confidence.seed, **_inputs(predictions))


@dataclass(frozen=True)
class ValidationScorer:
    """The spec's metrics on a task's validation predictions, for learning curves and early
    stopping: a plain value, so a cell job that carries it stays picklable."""

    spec: Spec

    def __call__(self, task: str, predictions: Predictions) -> dict[str, float | None]:
        return {name: value.value for name, value in score(self.spec, task, predictions).items()}
