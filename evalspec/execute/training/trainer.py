"""Fine-tuning a candidate through its stages, with cached features for head-only stages."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from evalspec.errors import Interrupted, RunError
from evalspec.execute.families.base import Objective
from evalspec.execute.models.candidate import Candidate, Encoded, count_parameters
from evalspec.execute.training.batching import training_batches
from evalspec.execute.training.checkpoint import Checkpoint, on_cpu
from evalspec.execute.training.compiled import CompiledModel
from evalspec.execute.training.feed import moved, to_device
from evalspec.execute.training.optim import build_optimizer, build_schedule
from evalspec.execute.training.precision import autocast, matmuls, resolve_precision
from evalspec.execute.training.predict import forward_all
from evalspec.execute.training.ranks import Ranks
from evalspec.plan import StagePlan

Scorer = Callable[[np.ndarray], dict[str, float | None]]  # decoded outputs → metric values
Progress = Callable[[dict[str, Any]], None]
STEP_EVENT_SECONDS = 0.1  # at most ten step events a second
READ_LOSSES_EVERY = 50  # batches whose losses stay on the device before they are read back


@dataclass
class Split:
    """An encoded split with its training targets."""

    encoded: Encoded
    targets: torch.Tensor

    def __len__(self) -> int:
        return len(self.encoded.items)


@dataclass
class StageLog:
    name: str
    train: str
    trainable_params: int
    epochs: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    seconds: float = 0.0
    backbone_passes: int = 0  # full passes of the backbone over an example set
    precision: str = "fp32"  # as resolved for the device
    compiled: bool = False  # trained through torch.compile
    compile_failure: str | None = None  # why `compile = true` trained eagerly instead


def set_trainable(candidate: Candidate, stage: StagePlan) -> None:
    """Unfreeze what the stage trains: the head; all; or the head and the top N blocks."""
    for param in candidate.parameters():
        param.requires_grad = stage.train == "all"
    for param in candidate.head.parameters():
        param.requires_grad = True
    if stage.train == "top":
        blocks = candidate.blocks()
        if stage.top_n > len(blocks):
            raise RunError(f"stage `{stage.name}`: top({stage.top_n}) but the model has "
                           f"only {len(blocks)} blocks", "ES502")
        for block in blocks[len(blocks) - stage.top_n:]:
            for param in block.parameters():
                param.requires_grad = True


@dataclass(frozen=True)
class Pass:
    """One epoch's pass over the training split, for progress: the examples it drew (a
    resumed epoch's earlier batches included), its optimizer steps, and the examples per
    second this process trained (None when it trained none)."""

    losses: list[float]
    examples: int
    steps: int
    per_second: float | None


class EpochLosses:
    """An epoch's batch losses. Each stays on the device as it comes (reading one back
    makes the host wait for the GPU at every step) and they are read back together every
    READ_LOSSES_EVERY batches, before a checkpoint and at the epoch's end, on every rank
    at the same batches. A non-finite loss is found when read back (ES504)."""

    def __init__(self, read: list[float], ranks: Ranks, stage: str, epoch: int):
        self.values = read  # read back (a resumed epoch's earlier batches included)
        self.ranks, self.stage, self.epoch = ranks, stage, epoch
        self._waiting: list[torch.Tensor] = []
        self._first = 0  # batch number of the first waiting loss

    def add(self, number: int, loss: torch.Tensor) -> None:
        if not self._waiting:
            self._first = number
        self._waiting.append(loss.detach().float())
        if len(self._waiting) >= READ_LOSSES_EVERY:
            self.read()

    def read(self) -> list[float]:
        """Every loss so far, as the whole batch's (summed over the ranks)."""
        if self._waiting:
            totals = self.ranks.totals(torch.stack(self._waiting))
            for offset, value in enumerate(totals):
                if not math.isfinite(value):
                    raise RunError(f"non-finite loss ({value}) in stage `{self.stage}`, epoch "
                                   f"{self.epoch}, step {self._first + offset}; lower `lr` "
                                   "or set `grad_clip`", "ES504")
            self.values += totals
            self._waiting.clear()
        return self.values


@dataclass
class Position:
    """Where a cell's training stands; every checkpoint saves it, resuming starts from it."""

    stage: int = 0  # index of the stage in progress
    epoch: int = 0  # epochs finished in that stage
    batch: int = 0  # batches finished in the epoch in progress (after an interrupt)
    steps: int = 0  # optimizer steps taken in the stage
    waited: int = 0  # epochs without improvement
    best_value: float | None = None
    best_epoch: int | None = None
    losses: list[float] = field(default_factory=list)  # the epoch in progress
    logs: list[dict[str, Any]] = field(default_factory=list)  # finished stages, then current


def epoch_generator(seed: int, stage: int, epoch: int) -> torch.Generator:
    """The data order of one epoch depends only on the seed, the stage and the epoch, so a
    resumed run draws exactly the batches an uninterrupted one would."""
    return torch.Generator().manual_seed((seed * 1009 + stage) * 10_007 + epoch)


def _never() -> bool:
    return False


class Trainer:
    """Runs a cell's stages in order; each starts from the weights the previous one left.

    `save` receives a checkpoint (its own copies of every tensor, on the CPU) at the end of
    every epoch and stage; `stop` is asked after every optimizer step — when it says so,
    the trainer checkpoints and raises Interrupted.
    `progress` receives an `epoch` event after every epoch and a `step` event at most every
    STEP_EVENT_SECONDS; both say where training stands and what this trainer has trained
    (`trained` examples, `trained_steps`, `training` seconds since it was built). With
    several `ranks`, each trains its share of every batch and their gradients are summed
    before each step; only the lead rank saves.
    """

    def __init__(self, candidate: Candidate, objective: Objective, train: Split,
                 validation: Split | None, *, device: torch.device, seed: int,
                 score: Scorer | None = None, higher_is_better: dict[str, bool] | None = None,
                 progress: Progress | None = None,
                 save: Callable[[Checkpoint], object] | None = None,
                 stop: Callable[[], bool] = _never, ranks: Ranks | None = None):
        self.candidate = candidate.to(device)
        self._targets = train.targets.to(device)
        self.objective = objective
        self.train_split, self.val_split = train, validation
        self.device, self.seed = device, seed
        self.score = score or (lambda outputs: {})
        self.higher_is_better = higher_is_better or {}
        self.progress = progress or (lambda event: None)
        self.ranks = ranks or Ranks()
        self.save = save if self.ranks.lead else None
        self.stop = stop
        self._features: dict[str, torch.Tensor] = {}  # valid until the backbone changes
        self.backbone_passes = 0
        self._started = time.perf_counter()
        self._trained = self._trained_steps = 0  # examples and optimizer steps, this process
        self._compiled: CompiledModel | None = None  # made by the first stage that compiles
        self._model: Callable[[Any], torch.Tensor] = self.candidate  # trains the batches
        self._compile_seconds = 0.0  # spent compiling (the first compiled batch)

    # ------------------------------------------------------------------ stages
    def run(self, stages: tuple[StagePlan, ...],
            resume: Checkpoint | None = None) -> list[StageLog]:
        """Every stage, from the start or from a checkpoint of this same cell."""
        position = self._resume(resume) if resume else Position()
        first = position.stage
        logs = [StageLog(**log) for log in position.logs[:first]]
        for index in range(first, len(stages)):
            logs.append(self.run_stage(index, stages[index], position,
                                       resume if index == first else None))
            position = Position(index + 1, logs=[asdict(log) for log in logs])
            self._checkpoint(position, None, None, None)
        return logs

    def run_stage(self, index: int, stage: StagePlan, position: Position | None = None,
                  resume: Checkpoint | None = None) -> StageLog:
        with matmuls(self.device, stage.precision):
            return self._run_stage(index, stage, position or Position(index), resume)

    def _run_stage(self, index: int, stage: StagePlan, position: Position,
                   resume: Checkpoint | None) -> StageLog:
        started = time.perf_counter()
        passes_before = self.backbone_passes
        set_trainable(self.candidate, stage)
        cached = stage.train == "head"
        log = StageLog(**position.logs[index]) if len(position.logs) > index else \
            StageLog(stage.name, stage.train, count_parameters(self.candidate, True))
        if not cached:
            self._features.clear()
        self._model = self._model_for(stage, cached)
        log.precision = resolve_precision(self.device, stage.precision)
        optimizer = build_optimizer(self.candidate, stage)
        schedule = build_schedule(optimizer, stage, self._total_steps(stage))
        self._scaler = torch.amp.GradScaler(  # loss scaling, for fp16 only
            self.device.type, enabled=resolve_precision(self.device, stage.precision) == "fp16")
        best = None
        if resume is not None and position.epoch + position.batch > 0:
            optimizer.load_state_dict(resume.optimizer)
            schedule.load_state_dict(resume.schedule)
            if resume.scaler:
                self._scaler.load_state_dict(resume.scaler)
            best = resume.best
        for epoch in range(position.epoch + 1, stage.epochs + 1):
            epoch_start = time.perf_counter()
            done = self._train_epoch(index, stage, epoch, position, optimizer, schedule, best,
                                     log)
            self._note_compiling(log, stage)
            record: dict[str, Any] = {"epoch": epoch, "train_loss": float(np.mean(done.losses)),
                                      "lr": optimizer.param_groups[0]["lr"],
                                      "examples_per_second": done.per_second}
            record.update(self._validate(stage, cached))
            record["seconds"] = time.perf_counter() - epoch_start
            log.epochs.append(record)
            self.progress({"kind": "epoch", "stage": stage.name, "stage_index": index, **record,
                           "of": stage.epochs, "steps": done.steps, "examples": done.examples,
                           "per_second": done.per_second, **self._counters()})
            position.epoch, position.batch, position.losses = epoch, 0, []
            best = self._track_best(stage, record, position, cached, best)
            finished = epoch == stage.epochs or _out_of_patience(stage, position) or \
                bool(stage.max_steps and position.steps >= stage.max_steps)
            log.stopped_early = finished and epoch < stage.epochs
            if finished:
                break
            self._checkpoint(position, optimizer, schedule, best, log)
        if best is not None:
            self._restore(best, cached)
        log.best_epoch = position.best_epoch if position.best_epoch is not None else (
            log.epochs[-1]["epoch"] if log.epochs else None)
        log.seconds += time.perf_counter() - started
        log.backbone_passes += self.backbone_passes - passes_before
        return log

    def _train_epoch(self, index: int, stage: StagePlan, epoch: int, position: Position,
                     optimizer: torch.optim.Optimizer, schedule: Any,
                     best: dict[str, torch.Tensor] | None, log: StageLog) -> Pass:
        """One pass over the training split, from the batch an interrupt left off at."""
        cached = stage.train == "head"
        if cached:
            self.features("train")  # before train mode: computing them switches to eval
        self._train_mode(stage)
        split = self.train_split
        order = epoch_generator(self.seed, index, epoch)
        self.ranks.seed_epoch(order.initial_seed())
        batches = training_batches(None if cached else split.encoded.lengths, len(split),
                                   stage.batch_size, order)
        losses = EpochLosses(position.losses, self.ranks, stage.name, epoch)
        steps = math.ceil(len(batches) / stage.accumulate)
        started = reported = time.perf_counter()
        examples = fresh = 0  # drawn in this epoch; trained by this process
        for number, indices in enumerate(batches, start=1):
            examples += len(indices)
            if number <= position.batch:
                continue
            fresh += len(indices)
            self._trained += len(indices)
            losses.add(number, self._learn(*self.ranks.share(indices), stage, cached))
            if number % stage.accumulate and number != len(batches):
                continue
            self._step(stage, optimizer, schedule)
            position.steps += 1
            position.batch = number
            self._trained_steps += 1
            now = time.perf_counter()
            if now - reported >= STEP_EVENT_SECONDS:
                reported = now
                self.progress({"kind": "step", "stage": stage.name, "stage_index": index,
                               "epoch": epoch, "of": stage.epochs,
                               "step": math.ceil(number / stage.accumulate), "steps": steps,
                               "examples": examples, "per_second": fresh / (now - started),
                               **self._counters()})
            if stage.max_steps and position.steps >= stage.max_steps:
                break
            if self.ranks.any(self.stop()):
                position.losses = losses.read()
                self._checkpoint(position, optimizer, schedule, best, log)
                raise Interrupted("interrupted; run the same command to resume")
        if not cached:
            self.backbone_passes += 1
        position.losses = losses.read()
        elapsed = time.perf_counter() - started
        return Pass(position.losses, examples, steps,
                    fresh / elapsed if fresh and elapsed > 0 else None)

    def _counters(self) -> dict[str, Any]:
        """What this trainer has trained since it was built, for progress; compiling is
        not training (the time left counts it, like building the model, once per cell)."""
        return {"trained": self._trained, "trained_steps": self._trained_steps,
                "training": time.perf_counter() - self._started - self._compile_seconds}

    def _learn(self, indices: list[int], weight: float, stage: StagePlan,
               cached: bool) -> torch.Tensor:
        """Forward and backward of this rank's share of a batch, its mean loss weighted by
        the share; the loss stays on the device. The first one through torch.compile runs
        eagerly instead when compiling fails."""
        def run() -> torch.Tensor:
            rows = moved(torch.tensor(indices), self.device)
            with autocast(self.device, stage.precision):
                loss = self.objective.loss(self._outputs_for(indices, rows, cached),
                                           self._targets[rows]) * weight
            self._scaler.scale(loss / stage.accumulate).backward()
            return loss

        if isinstance(self._model, CompiledModel) and self._model.untried:
            self.progress({"kind": "compiling", "stage": stage.name})
            started = time.perf_counter()
            try:
                return self._model.first(run)
            finally:
                self._compile_seconds += time.perf_counter() - started
        return run()

    def _outputs_for(self, indices: list[int], rows: torch.Tensor,
                     cached: bool) -> torch.Tensor:
        if cached:
            return self.candidate.head(self.features("train")[rows])
        split = self.train_split
        return self._model(to_device(
            self.candidate.collate([split.encoded.items[i] for i in indices]), self.device))

    def _model_for(self, stage: StagePlan, cached: bool) -> Callable[[Any], torch.Tensor]:
        """What trains the stage's batches: the candidate through torch.compile when the
        stage asks for it and trains more than the head (one compiled model serves every
        stage; once compiling failed, the candidate itself)."""
        if not stage.compile or cached:
            return self.candidate
        if self._compiled is None:  # batches of varying length: compiled for any shape
            varying = self.train_split.encoded.lengths is not None
            self._compiled = CompiledModel(self.candidate, dynamic=True if varying else None)
        return self._compiled

    def _note_compiling(self, log: StageLog, stage: StagePlan) -> None:
        """Whether the stage trained through torch.compile, and why not when it failed (said
        once per stage)."""
        compiled = self._model
        if not isinstance(compiled, CompiledModel):
            return
        if compiled.failure and log.compile_failure is None:
            self.progress({"kind": "compile_failed", "stage": stage.name,
                           "reason": compiled.failure})
        log.compiled, log.compile_failure = compiled.failure is None, compiled.failure

    def _step(self, stage: StagePlan, optimizer: torch.optim.Optimizer, schedule: Any) -> None:
        self.ranks.sum_gradients(self.candidate.parameters())
        if stage.grad_clip:
            self._scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(
                [p for p in self.candidate.parameters() if p.requires_grad], stage.grad_clip)
        self._scaler.step(optimizer)
        self._scaler.update()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)

    def _total_steps(self, stage: StagePlan) -> int:
        per_epoch = math.ceil(math.ceil(len(self.train_split) / stage.batch_size)
                              / stage.accumulate)
        total = per_epoch * stage.epochs
        return min(total, stage.max_steps) if stage.max_steps else total

    def _track_best(self, stage: StagePlan, record: dict[str, Any], position: Position,
                    cached: bool, best: dict[str, torch.Tensor] | None
                    ) -> dict[str, torch.Tensor] | None:
        monitored = self._monitored(stage, record)
        if monitored is None:
            return best
        if position.best_value is None or monitored < position.best_value - stage.min_delta:
            position.best_value, position.best_epoch, position.waited = monitored, \
                record["epoch"], 0
            return self._snapshot(cached)
        position.waited += 1
        return best

    # ------------------------------------------------------------------ checkpoints
    def _checkpoint(self, position: Position, optimizer: torch.optim.Optimizer | None,
                    schedule: Any, best: dict[str, torch.Tensor] | None,
                    log: StageLog | None = None) -> None:
        if self.save is None:
            return
        state = asdict(position)
        if log is not None:
            state["logs"] = state["logs"][:position.stage] + [asdict(log)]
        rng = {"torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        self.save(Checkpoint(
            on_cpu(self.candidate.state_dict()), on_cpu(best) if best is not None else None,
            on_cpu(optimizer.state_dict()) if optimizer is not None else {},
            schedule.state_dict() if schedule is not None else {}, rng, state,
            self._scaler.state_dict() if optimizer is not None and self._scaler.is_enabled()
            else {}))

    def _resume(self, checkpoint: Checkpoint) -> Position:
        """Weights, random number generators and position from a checkpoint."""
        self.candidate.load_state_dict(checkpoint.model)
        torch.set_rng_state(checkpoint.rng["torch"])
        if "cuda" in checkpoint.rng and self.device.type == "cuda":
            torch.cuda.set_rng_state(checkpoint.rng["cuda"], self.device)
        return Position(**checkpoint.state)

    # ------------------------------------------------------------------ freezing
    def _train_mode(self, stage: StagePlan) -> None:
        """Train mode, except frozen normalisation layers keep their statistics."""
        self.candidate.train()
        if stage.train == "head":
            self.candidate.backbone.eval()
            return
        for module in self.candidate.backbone.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm) and not any(
                    p.requires_grad for p in module.parameters()):
                module.eval()

    # ------------------------------------------------------------------ batches
    def features(self, name: str) -> torch.Tensor:
        """Backbone features of a split, computed once until the backbone changes; they
        stay on the device."""
        if name not in self._features:
            split = self.train_split if name == "train" else self.val_split
            assert split is not None
            self.candidate.eval()
            self._features[name] = self._forward(split.encoded, self.candidate.features)
            self.backbone_passes += 1
        return self._features[name]

    def _forward(self, encoded: Encoded, function: Callable[[Any], torch.Tensor]
                 ) -> torch.Tensor:
        return forward_all(self.candidate, encoded, function, self.device)

    # ------------------------------------------------------------------ validation
    def _validate(self, stage: StagePlan, cached: bool) -> dict[str, Any]:
        if self.val_split is None:
            return {}
        self.candidate.eval()
        with torch.inference_mode():
            if cached:
                outputs = self.candidate.head(self.features("validation"))
            else:
                outputs = self._forward(self.val_split.encoded, self.candidate)
                self.backbone_passes += 1
            loss = self.objective.loss(outputs.float(),
                                       self.val_split.targets.to(self.device)).item()
        return {"val_loss": loss, "val": self.score(self.objective.decode(outputs.cpu()))}

    def _monitored(self, stage: StagePlan, record: dict[str, Any]) -> float | None:
        """The value to minimise when choosing the best epoch (validation loss by default;
        higher-is-better metrics are negated)."""
        if "val_loss" not in record:
            return None
        if stage.monitor in (None, "loss"):
            return float(record["val_loss"])
        value = record["val"].get(stage.monitor)
        if value is None:
            return None
        return -float(value) if self.higher_is_better.get(stage.monitor, True) else float(value)

    def _snapshot(self, cached: bool) -> dict[str, torch.Tensor]:
        module = self.candidate.head if cached else self.candidate
        return {k: v.detach().clone() for k, v in module.state_dict().items()}

    def _restore(self, state: dict[str, torch.Tensor], cached: bool) -> None:
        (self.candidate.head if cached else self.candidate).load_state_dict(state)
        if not cached:
            self._features.clear()


def _out_of_patience(stage: StagePlan, position: Position) -> bool:
    return stage.patience is not None and position.waited >= stage.patience
