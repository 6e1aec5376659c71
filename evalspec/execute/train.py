"""Fine-tuning a candidate through its stages, with cached features for head-only stages."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from evalspec.errors import RunError
from evalspec.execute.batching import inference_batches, training_batches
from evalspec.execute.candidate import Candidate, Encoded, count_parameters
from evalspec.execute.objective import Objective
from evalspec.execute.optim import build_optimizer, build_schedule
from evalspec.plan import StagePlan

Scorer = Callable[[np.ndarray], dict[str, float | None]]  # decoded outputs → metric values
Progress = Callable[[dict[str, Any]], None]


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


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[Any]:
    """bf16 autocast on CUDA where supported (`auto`), or as asked; fp32 otherwise."""
    if precision == "auto":
        precision = "bf16" if device.type == "cuda" and torch.cuda.is_bf16_supported() \
            else "fp32"
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device.type, dtype=dtype)


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


class Trainer:
    """Runs a cell's stages in order; each starts from the weights the previous one left."""

    def __init__(self, candidate: Candidate, objective: Objective, train: Split,
                 validation: Split | None, *, device: torch.device, seed: int,
                 score: Scorer | None = None, higher_is_better: dict[str, bool] | None = None,
                 progress: Progress | None = None):
        self.candidate = candidate.to(device)
        self.objective = objective
        self.train_split, self.val_split = train, validation
        self.device, self.seed = device, seed
        self.score = score or (lambda outputs: {})
        self.higher_is_better = higher_is_better or {}
        self.progress = progress or (lambda event: None)
        self._features: dict[str, torch.Tensor] = {}  # valid until the backbone changes
        self.backbone_passes = 0

    # ------------------------------------------------------------------ stages
    def run(self, stages: tuple[StagePlan, ...]) -> list[StageLog]:
        return [self.run_stage(index, stage) for index, stage in enumerate(stages)]

    def run_stage(self, index: int, stage: StagePlan) -> StageLog:
        started = time.perf_counter()
        passes_before = self.backbone_passes
        set_trainable(self.candidate, stage)
        log = StageLog(stage.name, stage.train, count_parameters(self.candidate, True))
        cached = stage.train == "head"
        if not cached:
            self._features.clear()
        train_loader = self._cached_batches if cached else self._live_batches
        optimizer = build_optimizer(self.candidate, stage)
        steps_per_epoch = math.ceil(math.ceil(len(self.train_split) / stage.batch_size)
                                    / stage.accumulate)
        total = steps_per_epoch * stage.epochs
        if stage.max_steps:
            total = min(total, stage.max_steps)
        schedule = build_schedule(optimizer, stage, total)
        generator = torch.Generator().manual_seed(self.seed * 1009 + index)
        best: tuple[float, int, dict[str, torch.Tensor]] | None = None
        waited, step = 0, 0
        for epoch in range(1, stage.epochs + 1):
            epoch_start = time.perf_counter()
            self._train_mode(stage)
            losses = []
            batches = list(train_loader(stage, generator))
            for number, (outputs_fn, targets) in enumerate(batches, start=1):
                with autocast(self.device, stage.precision):
                    loss = self.objective.loss(outputs_fn(), targets)
                if not torch.isfinite(loss):
                    raise RunError(f"non-finite loss ({loss.item()}) in stage `{stage.name}`, "
                                   f"epoch {epoch}, step {number}; lower `lr` or set "
                                   "`grad_clip`", "ES504")
                (loss / stage.accumulate).backward()
                losses.append(loss.item())
                if number % stage.accumulate == 0 or number == len(batches):
                    if stage.grad_clip:
                        nn.utils.clip_grad_norm_(
                            [p for p in self.candidate.parameters() if p.requires_grad],
                            stage.grad_clip)
                    optimizer.step()
                    schedule.step()
                    optimizer.zero_grad(set_to_none=True)
                    step += 1
                    if stage.max_steps and step >= stage.max_steps:
                        break
            record: dict[str, Any] = {"epoch": epoch, "train_loss": float(np.mean(losses)),
                                      "lr": optimizer.param_groups[0]["lr"]}
            record.update(self._validate(stage, cached))
            record["seconds"] = time.perf_counter() - epoch_start
            log.epochs.append(record)
            self.progress({"stage": stage.name, **record, "of": stage.epochs})
            monitored = self._monitored(stage, record)
            if monitored is not None:
                if best is None or monitored < best[0] - stage.min_delta:
                    best = (monitored, epoch, self._snapshot(cached))
                    waited = 0
                else:
                    waited += 1
                if stage.patience is not None and waited >= stage.patience:
                    log.stopped_early = epoch < stage.epochs
                    break
            if stage.max_steps and step >= stage.max_steps:
                break
        if best is not None:
            self._restore(best[2], cached)
            log.best_epoch = best[1]
        else:
            log.best_epoch = log.epochs[-1]["epoch"] if log.epochs else None
        log.seconds = time.perf_counter() - started
        log.backbone_passes = self.backbone_passes - passes_before
        return log

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
    def _to_device(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}

    def _live_batches(self, stage: StagePlan, generator: torch.Generator) -> Iterator[Any]:
        split = self.train_split
        for indices in training_batches(split.encoded.lengths, len(split), stage.batch_size,
                                        generator):
            batch = self._to_device(self.candidate.collate(
                [split.encoded.items[i] for i in indices]))
            yield (lambda b=batch: self.candidate(b)), split.targets[indices].to(self.device)
        self.backbone_passes += 1

    def _cached_batches(self, stage: StagePlan, generator: torch.Generator) -> Iterator[Any]:
        features = self.features("train")
        split = self.train_split
        for indices in training_batches(None, len(split), stage.batch_size, generator):
            chunk = features[indices].to(self.device)
            yield (lambda c=chunk: self.candidate.head(c)), split.targets[indices].to(self.device)

    def features(self, name: str) -> torch.Tensor:
        """Backbone features of a split, computed once until the backbone changes."""
        if name not in self._features:
            split = self.train_split if name == "train" else self.val_split
            assert split is not None
            self.candidate.eval()
            self._features[name] = self._forward(split.encoded, self.candidate.features)
            self.backbone_passes += 1
        return self._features[name]

    @torch.inference_mode()
    def _forward(self, encoded: Encoded, function: Callable[[Any], torch.Tensor],
                 batch_size: int = 64) -> torch.Tensor:
        outputs: list[torch.Tensor] = []
        order: list[int] = []
        for indices in inference_batches(encoded.lengths, len(encoded.items), batch_size):
            batch = self._to_device(self.candidate.collate([encoded.items[i] for i in indices]))
            with autocast(self.device, "auto"):
                outputs.append(function(batch).float().cpu())
            order += indices
        stacked = torch.cat(outputs)
        result = torch.empty_like(stacked)
        result[torch.tensor(order)] = stacked
        return result

    def outputs(self, encoded: Encoded) -> torch.Tensor:
        """Model outputs (logits or standardised values) for every item, in order."""
        self.candidate.eval()
        return self._forward(encoded, self.candidate)

    # ------------------------------------------------------------------ validation
    def _validate(self, stage: StagePlan, cached: bool) -> dict[str, Any]:
        if self.val_split is None:
            return {}
        self.candidate.eval()
        if cached:
            with torch.inference_mode():
                outputs = self.candidate.head(self.features("validation").to(self.device)).cpu()
        else:
            outputs = self.outputs(self.val_split.encoded)
            self.backbone_passes += 1
        with torch.inference_mode():
            loss = self.objective.loss(outputs.float(), self.val_split.targets).item()
        return {"val_loss": loss, "val": self.score(self.objective.decode(outputs))}

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
