"""The Trainer on tiny real models: cached head features match a naive loop, freezing,
layer-wise learning rates, schedules, and non-finite losses."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.families import Objective, plugin_for
from evalspec.execute.training.batching import training_batches
from evalspec.execute.training.optim import build_optimizer, build_schedule
from evalspec.execute.training.trainer import Split, Trainer, epoch_generator
from tests import tiny

Build = Callable[..., Any]


def splits(candidate: Any, data: TaskData) -> tuple[Objective, Split, Split]:
    objective = plugin_for("text_classification").objective(data.labels, data.train)
    assert data.validation is not None
    return (objective, Split(candidate.encode(data.train), objective.targets(data.train)),
            Split(candidate.encode(data.validation), objective.targets(data.validation)))


@pytest.fixture
def bert(build: Build, bert_dir: Path, text_data: TaskData) -> Any:
    return build({"fn": "path", "path": str(bert_dir)}, text_data, max_length=32)


def count_examples(module: torch.nn.Module) -> list[int]:
    """A forward hook that counts the examples a module sees."""
    seen = [0]

    def hook(_module: Any, _args: Any, kwargs: dict[str, Any], _output: Any) -> None:
        seen[0] += len(kwargs["input_ids"])
    module.register_forward_hook(hook, with_kwargs=True)
    return seen


# ------------------------------------------------------------------ cached head features
def test_cached_head_stage_matches_the_naive_loop_and_runs_the_backbone_once(
        bert: Any, text_data: TaskData, make_stage: Callable[..., Any],
        without_dropout: Callable[[torch.nn.Module], None]) -> None:
    without_dropout(bert)
    naive = copy.deepcopy(bert)  # the same initial weights
    objective, train, validation = splits(bert, text_data)
    stage = make_stage(train="head", epochs=3, lr=5e-2, batch_size=16, schedule="linear",
                       warmup=0.2)
    seen = count_examples(bert.backbone)
    trainer = Trainer(bert, objective, train, validation, device=torch.device("cpu"), seed=3)
    log = trainer.run_stage(0, stage)

    assert log.backbone_passes == 2  # train and validation features, once each
    assert seen[0] == len(train) + len(validation)
    assert log.trainable_params == sum(p.numel() for p in bert.head.parameters())

    # the naive loop: the whole model forward every step, same batches in the same order
    for param in naive.backbone.parameters():
        param.requires_grad = False
    optimizer = build_optimizer(naive, stage)
    steps = math.ceil(len(train) / stage.batch_size) * stage.epochs
    schedule = build_schedule(optimizer, stage, steps)
    heads = {}
    for epoch in log.epochs:
        naive.train()
        naive.backbone.eval()
        losses = []
        generator = epoch_generator(3, 0, epoch["epoch"])
        for indices in training_batches(None, len(train), stage.batch_size, generator):
            batch = naive.collate([train.encoded.items[i] for i in indices])
            loss = objective.loss(naive(batch), train.targets[indices])
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
        naive.eval()
        with torch.inference_mode():
            batch = naive.collate(validation.encoded.items)
            val_loss = objective.loss(naive(batch), validation.targets).item()
        assert epoch["train_loss"] == pytest.approx(float(np.mean(losses)), abs=1e-5)
        assert epoch["val_loss"] == pytest.approx(val_loss, abs=1e-5)
        heads[epoch["epoch"]] = copy.deepcopy(naive.head)
    assert log.epochs[-1]["train_loss"] < log.epochs[0]["train_loss"]  # it learned
    best = heads[log.best_epoch]  # the trainer restored its best epoch by validation loss
    for mine, theirs in zip(bert.head.parameters(), best.parameters(), strict=True):
        torch.testing.assert_close(mine, theirs, atol=1e-5, rtol=1e-4)


def test_features_are_reused_across_head_stages_and_recomputed_after_a_full_stage(
        bert: Any, text_data: TaskData, make_stage: Callable[..., Any]) -> None:
    objective, train, validation = splits(bert, text_data)
    trainer = Trainer(bert, objective, train, validation, device=torch.device("cpu"), seed=0)
    logs = trainer.run((make_stage(name="probe", epochs=2), make_stage(name="again", epochs=1),
                        make_stage(name="full", train="all", epochs=2, lr=1e-3),
                        make_stage(name="after", epochs=1)))
    assert [log.backbone_passes for log in logs] == [2, 0, 4, 2]
    assert [log.train for log in logs] == ["head", "head", "all", "head"]
    assert logs[2].trainable_params == sum(p.numel() for p in bert.parameters())


# ------------------------------------------------------------------ freezing and lr
def test_layer_decay_gives_lower_blocks_smaller_learning_rates(
        bert: Any, make_stage: Callable[..., Any]) -> None:
    for param in bert.parameters():
        param.requires_grad = True
    optimizer = build_optimizer(bert, make_stage(train="all", lr=1.0, layer_decay=0.5))
    rate = {id(p): group["lr"] for group in optimizer.param_groups for p in group["params"]}
    blocks = bert.blocks()
    embeddings = bert.backbone.embeddings.word_embeddings.weight
    assert rate[id(embeddings)] == pytest.approx(0.5 ** 3)
    assert rate[id(next(blocks[0].parameters()))] == pytest.approx(0.5 ** 2)
    assert rate[id(next(blocks[1].parameters()))] == pytest.approx(0.5)
    assert all(rate[id(p)] == 1.0 for p in bert.head.parameters())
    assert len(rate) == sum(1 for _ in bert.parameters())  # every parameter in one group
    no_decay = {id(p) for g in optimizer.param_groups if g["weight_decay"] == 0
                for p in g["params"]}
    assert id(bert.backbone.embeddings.LayerNorm.weight) in no_decay  # norms and biases


def test_top_1_trains_only_the_top_block_and_the_head(
        bert: Any, text_data: TaskData, make_stage: Callable[..., Any]) -> None:
    objective, train, validation = splits(bert, text_data)
    before = {k: v.clone() for k, v in bert.state_dict().items()}
    trainer = Trainer(bert, objective, train, validation, device=torch.device("cpu"), seed=0)
    log = trainer.run_stage(0, make_stage(train="top", top_n=1, epochs=1, lr=1e-2))
    after = bert.state_dict()

    def changed(prefix: str) -> bool:
        return any(not torch.equal(before[k], after[k]) for k in before if k.startswith(prefix))

    assert changed("backbone.encoder.layer.1.")
    assert changed("head.")
    assert not changed("backbone.encoder.layer.0.")
    assert not changed("backbone.embeddings.")
    top = sum(p.numel() for p in bert.blocks()[1].parameters())
    assert log.trainable_params == top + sum(p.numel() for p in bert.head.parameters())
    with pytest.raises(RunError, match="only 2 blocks"):
        trainer.run_stage(1, make_stage(train="top", top_n=3))


@pytest.mark.parametrize("kind", ["linear", "cosine", "constant"])
def test_schedule_warms_up_then_decays(kind: str, make_stage: Callable[..., Any]) -> None:
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=1.0)
    schedule = build_schedule(optimizer, make_stage(schedule=kind, warmup=0.2), total_steps=20)
    rates = []
    for _ in range(20):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    warmup, rest = rates[:4], rates[4:]
    assert warmup == pytest.approx([1 / 5, 2 / 5, 3 / 5, 4 / 5])
    assert rest[0] == pytest.approx(1.0)
    if kind == "constant":
        assert rest == pytest.approx([1.0] * 16)
    else:
        assert all(a > b for a, b in zip(rest, rest[1:], strict=False))
        assert rest[-1] < 0.1
        middle = 0.5 if kind == "linear" else 0.5 * (1 + math.cos(math.pi * 0.5))
        assert rest[8] == pytest.approx(middle)


# ------------------------------------------------------------------ non-finite losses
# stage `full` diverges: at lr 1e18 the weights overflow float32 within a few steps
TABULAR = tiny.spec(
    tiny.task(tiny.builtin("diabetes"), name="diabetes", type="regression",
              split=tiny.holdout(test="20%", validation="10%")),
    tiny.model("mlp", tiny.scratch("mlp", layers=1, hidden=8)),
    finetune=tiny.finetune(tiny.stage("warm", train="all", epochs=1, lr="1e-3"),
                           tiny.full(2, lr="1e18"), batch_size=64),
    metrics=tiny.metrics("rmse"))


def test_a_non_finite_loss_names_stage_epoch_and_step(run_tiny: Callable[..., Any]) -> None:
    with pytest.raises(RunError) as caught:
        run_tiny(TABULAR)
    assert caught.value.code == "ES504"
    message = str(caught.value)
    assert "stage `full`, epoch 1, step" in message
    assert "lower `lr`" in message


def test_a_non_finite_loss_exits_3_and_keeps_earlier_cells(
        broken_bert: Callable[[float], Path], bert_dir: Path, data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews(data_dir / "reviews.csv")),
        tiny.model("good", tiny.path(bert_dir), max_length=32),
        tiny.model("broken", tiny.path(broken_bert(float("inf"))), max_length=32)))
    out = tmp_path / "out"
    assert tiny.run(spec, out) == 3
    error = capsys.readouterr().err
    assert "non-finite loss" in error and "stage `probe`, epoch 1, step 1" in error
    rows = (out / "predictions" / "sentiment__good__seed0.jsonl").read_text().splitlines()
    assert len(rows) == 30
    results = tiny.results(out)
    assert results["complete"] is False
    assert [c["model"] for c in results["cells"]] == ["good"]
