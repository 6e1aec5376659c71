"""One cell as a picklable unit of work: a `CellJob` (plan cell, its task's data, the
settings that shape it) in, a `CellOutcome` out. No closures: a local loop runs it today,
a worker process or a cluster task can run the same call."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from evalspec.errors import RunError
from evalspec.execute.cache import CellCache
from evalspec.execute.data.examples import TaskData
from evalspec.execute.events import Event, loading
from evalspec.execute.race import Leader, judge
from evalspec.outcome import CellOutcome, CellRef, Predictions
from evalspec.plan import Cell, Evaluation, Plan
from evalspec.registry.metrics import METRICS
from evalspec.validate.model import MetricEntry

if TYPE_CHECKING:
    import torch

    from evalspec.execute.families.base import FamilyPlugin, Objective
    from evalspec.execute.models.candidate import Candidate, Encoded
    from evalspec.execute.training.ranks import Ranks

# Validation predictions of a task → the spec's metrics on them (for curves and early
# stopping); results.scoring.ValidationScorer is the one the session passes.
Scorer = Callable[[str, Predictions], dict[str, float | None]]
BATCHED_COSTS = {"latency": "latency_ms", "throughput": "throughput"}  # functions of `cost`


def _ignore(event: Event) -> None:
    del event


def _never() -> bool:
    return False


@dataclass(frozen=True)
class CellJob:
    """Everything one cell needs, as plain picklable values."""

    plan: Plan
    cell: Cell
    data: TaskData
    scorer: Scorer
    cache_root: Path
    device: str = "auto"  # auto | cpu | cuda
    trust_remote_code: bool = False
    deterministic: bool = False
    evaluations: tuple[Evaluation, ...] = ()  # predicted beside the test split
    leader: Leader | None = None  # when candidates race: the one to beat


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
    """No download bars or advisory warnings from transformers in our output, nor torch's
    note on compiling without a CUDA toolkit (`compile = true` on the CPU)."""
    import logging as standard_logging

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    standard_logging.getLogger("torch.utils.cpp_extension").setLevel(standard_logging.ERROR)


def deterministic(on: bool) -> None:
    """Deterministic algorithms (CUDA needs them asked for; the CPU kernels used are).
    Otherwise cuDNN times its convolution algorithms once per input shape and keeps the
    fastest (batches have one shape per split for images and audio)."""
    import torch

    if on:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = not on


def prepare(device: str, deterministic_kernels: bool) -> torch.device:
    """What training needs first: the device, quiet libraries, deterministic kernels, and
    what a process loads on first use, loaded before any cell is timed or measured."""
    from evalspec.execute.training.memory import warm_up

    found = pick_device(device)
    quiet_libraries()
    deterministic(deterministic_kernels)
    warm_up()
    return found


def run_cell(job: CellJob, progress: Callable[[Event], None] = _ignore,
             stop: Callable[[], bool] = _never) -> CellOutcome:
    """Train the cell through its stages (resuming from its last checkpoint if it has
    one), keep its weights, predict the test split and the job's evaluations, and measure
    cost: peak memory over all of that, then latency and throughput."""
    outcome = run_rank(job, progress, stop)
    assert outcome is not None, "a single process is the lead rank"
    return outcome


def run_rank(job: CellJob, progress: Callable[[Event], None] = _ignore,
             stop: Callable[[], bool] = _never, ranks: Ranks | None = None
             ) -> CellOutcome | None:
    """`run_cell` as one of several `ranks` that train the cell together: each trains its
    share of every batch; the lead rank alone checkpoints, keeps the weights, predicts and
    measures, and returns the outcome (the others return None once training ends)."""
    from evalspec.execute.evaluations import predict_evaluations
    from evalspec.execute.training import checkpoint
    from evalspec.execute.training.memory import CellMemory
    from evalspec.execute.training.predict import predict
    from evalspec.execute.training.trainer import Split, Trainer

    plan, cell, data = job.plan, job.cell, job.data
    spec = plan.spec
    device = prepare(job.device, job.deterministic)
    task = spec.tasks[cell.task]
    directions = {e.name: METRICS[e.metric.fn].higher_is_better for e in spec.metrics.entries}
    primary = spec.metrics.primary_name()
    plugin, candidate, objective = built(plan, cell, data, job.trust_remote_code, progress)
    with CellMemory(device, candidate) as memory:
        train = Split(candidate.encode(data.train), objective.targets(data.train))
        held_out = data.validation if data.validation is not None and len(data.validation) \
            else None
        validation = Split(candidate.encode(held_out), objective.targets(held_out)) \
            if held_out is not None else None
        validated = [0]

        def score(decoded: np.ndarray) -> dict[str, float | None]:
            assert held_out is not None
            predictions = plugin.predictions(held_out, data.labels, decoded)
            found = job.scorer(cell.task, predictions)
            validated[0] += 1
            judge(spec, cell.task, cell.model, cell.seed, validated[0], job.leader,
                  predictions, found.get(primary))
            return found

        folder = CellCache(job.cache_root).checkpoints(cell.digest)
        writer = checkpoint.Writer(folder)
        trainer = Trainer(candidate, objective, train, validation, device=device,
                          seed=cell.seed, score=score, higher_is_better=directions,
                          progress=lambda e: progress({"cell": cell.key, "primary": primary,
                                                       **e}),
                          save=writer.submit, stop=stop, ranks=ranks)
        resume = checkpoint.latest(folder)
        if resume is not None:
            progress({"kind": "resume", "cell": cell.key, **resume.state})
        try:
            logs = trainer.run(cell.stages, resume)
        finally:
            writer.close()
        if not trainer.ranks.lead:
            return None
        CellCache(job.cache_root).keep_weights(cell.digest, candidate)
        test = candidate.encode(data.test)
        predictions = predict(candidate, plugin, objective, data.test, data.labels, device,
                              test)
        evaluations = predict_evaluations(candidate, plugin, objective, task, data,
                                          job.evaluations, device)
        racing = spec.finetune is not None and spec.finetune.race is not None
        final = predict(candidate, plugin, objective, held_out, data.labels, device) \
            if racing and held_out is not None else None
    measured = measure(candidate, test, device, spec.metrics.entries,
                       sum(log.seconds for log in logs), memory.record())
    return CellOutcome(CellRef.of(cell), [asdict(log) for log in logs], predictions, measured,
                       asdict(candidate.identity), device.type, evaluations, final)


def built(plan: Plan, cell: Cell, data: TaskData, trust_remote_code: bool = False,
          progress: Callable[[Event], None] = _ignore
          ) -> tuple[FamilyPlugin, Candidate, Objective]:
    """The cell's family plug-in, its candidate freshly built (seeded by the cell) and the
    family's objective on the training split."""
    from evalspec.execute.families import plugin_for
    from evalspec.execute.models.builders import build_candidate
    from evalspec.execute.models.candidate import count_parameters

    task = plan.spec.tasks[cell.task]
    seed_everything(cell.seed)
    plugin = plugin_for(task.type)
    progress(loading(cell.model, plan.spec.models[cell.model], cell.key))
    candidate = build_candidate(cell.model, plan.spec.models[cell.model], task, data,
                                plan.base_dir, trust_remote_code=trust_remote_code)
    progress({"kind": "built", "model": cell.model,  # its size, for the time left
              "parameters": count_parameters(candidate)})
    return plugin, candidate, plugin.objective(data.labels, data.train)


def evaluate_kept(job: CellJob, weights: Path, progress: Callable[[Event], None] = _ignore
                  ) -> dict[str, Predictions]:
    """The job's evaluations for a cell trained earlier, predicted with the weights the
    cache kept: nothing is trained."""
    from safetensors.torch import load_model

    from evalspec.execute.evaluations import predict_evaluations

    device = prepare(job.device, job.deterministic)
    plugin, candidate, objective = built(job.plan, job.cell, job.data, job.trust_remote_code,
                                         progress)
    load_model(candidate, str(weights))
    return predict_evaluations(candidate.to(device), plugin, objective,
                               job.plan.spec.tasks[job.cell.task], job.data, job.evaluations,
                               device)


def measure(candidate: Candidate, test: Encoded, device: torch.device,
            entries: list[MetricEntry], train_seconds: float,
            peak_memory: dict[str, Any]) -> dict[str, Any]:
    """Cost metrics: parameters, train time and peak memory always; latency and throughput
    at each batch size the spec asks for."""
    from evalspec.execute.training import cost

    measured: dict[str, Any] = {"params": cost.parameters(candidate),
                                "train_time": {"seconds": train_seconds},
                                "peak_memory": peak_memory}
    for entry in entries:
        function = BATCHED_COSTS.get(entry.metric.fn)
        if function is not None:
            measured[entry.name] = getattr(cost, function)(candidate, test, entry.metric.batch,
                                                           device)
    return measured


def missing_costs(plan: Plan, measured: dict[str, Any]) -> list[MetricEntry]:
    """The spec's latency and throughput entries a cached outcome lacks (or has at
    another batch size)."""
    return [e for e in plan.spec.metrics.entries if e.metric.fn in BATCHED_COSTS and
            (measured.get(e.name) or {}).get("batch") != e.metric.batch]


def measure_untrained(job: CellJob, entries: list[MetricEntry],
                      progress: Callable[[Event], None] = _ignore) -> dict[str, Any]:
    """Latency and throughput of a cached cell's model: they depend on its architecture
    and the device, not on the trained weights, so a freshly built one measures them."""
    from evalspec.execute.training import cost

    device = prepare(job.device, job.deterministic)
    candidate = built(job.plan, job.cell, job.data, job.trust_remote_code,
                      progress)[1].to(device)
    test = candidate.encode(job.data.test)
    return {e.name: getattr(cost, BATCHED_COSTS[e.metric.fn])(candidate, test, e.metric.batch,
                                                              device) for e in entries}
