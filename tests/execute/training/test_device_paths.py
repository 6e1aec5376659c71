"""The GPU speed paths that run on the CPU: no host sync per step, batch losses read back in
bulk (a non-finite one still named by its step), inference batches halved when memory runs
out, fused optimizers, bf16 autocast and the TF32 switch."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import pytest
import torch

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.families import plugin_for
from evalspec.execute.models.candidate import Encoded
from evalspec.execute.training import predict, trainer
from evalspec.execute.training.optim import build_optimizer
from evalspec.execute.training.precision import matmuls
from evalspec.execute.training.ranks import Ranks
from evalspec.execute.training.trainer import EpochLosses, Split, Trainer

SCRATCH = {"fn": "scratch", "arch": "transformer", "layers": 1, "hidden": 32, "heads": 2}
CPU = torch.device("cpu")


def built(build: Callable[..., Any], data: TaskData) -> tuple[Any, Trainer]:
    candidate = build(SCRATCH, data, max_length=16)
    objective = plugin_for("text_classification").objective(data.labels, data.train)
    train = Split(candidate.encode(data.train), objective.targets(data.train))
    return candidate, Trainer(candidate, objective, train, None, device=CPU, seed=0)


def test_training_steps_read_nothing_back_to_the_host(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a tensor's value (`item`, `tolist`, `float`, `bool`) waits for the GPU; in
    80 steps it happens only when the losses are read back: every READ_LOSSES_EVERY batches
    and at the epoch's end. Not counted: the model's own code (transformers' BERT asks
    whether its padding mask is all ones at every forward, as it does in any loop) and the
    epoch's batch order (CPU permutations, drawn before the first step)."""
    monkeypatch.setattr(trainer, "READ_LOSSES_EVERY", 30)
    _, training = built(build, text_data)
    reads: list[str] = []
    for name in ("item", "tolist", "__float__", "__bool__"):
        original = getattr(torch.Tensor, name)

        def counted(self: torch.Tensor, *args: Any, _name: str = name,
                    _original: Any = original) -> Any:
            if not any("/transformers/" in frame.filename or
                       frame.filename.endswith("training/batching.py")
                       for frame in traceback.extract_stack()):
                reads.append(_name)
            return _original(self, *args)
        monkeypatch.setattr(torch.Tensor, name, counted)
    log = training.run_stage(0, make_stage(train="all", epochs=1, batch_size=1, lr=1e-3))
    monkeypatch.undo()
    assert len(log.epochs) == 1 and len(training.train_split) == 80
    assert reads == ["tolist"] * 3  # after batches 30 and 60, and at the end


def test_losses_are_read_back_in_bulk_and_a_non_finite_one_is_named() -> None:
    losses = EpochLosses([0.5], Ranks(), "full", 2)
    for number, value in enumerate([0.25, 0.125, float("nan"), 1.0], start=2):
        losses.add(number, torch.tensor(value))
    with pytest.raises(RunError) as caught:
        losses.read()
    assert caught.value.code == "ES504"
    assert "stage `full`, epoch 2, step 4" in str(caught.value)
    fine = EpochLosses([0.5], Ranks(), "full", 1)
    fine.add(2, torch.tensor(0.25))
    assert fine.read() == [0.5, 0.25]


def test_inference_halves_a_batch_that_runs_out_of_memory(
        build: Callable[..., Any], text_data: TaskData) -> None:
    candidate, _ = built(build, text_data)
    candidate.eval()
    encoded = candidate.encode(text_data.train)
    expected = predict.forward_all(candidate, encoded, candidate, CPU)
    sizes: list[int] = []

    def fits_eight(batch: dict[str, torch.Tensor]) -> torch.Tensor:
        sizes.append(len(batch["input_ids"]))
        if len(batch["input_ids"]) > 8:
            raise torch.OutOfMemoryError("out of memory")
        return candidate(batch)
    candidate.inference_batch.clear()
    found = predict.forward_all(candidate, encoded, fits_eight, CPU)
    torch.testing.assert_close(found, expected)
    assert sizes[:4] == [64, 32, 16, 8] and set(sizes[4:]) == {8}
    assert candidate.inference_batch == {"cpu": 8}  # where the next pass starts
    sizes.clear()
    predict.forward_all(candidate, encoded, fits_eight, CPU)
    assert set(sizes) == {8}

    def never_fits(batch: dict[str, torch.Tensor]) -> torch.Tensor:
        raise torch.OutOfMemoryError("out of memory")
    with pytest.raises(torch.OutOfMemoryError):
        predict.forward_all(candidate, Encoded(encoded.items[:3], encoded.lengths[:3]),
                            never_fits, CPU)


def test_the_optimizer_update_is_fused_where_torch_has_a_kernel(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any]) -> None:
    candidate, _ = built(build, text_data)
    for kind in ({"fn": "adamw", "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999},
                 {"fn": "sgd", "weight_decay": 0.0, "momentum": 0.9, "nesterov": True}):
        optimizer = build_optimizer(candidate, make_stage(train="all", optimizer=kind))
        assert optimizer.defaults["fused"] is True
    candidate.to("meta")  # no fused kernel there: one batched update instead
    optimizer = build_optimizer(candidate, make_stage(train="all"))
    assert optimizer.defaults["foreach"] is True and not optimizer.defaults["fused"]


def test_bf16_trains_under_autocast_on_the_cpu(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any]) -> None:
    candidate, training = built(build, text_data)
    dtypes: set[torch.dtype] = set()
    linear = next(m for m in candidate.backbone.modules() if isinstance(m, torch.nn.Linear))
    linear.register_forward_hook(lambda module, args, output: dtypes.add(output.dtype))
    log = training.run_stage(0, make_stage(train="all", epochs=1, lr=1e-3, precision="bf16"))
    assert dtypes == {torch.bfloat16} and log.precision == "bf16"
    assert all(p.dtype == torch.float32 for p in candidate.parameters())  # weights stay fp32
    log = training.run_stage(0, make_stage(train="all", epochs=1, lr=1e-3, precision="auto"))
    assert log.precision == "fp32"  # auto on the CPU


@pytest.mark.parametrize("precision", ["auto", "tf32", "bf16", "fp32"])
def test_tf32_is_never_switched_on_for_the_cpu_and_is_restored(precision: str) -> None:
    settings = torch.backends.cuda.matmul, torch.backends.cudnn.conv
    before = [s.fp32_precision for s in settings]
    with matmuls(CPU, precision):
        assert [s.fp32_precision for s in settings] == ["ieee", "ieee"]
    assert [s.fp32_precision for s in settings] == before


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize(("precision", "expected"), [("tf32", "tf32"), ("fp32", "ieee"),
                                                     ("bf16", "tf32")])
def test_tf32_on_a_gpu(precision: str, expected: str) -> None:
    with matmuls(torch.device("cuda"), precision):
        assert torch.backends.cuda.matmul.fp32_precision == expected


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_auto_is_bf16_and_latency_is_timed_by_cuda_events(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any]) -> None:
    from evalspec.execute.training import cost

    candidate = build(SCRATCH, text_data, max_length=16)
    objective = plugin_for("text_classification").objective(text_data.labels, text_data.train)
    train = Split(candidate.encode(text_data.train), objective.targets(text_data.train))
    gpu = torch.device("cuda")
    log = Trainer(candidate, objective, train, None, device=gpu, seed=0).run_stage(
        0, make_stage(train="all", epochs=1, lr=1e-3, precision="auto"))
    assert log.precision == ("bf16" if torch.cuda.is_bf16_supported() else "fp32")
    measured = cost.latency_ms(candidate, train.encoded, 4, gpu)
    assert measured["warmup"] == cost.WARMUP_RUNS["cuda"] and measured["p50"] > 0
    assert predict.forward_all(candidate, train.encoded, candidate, gpu).device.type == "cuda"
