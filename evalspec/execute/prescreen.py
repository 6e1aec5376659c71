"""The pre-screen: every candidate's frozen features on its task's training split, scored by
LogME and a cross-validated linear probe before anything is fine-tuned; the scores are
cached by the first seed's cell digest (they depend on nothing a later seed changes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evalspec.execute.cache import CellCache
from evalspec.execute.data.examples import TaskData
from evalspec.execute.events import Event
from evalspec.execute.options import RunOptions
from evalspec.plan import Cell, Plan
from evalspec.prescreen.ranking import order
from evalspec.registry.tasks import family_of

Scores = dict[str, dict[str, dict[str, Any]]]  # task → model → scores (results/prescreen.py)


def screen(plan: Plan, data: dict[str, TaskData], options: RunOptions, cache: CellCache,
           progress: Callable[[Event], None]) -> Scores:
    """Per task, per model: its `logme`, `linear_probe` (`mean`, `sd`), feature
    `dimensions` and training `examples` (from the cache when there)."""
    finetune = plan.spec.finetune
    assert finetune is not None and finetune.prescreen is not None
    folds = getattr(finetune.prescreen, "folds", 5)
    found: Scores = {}
    firsts: dict[tuple[str, str], Cell] = {}
    for cell in plan.cells:
        firsts.setdefault((cell.task, cell.model), cell)
    for (task, model), cell in firsts.items():
        key = f"{cell.digest}-{folds}"
        scores = cache.prescreen(key)
        if scores is None:
            progress({"kind": "prescreen", "task": task, "model": model})
            scores = _scores(plan, cell, data[task], options, folds)
            cache.store_prescreen(key, scores)
        found.setdefault(task, {})[model] = scores
    return found


def _scores(plan: Plan, cell: Cell, data: TaskData, options: RunOptions,
            folds: int) -> dict[str, Any]:
    import torch

    from evalspec.execute.cell import built, prepare
    from evalspec.execute.training.predict import forward_all
    from evalspec.prescreen.scores import linear_probe, logme

    device = prepare(options.device, options.deterministic)
    _, candidate, objective = built(plan, cell, data, options.trust_remote_code)
    candidate.to(device).eval()
    with torch.inference_mode():
        features = forward_all(candidate, candidate.encode(data.train), candidate.features,
                               device).double().cpu().numpy()
    targets = objective.targets(data.train).numpy()
    regression = family_of(plan.spec.tasks[cell.task].type).prediction == "values"
    mean, sd = linear_probe(features, targets, regression=regression, folds=folds,
                            seed=cell.seed)
    return {"logme": logme(features, targets, regression=regression),
            "linear_probe": {"mean": mean, "sd": sd}, "dimensions": int(features.shape[1]),
            "examples": len(features)}


def kept(plan: Plan, scores: Scores) -> set[tuple[str, str]]:
    """The (task, model) pairs the pre-screen keeps: per task the `keep` best by the
    declared method (ties in the spec's model order); every pair without `keep`."""
    finetune = plan.spec.finetune
    assert finetune is not None and finetune.prescreen is not None
    keep = finetune.prescreen.keep
    return {(task, model) for task, by_model in scores.items()
            for model in order(by_model, finetune.prescreen.fn)[:keep or len(by_model)]}
