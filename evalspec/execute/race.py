"""Racing: a candidate whose validation primary metric is significantly worse than the
leader's (the best finished cell of the same task and seed) stops fine-tuning there. The
test is the paired bootstrap on the validation items, as the leaderboard's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evalspec.errors import EvalspecError
from evalspec.outcome import Predictions
from evalspec.registry.metrics import METRICS
from evalspec.validate.model import Spec


@dataclass(frozen=True)
class Leader:
    """The best finished cell so far of a task and seed, on the validation split."""

    digest: str
    model: str
    value: float
    predictions: Predictions


class RacedOut(EvalspecError):
    """Raised inside a cell's training when the race stops it; `record` says why."""

    def __init__(self, record: dict[str, Any]):
        super().__init__(f"{record['model']} stopped by the race")
        self.record = record


def primary(spec: Spec) -> tuple[str, str, dict[str, Any], bool]:
    """The primary metric: its name, catalogue metric, parameters and direction."""
    entry = spec.metrics.primary_entry()
    return entry.name, entry.metric.fn, entry.metric.model_dump(exclude={"fn"}), \
        METRICS[entry.metric.fn].higher_is_better


def judge(spec: Spec, task: str, model: str, seed: int, epochs: int, leader: Leader | None,
          predictions: Predictions, value: float | None) -> None:
    """After a validated epoch: raise RacedOut when, `after` epochs in, the candidate is
    worse than the leader with paired p < 1 − level."""
    from evalspec.metrics import compare

    race = spec.finetune.race if spec.finetune else None
    if race is None or leader is None or value is None or epochs < race.after:
        return
    name, metric, params, higher = primary(spec)
    if (value - leader.value) * (1 if higher else -1) >= 0:
        return
    confidence = spec.metrics.confidence
    seed_of = confidence.seed if confidence.fn == "bootstrap" else 0
    found = compare(metric, predictions.y_true, _metric(predictions), _metric(leader.predictions),
                    params=params, labels=predictions.labels or None,
                    positive=spec.tasks[task].positive, level=race.level, seed=seed_of)
    if found.p_value is not None and found.p_value < 1 - race.level:
        raise RacedOut({"task": task, "model": model, "seed": seed, "epochs": epochs,
                        "metric": name, "value": value, "leader": leader.model,
                        "leader_digest": leader.digest, "leader_value": leader.value,
                        "p_value": found.p_value})


def _metric(predictions: Predictions) -> Any:
    from evalspec.metrics import Predictions as MetricPredictions

    return MetricPredictions(y_pred=predictions.y_pred, y_score=predictions.probabilities)


def better(spec: Spec, value: float, than: float) -> bool:
    higher = primary(spec)[3]
    return value > than if higher else value < than
