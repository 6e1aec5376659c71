"""`compile = true`: training through torch.compile, and the fallback when compiling fails
(exactly the eager run)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
import torch

from evalspec.execute.data.examples import TaskData
from evalspec.execute.events import describe
from evalspec.execute.families import plugin_for
from evalspec.execute.training import compiled
from evalspec.execute.training.trainer import Split, Trainer

SCRATCH = {"fn": "scratch", "arch": "transformer", "layers": 1, "hidden": 32, "heads": 2}


def trainer_for(candidate: Any, data: TaskData, events: list[dict[str, Any]]) -> Trainer:
    objective = plugin_for("text_classification").objective(data.labels, data.train)
    assert data.validation is not None
    return Trainer(candidate, objective,
                   Split(candidate.encode(data.train), objective.targets(data.train)),
                   Split(candidate.encode(data.validation),
                         objective.targets(data.validation)),
                   device=torch.device("cpu"), seed=0, progress=events.append)


# First in the file: after a backend fails, Inductor's compile worker pool may be closed for
# the rest of the process.
def test_compiling_trains_the_same_weights_through_inductor(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any],
        without_dropout: Callable[[torch.nn.Module], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    inductor = torch._dynamo.lookup_backend("inductor")
    graphs: list[int] = []

    def counted(graph: Any, inputs: Any) -> Any:
        graphs.append(1)
        return inductor(graph, inputs)
    monkeypatch.setattr(compiled, "BACKEND", counted)
    # compiled in this process: Inductor's pool of compile workers dies under pytest here
    # (not under `evalspec run`)
    monkeypatch.setattr(torch._inductor.config, "compile_threads", 1)
    candidate = build(SCRATCH, text_data, max_length=16)
    without_dropout(candidate)
    eager_candidate = copy.deepcopy(candidate)
    stage = make_stage(name="full", train="all", epochs=1, lr=1e-3, batch_size=80,
                       compile=True)  # one batch: one shape to compile
    logs = trainer_for(candidate, text_data, []).run((stage,))
    assert logs[0].compiled and logs[0].compile_failure is None
    assert graphs  # Inductor compiled the training forward
    trainer_for(eager_candidate, text_data, []).run(
        (type(stage)(**{**stage.__dict__, "compile": False}),))
    assert list(candidate.state_dict()) == list(eager_candidate.state_dict())  # no prefix
    for got, want in zip(candidate.state_dict().values(), eager_candidate.state_dict().values(),
                         strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)


def broken_backend(graph: Any, inputs: Any) -> Any:
    raise RuntimeError("no C compiler here\nmore detail")


def test_a_failing_compile_trains_exactly_as_eager_and_says_why(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled, "BACKEND", broken_backend)
    candidate = build(SCRATCH, text_data, max_length=16)  # dropout on: the RNG must match
    eager_candidate = copy.deepcopy(candidate)
    stages = (make_stage(name="probe", train="head", epochs=1),
              make_stage(name="full", train="all", epochs=2, lr=1e-3, compile=True),
              make_stage(name="again", train="all", epochs=1, lr=1e-3, compile=True))
    events: list[dict[str, Any]] = []
    torch.manual_seed(5)
    logs = trainer_for(candidate, text_data, events).run(stages)
    torch.manual_seed(5)
    eager = trainer_for(eager_candidate, text_data, []).run(
        tuple(type(s)(**{**s.__dict__, "compile": False}) for s in stages))

    for got, want in zip(candidate.state_dict().values(), eager_candidate.state_dict().values(),
                         strict=True):
        assert torch.equal(got, want)
    assert [e["train_loss"] for log in logs for e in log.epochs] == \
        [e["train_loss"] for log in eager for e in log.epochs]
    assert [(log.compiled, log.compile_failure) for log in logs] == [
        (False, None), (False, "RuntimeError: no C compiler here"),
        (False, "RuntimeError: no C compiler here")]
    assert [e["stage"] for e in events if e["kind"] == "compiling"] == ["full"]  # tried once
    failed = [e for e in events if e["kind"] == "compile_failed"]
    assert [e["stage"] for e in failed] == ["full", "again"]  # once per stage
    assert "torch.compile failed (RuntimeError: no C compiler here)" in describe({**failed[0],
                                                                       "cell": "t/m/seed0"})


def test_the_reason_is_one_line_and_bounded() -> None:
    assert compiled.reason(ValueError("first\n\nsecond")) == "ValueError: first"
    try:
        raise KeyError("wrapped") from OSError("the root")
    except KeyError as error:
        assert compiled.reason(error) == "OSError: the root"
    assert len(compiled.reason(ValueError("x" * 1000))) == compiled.REASON_CHARS


def test_a_recompile_that_fails_later_runs_eagerly_instead_of_ending_the_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compiles: list[int] = []

    def first_only(graph: Any, inputs: Any) -> Any:
        compiles.append(1)
        if len(compiles) > 1:
            raise RuntimeError("cannot compile this shape")
        return graph.forward
    monkeypatch.setattr(compiled, "BACKEND", first_only)
    model = compiled.CompiledModel(torch.nn.Linear(3, 2))  # compiled for one shape at first
    model.first(lambda: model(torch.ones(4, 3)).sum().backward())
    assert model.proven
    assert model(torch.ones(7, 3)).shape == (7, 2)  # a new shape: compiling fails, eager runs
    assert len(compiles) == 2 and model.failure is None


def test_every_new_model_compiles_however_many_came_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """dynamo counts compilations per function across modules and, past its limit (8),
    runs new ones eagerly without a word; each CompiledModel starts afresh."""
    graphs: list[int] = []

    def counted(graph: Any, inputs: Any) -> Any:
        graphs.append(1)
        return graph.forward
    monkeypatch.setattr(compiled, "BACKEND", counted)
    for _ in range(12):
        model = compiled.CompiledModel(torch.nn.Linear(3, 2))
        model.first(lambda model=model: model(torch.ones(4, 3)).sum().backward())
    assert len(graphs) == 12


def test_compiling_is_not_counted_as_training_time(
        build: Callable[..., Any], text_data: TaskData, make_stage: Callable[..., Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The time left is estimated from `training` seconds: a slow compile would make every
    later epoch look slow."""
    def slow(graph: Any, inputs: Any) -> Any:
        time.sleep(1.0)
        return graph.forward
    monkeypatch.setattr(compiled, "BACKEND", slow)
    candidate = build(SCRATCH, text_data, max_length=16)
    events: list[dict[str, Any]] = []
    trainer_for(candidate, text_data, events).run(
        (make_stage(name="full", train="all", epochs=1, lr=1e-3, batch_size=80,
                    compile=True),))
    (epoch,) = [e for e in events if e["kind"] == "epoch"]
    assert epoch["training"] < 1.0 < epoch["seconds"]
