"""Progress that tells the truth: epoch lines with steps, examples per second and an ETA
from the first cell on, a live bar with the same, `plan` and model loading saying what
they do, and the ETA's arithmetic (measured rate × the plan's remaining examples, cached
cells free, the time outside training per cell)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from evalspec.cli.main import main
from evalspec.cli.progress import LiveProgress
from evalspec.execute.eta import TimeLeft, Work
from evalspec.execute.events import Event
from evalspec.execute.training import trainer
from evalspec.plan import StagePlan
from tests import tiny

SPEC = tiny.spec(
    tiny.task(tiny.builtin("iris"), name="iris", split=tiny.holdout("30%", "20%", 1)),
    tiny.model("small", tiny.scratch("mlp", layers=1, hidden=8)),
    tiny.model("wide", tiny.scratch("mlp", layers=2, hidden=32)),
    finetune=tiny.finetune(tiny.full(2, "1e-2"), batch_size=16),
    metrics=tiny.metrics("accuracy", primary="accuracy"))  # 75 training rows: 5 steps an epoch
EPOCH = re.compile(r"^\[ *[\d.]+s\]   iris/small/seed0 stage full epoch 1/2: train loss [\d.]+, "
                   r"val loss [\d.]+, val accuracy [\d.]+; 5 steps, [\d,]+ examples/s "
                   r"\([\d.]+s\); ETA (\d+m)?\d+s$")


def test_plain_lines_have_steps_rate_and_an_eta_in_the_first_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, SPEC)
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    lines = capsys.readouterr().err.splitlines()
    first = lines.index(next(line for line in lines if "cell 1/2: iris/small/seed0 on cpu" in line))
    assert "loading small (scratch mlp)…" in lines[first + 1]
    assert [line for line in lines if EPOCH.match(line)], "\n".join(lines)
    second = next(line for line in lines if "cell 2/2: iris/wide/seed0 on cpu" in line)
    assert re.search(r"; ETA (\d+m)?\d+s$", second)


def test_the_live_bar_shows_steps_rate_and_eta_and_keeps_the_epoch_lines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trainer, "STEP_EVENT_SECONDS", 0.0)  # a step event after every step
    screen = io.StringIO()
    display = LiveProgress(Console(file=screen, force_terminal=True, color_system=None,
                                   width=200))
    bars = []

    def watched(event: Event) -> None:
        display(event)
        if event.get("kind") == "step" and event["cell"] == "iris/small/seed0":
            shown = io.StringIO()
            Console(file=shown, width=200).print(display.bar.get_renderable())
            bars.append(shown.getvalue())

    try:
        tiny.run_api(tiny.write(tmp_path, SPEC), tmp_path / "out", progress=watched,
                     cache_dir=tmp_path / "cache")
    finally:
        display.close()
    assert any(re.search(r"iris/small/seed0 stage full epoch 1/2 .*━.* 4/5 steps · [\d,]+ "
                         r"examples/s · ETA (\d+m)?\d+s", bar) for bar in bars), bars
    printed = screen.getvalue()
    for epoch in (1, 2):
        assert f"iris/small/seed0 stage full epoch {epoch}/2: train loss" in printed


def test_plan_says_what_it_is_doing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, SPEC)
    assert main(["plan", str(spec), "--cache-dir", str(tmp_path / "cache")]) == 0
    steps = [line.split("] ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert steps[0] == "planning: reading data…"
    assert steps.index("planning: building each model to count its parameters…") < \
        steps.index("loading small (scratch mlp)…") < steps.index("loading wide (scratch mlp)…")


# ------------------------------------------------------------------ the estimate
def stage(epochs: int, train: str = "all") -> StagePlan:
    return StagePlan(name=train, train=train, top_n=0, epochs=epochs, lr=1e-3,
                     schedule="constant", warmup=0.0, layer_decay=None, patience=None,
                     monitor=None, min_delta=0.0, batch_size=10, optimizer={}, precision="fp32",
                     grad_clip=None, accumulate=1, max_steps=None, compile=False)


def training(stage_index: int, epoch: int, examples: int, trained: int, steps: int,
             seconds: float) -> Event:
    """A step event: where the cell stands (stage, epoch, examples drawn in the epoch) and
    what its trainer has trained (examples, optimizer steps, seconds)."""
    return {"kind": "step", "stage_index": stage_index, "epoch": epoch, "examples": examples,
            "trained": trained, "trained_steps": steps, "training": seconds}


class Clocked:
    """A TimeLeft on a clock the test sets, and the events it passed on."""

    def __init__(self, *cells: Work):
        self.now = 0.0
        self.seen: list[Event] = []
        self.left = TimeLeft(cells, self.seen.append, clock=lambda: self.now)

    def at(self, time: float, event: Event) -> float | None:
        """The ETA the event carries on when it comes at `time`."""
        self.now = time
        self.left(event)
        return self.seen[-1].get("eta")


def test_the_eta_is_the_remaining_examples_at_the_measured_rate_plus_time_outside_training(
        ) -> None:
    run = Clocked(Work("a", (stage(2),), 100, False), Work("a", (stage(2),), 100, True),
                  Work("c", (stage(2),), 100, False))
    assert run.at(0.0, {"kind": "cell", "number": 1, "cached": False}) is None
    assert run.at(0.5, training(0, 1, 20, 20, 2, 0.4)) is None  # two steps: not yet measured
    # 50 examples/s; 160 left of this cell, none of the cached one, 200 of the last
    assert run.at(1.0, training(0, 1, 40, 40, 4, 0.8)) == pytest.approx(360 / 50)
    assert run.at(3.5, {**training(0, 2, 100, 200, 20, 3.0), "kind": "epoch"}) == \
        pytest.approx(3.0)
    # the first cell spent 4 s, 3 of them training: 1 s outside training per cell to come
    assert run.at(4.0, {"kind": "cell", "number": 2, "cached": True}) == pytest.approx(3.0 + 1)
    assert run.at(4.0, {"kind": "cell", "number": 3, "cached": False}) == pytest.approx(3.0 + 1)
    # model c's own rate (400 examples/s), and the 0.75 s it has yet to spend outside training
    assert run.at(4.5, training(0, 1, 100, 100, 10, 0.25)) == pytest.approx(100 / 400 + 0.75)


def test_each_stage_is_charged_at_its_own_rate() -> None:
    run = Clocked(Work("m", (stage(1, "head"), stage(1)), 100, False),
                  Work("m", (stage(1, "head"), stage(1)), 100, False))
    run.at(0.0, {"kind": "cell", "number": 1, "cached": False})
    # 100 examples/s on the head; the full stage, not yet measured, at that rate too
    assert run.at(0.6, training(0, 1, 50, 50, 5, 0.5)) == pytest.approx(350 / 100)
    run.at(1.1, {**training(0, 1, 100, 100, 10, 1.0), "kind": "epoch"})
    # the full stage trains 5 examples/s: 50 left here, 100 in the next cell; its head 1 s
    assert run.at(11.1, training(1, 1, 50, 150, 15, 11.0)) == pytest.approx(10 + 1 + 20)


def test_a_stage_a_model_has_not_trained_yet_is_scaled_by_its_size() -> None:
    run = Clocked(Work("big", (stage(1),), 100, False), Work("small", (stage(1),), 100, False))
    run.at(0.0, {"kind": "cell", "number": 1, "cached": False})
    run.at(0.0, {"kind": "built", "model": "big", "parameters": 4_000})
    run.at(10.0, {**training(0, 1, 100, 100, 10, 10.0), "kind": "epoch"})  # 10 examples/s
    run.at(10.0, {"kind": "cell", "number": 2, "cached": False})
    run.at(10.0, {"kind": "built", "model": "small", "parameters": 1_000})
    # a quarter of the parameters: taken to train four times as fast, 100 examples in 2.5 s
    assert run.at(10.0, training(0, 1, 0, 0, 0, 0.0)) == pytest.approx(2.5)
