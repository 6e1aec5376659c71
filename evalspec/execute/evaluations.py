"""What a trained cell predicts beside its test split: its task's extra sets and perturbed
copies of its test split, from the model in memory or from the weights the cache kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalspec.execute.data.examples import Examples, TaskData
from evalspec.outcome import Predictions
from evalspec.plan import Evaluation
from evalspec.validate.model import Task

if TYPE_CHECKING:
    import torch

    from evalspec.execute.families.base import FamilyPlugin, Objective
    from evalspec.execute.models.candidate import Candidate


def examples(evaluation: Evaluation, task: Task, data: TaskData) -> Examples:
    """The examples an evaluation predicts: an extra set as read, or the test split with
    the perturbation applied (deterministic: the same examples every time)."""
    from evalspec.execute.data.perturb import perturb

    if evaluation.kind == "set":
        return data.extra[evaluation.name]
    return perturb(data.test, task.perturb[evaluation.name].model_dump())


def predict_evaluations(candidate: Candidate, plugin: FamilyPlugin, objective: Objective,
                        task: Task, data: TaskData, evaluations: tuple[Evaluation, ...],
                        device: torch.device) -> dict[str, Predictions]:
    """Each evaluation's predictions by name, through the same predict step as the test
    split."""
    from evalspec.execute.training.predict import predict

    return {e.name: predict(candidate, plugin, objective, examples(e, task, data), data.labels,
                            device) for e in evaluations}
