"""Runs every cell of a plan: data once per task, then train, predict and measure each cell.
torch and the model libraries load only when a cell has to train, so a run whose every cell
is cached starts in a fraction of the time."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from evalspec.errors import Interrupted, RunError
from evalspec.execute.cache import CellCache
from evalspec.execute.events import Event
from evalspec.execute.examples import Examples, TaskData
from evalspec.execute.interrupt import stop_requests
from evalspec.execute.options import RunOptions
from evalspec.execute.predictions import Predictions
from evalspec.plan import Cell, Plan
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import RUNNABLE

if TYPE_CHECKING:
    import torch

    from evalspec.execute.candidate import Candidate


@dataclass
class CellOutcome:
    """What one cell produced: learning curves, test predictions and cost."""

    cell: Cell
    stages: list[dict[str, Any]]
    predictions: Predictions
    cost: dict[str, Any]
    identity: dict[str, Any]
    device: str  # the device type it trained on: cpu or cuda

    def to_json(self) -> dict[str, Any]:
        return {"stages": self.stages, "cost": self.cost, "identity": self.identity,
                "device": self.device, "labels": self.predictions.labels,
                "predictions": self.predictions.rows()}

    @classmethod
    def from_json(cls, cell: Cell, data: dict[str, Any]) -> CellOutcome:
        return cls(cell, data["stages"], Predictions.from_rows(data["predictions"],
                                                               data["labels"]),
                   data["cost"], data["identity"], data["device"])


def pick_device(wanted: str) -> torch.device:
    import torch

    if wanted == "cuda" and not torch.cuda.is_available():
        raise RunError("--device cuda: no CUDA device is available; use --device cpu", "ES502")
    if wanted == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(wanted)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def quiet_libraries() -> None:
    """No download bars or advisory warnings from transformers in our output."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def load_data(plan: Plan, progress: Callable[[Event], None]) -> dict[str, TaskData]:
    """Every task's data, read and checked before any model is built."""
    from evalspec.execute.data import load_task_data

    data = {}
    for name, task in plan.spec.tasks.items():
        if task.type not in RUNNABLE:
            raise RunError(f"task `{name}`: `evalspec run` cannot train {task.type} tasks yet; "
                           f"it trains {', '.join(RUNNABLE)}", "ES314")
        progress({"kind": "data", "task": name})
        data[name] = load_task_data(task, plan.base_dir)
    return data


def run_cells(plan: Plan, data: dict[str, TaskData], options: RunOptions, cache: CellCache,
              score: Callable[[str, np.ndarray, Examples], dict[str, float | None]],
              on_cell: Callable[[CellOutcome], None]) -> None:
    """Each selected cell, handing each outcome on as it ends: from the cache when its
    digest is there, else trained — resuming from its last checkpoint if it has one."""
    cells = [c for c in plan.cells if not options.only or c.model in options.only]
    everything_cached = not options.rerun and all(cache.usable(c.digest, options.device)
                                                  for c in cells)
    device = None if everything_cached else _prepare(options)
    with stop_requests() as stop:
        for number, cell in enumerate(cells, start=1):
            if stop():
                raise Interrupted("interrupted; run the same command to resume")
            if options.rerun:
                cache.forget(cell.digest)
            cached = cache.usable(cell.digest, options.device)
            if device is None and not cached:  # the cache changed while we ran
                device = _prepare(options)
            options.progress({"kind": "cell", "cell": cell.key, "number": number,
                              "of": len(cells), "cached": cached,
                              "device": options.device if device is None else str(device)})
            if cached:
                outcome = CellOutcome.from_json(cell, cache.load(cell.digest))
                missing = _missing_costs(plan, outcome.cost)
                if missing:  # cost metrics added to the spec since the cell was trained
                    if device is None:
                        device = _prepare(options)
                    outcome.cost.update(_measure_untrained(plan, cell, data[cell.task], device,
                                                           options, missing))
                    cache.store(cell.digest, outcome.to_json())
                on_cell(outcome)
                continue
            assert device is not None  # prepared above, since this cell trains
            outcome = run_cell(plan, cell, data[cell.task], device, options, score, cache, stop)
            cache.store(cell.digest, outcome.to_json())
            on_cell(outcome)


def _prepare(options: RunOptions) -> torch.device:
    """What training needs first: the device, quiet libraries, deterministic kernels."""
    device = pick_device(options.device)
    quiet_libraries()
    deterministic(options.deterministic)
    return device


def deterministic(on: bool) -> None:
    """Deterministic algorithms (CUDA needs them asked for; the CPU kernels used are)."""
    import torch

    if on:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def run_cell(plan: Plan, cell: Cell, data: TaskData, device: torch.device, options: RunOptions,
             score: Callable[[str, np.ndarray, Examples], dict[str, float | None]],
             cache: CellCache, stop: Callable[[], bool]) -> CellOutcome:
    import torch

    from evalspec.execute import checkpoint
    from evalspec.execute.models import build_candidate
    from evalspec.execute.objective import Objective
    from evalspec.execute.train import Split, Trainer

    spec = plan.spec
    seed_everything(cell.seed)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    candidate = build_candidate(cell.model, spec.models[cell.model], spec.tasks[cell.task],
                                data, plan.base_dir, trust_remote_code=options.trust_remote_code)
    objective = Objective.for_task(data.labels, data.train)
    train = Split(candidate.encode(data.train), objective.targets(data.train))
    validation = Split(candidate.encode(data.validation), objective.targets(data.validation)) \
        if data.validation is not None and len(data.validation) else None
    directions = {e.name: METRICS[e.metric.fn].higher_is_better for e in spec.metrics.entries}
    folder = cache.checkpoints(cell.digest)
    trainer = Trainer(candidate, objective, train, validation, device=device, seed=cell.seed,
                      score=lambda outputs: score(cell.task, outputs,
                                                  cast(Examples, data.validation)),
                      higher_is_better=directions,
                      progress=lambda e: options.progress({"kind": "epoch", "cell": cell.key, **e}),
                      save=lambda c: checkpoint.save(folder, c), stop=stop)
    resume = checkpoint.latest(folder)
    if resume is not None:
        options.progress({"kind": "resume", "cell": cell.key, **resume.state})
    logs = trainer.run(cell.stages, resume)
    test = candidate.encode(data.test)
    decoded = objective.decode(trainer.outputs(test))
    predictions = Predictions(
        data.test.ids, list(data.test.targets), data.labels,
        probabilities=None if objective.regression else decoded,
        values=decoded if objective.regression else None)
    measured = _measure(candidate, test, device, spec.metrics.entries,
                        sum(log.seconds for log in logs))
    return CellOutcome(cell, [asdict(log) for log in logs], predictions, measured,
                       asdict(candidate.identity), device.type)


def _measure(candidate: Candidate, test: Any, device: torch.device, entries: list[Any],
             train_seconds: float) -> dict[str, Any]:
    """Cost metrics: parameters, train time and peak memory always; latency and throughput
    at each batch size the spec asks for."""
    from evalspec.execute import cost

    measured: dict[str, Any] = {"params": cost.parameters(candidate),
                                "train_time": {"seconds": train_seconds},
                                "peak_memory": cost.peak_memory_mib(device)}
    for entry in entries:
        measure = BATCHED_COSTS.get(entry.metric.fn)
        if measure is not None:
            measured[entry.name] = getattr(cost, measure)(candidate, test, entry.metric.batch,
                                                          device)
    return measured


BATCHED_COSTS = {"latency": "latency_ms", "throughput": "throughput"}  # functions of `cost`


def _missing_costs(plan: Plan, measured: dict[str, Any]) -> list[Any]:
    """The spec's latency and throughput entries a cached outcome lacks (or has at
    another batch size)."""
    return [e for e in plan.spec.metrics.entries if e.metric.fn in BATCHED_COSTS and
            (measured.get(e.name) or {}).get("batch") != e.metric.batch]


def _measure_untrained(plan: Plan, cell: Cell, data: TaskData, device: torch.device,
                       options: RunOptions, entries: list[Any]) -> dict[str, Any]:
    """Latency and throughput of a cached cell's model: they depend on its architecture
    and the device, not on the trained weights, so a freshly built one measures them."""
    from evalspec.execute import cost
    from evalspec.execute.models import build_candidate

    seed_everything(cell.seed)
    candidate = build_candidate(cell.model, plan.spec.models[cell.model],
                                plan.spec.tasks[cell.task], data, plan.base_dir,
                                trust_remote_code=options.trust_remote_code).to(device)
    test = candidate.encode(data.test)
    return {e.name: getattr(cost, BATCHED_COSTS[e.metric.fn])(candidate, test, e.metric.batch,
                                                              device) for e in entries}


def describe_cells(plan: Plan, data: dict[str, TaskData],
                   options: RunOptions) -> list[dict[str, Any]]:
    """Without training: each (task, model)'s parameters and what each stage would train."""
    from evalspec.execute import cost
    from evalspec.execute.models import build_candidate
    from evalspec.execute.train import set_trainable

    quiet_libraries()
    rows = []
    pairs = dict.fromkeys((c.task, c.model) for c in plan.cells
                          if not options.only or c.model in options.only)
    for task, model in pairs:
        seed_everything(0)
        candidate = build_candidate(model, plan.spec.models[model], plan.spec.tasks[task],
                                    data[task], plan.base_dir,
                                    trust_remote_code=options.trust_remote_code)
        stages = []
        for stage in plan.cells[0].stages:
            set_trainable(candidate, stage)
            stages.append({"stage": stage.name, "train": stage.train,
                           "trainable": sum(p.numel() for p in candidate.parameters()
                                            if p.requires_grad)})
        rows.append({"task": task, "model": model, "params": cost.parameters(candidate),
                     "stages": stages})
    return rows
