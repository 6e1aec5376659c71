"""`run --nproc 2`: a cell trained by two CPU processes under gloo gives the numbers of a
single-process run within the tolerance docs/scale.md states, in the same cache entry; the
ranks' weighted gradients sum to the whole batch's; and the command line's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from evalspec.execute.training.ranks import Ranks
from tests import tiny
from tests.execute.test_cache import accuracy
from tests.execute.test_ray import entries, numbers

TOLERANCE = 0.01  # docs/scale.md: each rank draws its own dropout masks


def spec(folder: Path) -> Path:
    """Wine with a scratch MLP, a head stage then a full one, one seed."""
    return tiny.write(folder, tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine", split=tiny.holdout(validation="20%")),
        tiny.model("mlp", tiny.scratch("mlp", layers=1, hidden=16)),
        finetune=tiny.finetune(tiny.probe(2), tiny.full(3), batch_size=16, seeds=[0]),
        metrics=accuracy(), report=tiny.report("json")))


def validation_losses(document: tiny.Results) -> list[float]:
    """Every epoch's validation loss, stage after stage."""
    return [epoch["val_loss"] for cell in document["cells"] for stage in cell["stages"]
            for epoch in stage["epochs"]]


def test_two_processes_give_one_process_numbers(tmp_path: Path) -> None:
    written = spec(tmp_path)
    assert tiny.run(written, tmp_path / "one", cache=tmp_path / "one-cache") == 0
    assert tiny.run(written, tmp_path / "two", "--nproc", "2", cache=tmp_path / "two-cache") == 0
    one, two = tiny.results(tmp_path / "one"), tiny.results(tmp_path / "two")
    assert numbers(two) == pytest.approx(numbers(one), abs=TOLERANCE, rel=0)
    assert validation_losses(two) == pytest.approx(validation_losses(one), abs=TOLERANCE, rel=0)
    assert entries(tmp_path / "two-cache") == entries(tmp_path / "one-cache")


@pytest.mark.parametrize("flags", [("--nproc", "2", "--executor", "ray"), ("--nproc", "0")])
def test_the_command_line_refuses(flags: tuple[str, ...], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert tiny.run(spec(tmp_path), tmp_path / "out", *flags) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(("size", "world"), [(16, 2), (7, 2), (7, 3), (1, 2)])
def test_the_ranks_gradients_sum_to_the_batch_gradient(size: int, world: int) -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    inputs, targets = torch.randn(size, 4), torch.randint(0, 3, (size,))
    indices = list(range(size))

    def gradient(rank: int | None) -> torch.Tensor:
        model.zero_grad()
        mine, weight = Ranks(rank, world).share(indices) if rank is not None else (indices, 1.0)
        (F.cross_entropy(model(inputs[mine]), targets[mine]) * weight).backward()
        assert model.weight.grad is not None
        return model.weight.grad.clone()

    summed = sum(gradient(rank) for rank in range(world))
    assert torch.allclose(summed, gradient(None), rtol=0, atol=1e-7)
