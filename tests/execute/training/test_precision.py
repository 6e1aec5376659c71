"""fp16 trains with loss scaling, and its scaler state travels in checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from evalspec.execute.data.examples import TaskData
from evalspec.execute.families import plugin_for
from evalspec.execute.training import checkpoint
from evalspec.execute.training.trainer import Split, Trainer


def test_fp16_scaler_state_is_checkpointed_and_restored(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any],
        tmp_path: Path) -> None:
    candidate = build({"fn": "scratch", "arch": "transformer", "layers": 1, "hidden": 32,
                       "heads": 2}, text_data,
                      max_length=16)
    objective = plugin_for("text_classification").objective(text_data.labels, text_data.train)
    assert text_data.validation is not None
    train = Split(candidate.encode(text_data.train), objective.targets(text_data.train))
    validation = Split(candidate.encode(text_data.validation),
                       objective.targets(text_data.validation))
    saved: list[checkpoint.Checkpoint] = []

    def keep(written: checkpoint.Checkpoint) -> None:
        checkpoint.save(tmp_path, written)
        saved.append(written)
    trainer = Trainer(candidate, objective, train, validation, device=torch.device("cpu"),
                      seed=0, save=keep)
    stage = make_stage(train="all", epochs=2, lr=1e-3, precision="fp16")
    trainer.run((stage,))
    mid_stage = [c for c in saved if c.state["epoch"] == 1]
    assert mid_stage and mid_stage[0].scaler["scale"] > 0  # the scaler's state was saved
    again = Trainer(candidate, objective, train, validation, device=torch.device("cpu"), seed=0)
    again.run((stage,), resume=mid_stage[0])
    assert again._scaler.get_scale() > 0
