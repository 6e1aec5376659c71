"""A candidate: one model's predictions, over one or more fine-tuning seeds, scored as one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from evalspec.metrics.engine import Request
from evalspec.metrics.inputs import Inputs, Predictions, label_set
from evalspec.metrics.kernel import Evaluator
from evalspec.metrics.resample import Resample
from evalspec.metrics.value import MetricValue

Candidate = Predictions | Sequence[Predictions] | Any


def runs(wanted: Request, candidate: Candidate) -> list[Predictions]:
    """A candidate's runs (seeds): a Predictions, a list of them, or one bare prediction array
    in the form the metric reads (probabilities for score metrics, else y_pred)."""
    if isinstance(candidate, Predictions):
        return [candidate]
    if isinstance(candidate, list | tuple) and candidate and all(
            isinstance(run, Predictions) for run in candidate):
        return list(candidate)
    if wanted.definition.needs == "scores":
        return [Predictions(y_score=candidate)]
    return [Predictions(y_pred=candidate)]


def shared_labels(wanted: Request, y_true: Any, labels: Sequence[Hashable] | None,
                  all_runs: Sequence[Predictions]) -> Sequence[Hashable] | None:
    """Classification: one label list for every candidate (inferred from all of them)."""
    if wanted.definition.needs not in ("labels", "scores"):
        return labels
    return label_set(labels, y_true, *(run.y_pred for run in all_runs))


@dataclass(frozen=True)
class Scored:
    """A candidate's metric: the mean over its runs, and per resample the same mean."""

    value: MetricValue
    evaluators: tuple[Evaluator, ...]

    def evaluate(self, resample: Resample) -> np.ndarray:
        return np.mean([evaluate(resample) for evaluate in self.evaluators], axis=0)


def prepared(wanted: Request, y_true: Any, candidate_runs: Sequence[Predictions],
             labels: Any, positive: Any) -> list[Inputs]:
    return [wanted.prepare(y_true, run.y_pred, run.y_score, labels, positive)
            for run in candidate_runs]


def score(wanted: Request, data: Sequence[Inputs]) -> Scored:
    """Mean over runs; undefined if any run is (the first such run's reason, seed-numbered)."""
    values = [wanted.point(run) for run in data]
    evaluators = tuple(wanted.evaluator(run) for run in data)
    for i, value in enumerate(values):
        if value.undefined is not None:
            prefix = f"seed {i}: " if len(values) > 1 else ""
            return Scored(MetricValue.not_defined(prefix + value.undefined), evaluators)
    if len(values) == 1:
        return Scored(values[0], evaluators)
    mean = float(np.mean([value.value for value in values]))
    return Scored(MetricValue.of(mean, {"per_seed": [value.value for value in values]}),
                  evaluators)
