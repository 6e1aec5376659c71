"""The run matrix: task × model × seed, each cell a sequence of fully resolved stages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from evalspec import __version__
from evalspec.plan.identity import model_identity
from evalspec.validate.model import Finetune, Spec, Stage, Task

RUNTIME_PACKAGES = ("torch", "transformers", "timm", "scikit-learn", "numpy")
# What a task evaluates beside its test split: it shapes no training, so no cell digest.
EVALUATED_ONLY = {"evaluate", "perturb"}


@dataclass(frozen=True)
class StagePlan:
    """One stage with every finetune default applied."""

    name: str
    train: str  # head | all | top
    top_n: int
    epochs: int
    lr: float
    schedule: str  # constant | linear | cosine
    warmup: float
    layer_decay: float | None
    patience: int | None
    monitor: str | None  # a validation metric name, or "loss"
    min_delta: float
    batch_size: int
    optimizer: dict[str, Any]
    precision: str
    grad_clip: float | None
    accumulate: int
    max_steps: int | None
    compile: bool


@dataclass(frozen=True)
class Cell:
    task: str
    model: str
    seed: int
    stages: tuple[StagePlan, ...]
    digest: str

    @property
    def key(self) -> str:
        return f"{self.task}/{self.model}/seed{self.seed}"


@dataclass(frozen=True)
class Evaluation:
    """What a trained cell also predicts beside its test split: an extra set (`set`) or a
    perturbation of the test split (`perturbation`). Its digest covers what its
    predictions depend on besides the cell (the set's source and files, or the
    perturbation's call), so a cell's evaluations are cached beside it."""

    name: str
    kind: str  # set | perturbation
    digest: str


@dataclass(frozen=True)
class Plan:
    """The run matrix. A plan runs in rounds: `round(models)` is the plan of the candidates
    still in the race (a pre-screen drops the others), its cells and digests unchanged.
    `evaluations` lists, per task, what each of its cells predicts beside the test split."""

    spec: Spec
    base_dir: Path
    cells: tuple[Cell, ...]
    digest: str
    evaluations: dict[str, tuple[Evaluation, ...]] = field(default_factory=dict)

    def round(self, models: Iterable[str]) -> Plan:
        """The cells of `models` only, in plan order."""
        kept = set(models)
        return self.only(lambda cell: cell.model in kept)

    def run_digest(self, spec_text: str) -> str:
        """What a whole run's files follow from: the spec's text and `results_digest`.
        Equal digests, equal files."""
        return run_digest(spec_text, self.results_digest())

    def results_digest(self) -> str:
        """What a run's numbers follow from: the cells' digests (they cover data, models,
        stages, seeds and library versions), each task's extra sets and perturbations, and
        the spec as validated less its report block (so neither the title, the formats,
        the layout nor a comment counts). Equal digests, equal numbers."""
        evaluations = {task: [(e.name, e.kind, e.digest) for e in found]
                       for task, found in self.evaluations.items()}
        return digest({"spec": self.spec.model_dump(mode="json", exclude={"report"}),
                       "cells": [c.digest for c in self.cells],
                       "evaluations": evaluations, "evalspec": __version__})

    def only(self, keep: Callable[[Cell], bool],
             order: Callable[[Cell], Any] | None = None) -> Plan:
        """The cells `keep` accepts, in plan order (or sorted by `order`), digests
        unchanged."""
        cells = tuple(c for c in self.cells if keep(c))
        if order is not None:
            cells = tuple(sorted(cells, key=order))
        return Plan(self.spec, self.base_dir, cells, digest([c.digest for c in cells]),
                    self.evaluations)


DEFAULTS = {"batch_size": 32, "optimizer": {"fn": "adamw", "weight_decay": 0.01, "beta1": 0.9,
                                               "beta2": 0.999},
            "precision": "auto", "grad_clip": None, "accumulate": 1, "max_steps": None,
            "compile": False}


def resolve_stage(name: str, stage: Stage, finetune: Finetune) -> StagePlan:
    """A stage with its own settings, else the finetune block's, else the defaults."""
    def pick(key: str) -> Any:
        for holder in (stage, finetune):
            value = getattr(holder, key)
            if value is not None:
                return value.model_dump() if hasattr(value, "model_dump") else value
        return DEFAULTS[key]

    schedule = stage.schedule
    early = stage.early_stop
    return StagePlan(
        name=name, train=stage.train.fn, top_n=getattr(stage.train, "n", 0),
        epochs=stage.epochs, lr=stage.lr, schedule=schedule.fn,
        warmup=getattr(schedule, "warmup", 0.0), layer_decay=stage.layer_decay,
        patience=early.n if early else None, monitor=early.metric if early else None,
        min_delta=early.min_delta if early else 0.0, batch_size=pick("batch_size"),
        optimizer=pick("optimizer"), precision=pick("precision"), grad_clip=pick("grad_clip"),
        accumulate=pick("accumulate"), max_steps=pick("max_steps"), compile=pick("compile"))


def runtime_versions() -> dict[str, str]:
    versions = {"evalspec": __version__}
    for name in RUNTIME_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def run_digest(spec_text: str, results_digest: str) -> str:
    """A run's digest from its spec's text and its `Plan.results_digest`."""
    return digest({"spec": spec_text, "results": results_digest})


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_plan(spec: Spec, base_dir: Path,
               fingerprints: dict[str, dict[str, str]] | None = None,
               extra_fingerprints: dict[str, dict[str, dict[str, str]]] | None = None) -> Plan:
    """Every (task, model, seed) cell in spec order, each with a digest of what shapes it:
    the task (less its extra sets and perturbations) and model sections, data and model
    fingerprints, stages, seed and versions."""
    finetune = spec.finetune
    stages = tuple(resolve_stage(n, s, finetune) for n, s in finetune.stages.items()) \
        if finetune else ()
    seeds = finetune.seeds if finetune else [0]
    versions = runtime_versions()
    monitored = _monitored_metrics(spec)
    identities = {name: model_identity(model, base_dir) for name, model in spec.models.items()}
    cells = []
    for task_name, task in spec.tasks.items():
        for model_name, model in spec.models.items():
            for seed in seeds:
                shaping = {
                    "task": task.model_dump(exclude=EVALUATED_ONLY),
                    "model": model.model_dump(),
                    "monitored": monitored,
                    "data": (fingerprints or {}).get(task_name, {}),
                    "identity": identities[model_name],
                    "stages": [asdict(s) for s in stages], "seed": seed, "versions": versions,
                }
                cells.append(Cell(task_name, model_name, seed, stages, digest(shaping)))
    return Plan(spec, base_dir, tuple(cells), digest([c.digest for c in cells]),
                {name: evaluations(task, (extra_fingerprints or {}).get(name, {}))
                 for name, task in spec.tasks.items()})


def evaluations(task: Task, fingerprints: dict[str, dict[str, str]]) -> tuple[Evaluation, ...]:
    """A task's extra sets (digest: source and file fingerprints) and perturbations
    (digest: the call), in declared order."""
    sets = [Evaluation(name, "set", digest({"source": source.model_dump(),
                                            "files": fingerprints.get(name, {})}))
            for name, source in task.evaluate.items()]
    perturbed = [Evaluation(name, "perturbation", digest({"perturbation": call.model_dump()}))
                 for name, call in task.perturb.items()]
    return (*sets, *perturbed)


def _monitored_metrics(spec: Spec) -> dict[str, Any]:
    """Definitions of the metrics early stopping watches: they shape training, so their
    parameters belong in the digest (unlike every other metric)."""
    watched = {stage.early_stop.metric for stage in (spec.finetune.stages.values()
                                                    if spec.finetune else [])
               if stage.early_stop is not None}
    return {e.name: e.metric.model_dump() for e in spec.metrics.entries if e.name in watched}
