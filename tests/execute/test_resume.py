"""Killed and interrupted runs resume from their last complete checkpoint and end exactly
where an uninterrupted run ends: SIGKILL mid-stage, Ctrl-C once and twice, and a kill
during a checkpoint write (half-written checkpoint folders: tests/execute/training)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalspec.cli.main import main
from evalspec.execute.training import checkpoint
from evalspec.execute.training.trainer import Trainer
from tests import tiny

# 600 reviews: 420 train in 27 batches, about half a second an epoch on one CPU thread —
# long enough to stop mid-stage, short enough that a whole run takes seconds. Checkpoints:
# ckpt-1 ends `probe`; ckpt-2..4 end `full`'s epochs 1..3; ckpt-5 ends `full`.
STEPS_PER_EPOCH = 27
SPEC = tiny.spec(
    tiny.task(tiny.reviews("reviews.csv"), split=tiny.holdout(test="20%", validation="10%")),
    tiny.model("transformer", tiny.scratch("transformer", layers=2, hidden=64, heads=2),
               max_length=48),
    finetune=tiny.finetune(tiny.probe(), tiny.full(4, schedule="linear(warmup = 10%)"),
                           batch_size=16),
    metrics=tiny.metrics("accuracy", "log_loss", confidence="none"),
    report=tiny.report("json"))

Results = tiny.Results
# One intra-op thread in every process, as in this test session (see tests/conftest.py),
# so runs in subprocesses and in this process compute the same floating-point sums.
SINGLE_THREAD = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                 "HF_HUB_OFFLINE": "1"}


def arguments(spec: Path, out: Path, cache: Path) -> list[str]:
    return tiny.arguments(spec, out, cache=cache)


def digest_folder(cache: Path) -> Path:
    (folder,) = (p for p in cache.iterdir() if not p.name.startswith("."))  # not .locks
    return folder


def curves(document: Results) -> list[list[dict[str, Any]]]:
    """Every epoch of every stage, without wall times and rates."""
    timed = {"seconds", "examples_per_second"}
    return [[{k: v for k, v in epoch.items() if k not in timed} for epoch in stage["epochs"]]
            for stage in document["cells"][0]["stages"]]


def read(out: Path) -> tuple[Results, bytes]:
    document = tiny.results(out)
    return document, (out / document["cells"][0]["predictions"]).read_bytes()


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resume")
    lines = tiny.REVIEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "reviews.csv").write_text("".join(lines[:601]), encoding="utf-8")
    return tiny.write(folder, SPEC, "resume.evalspec")


@pytest.fixture(scope="module")
def reference(spec: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Results, bytes]:
    """The uninterrupted run: (results, predictions file bytes)."""
    folder = tmp_path_factory.mktemp("reference")
    assert main(arguments(spec, folder / "out", folder / "cache")) == 0
    return read(folder / "out")


def assert_same_as(reference: tuple[Results, bytes], out: Path) -> None:
    (expected, expected_rows), (found, rows) = reference, read(out)
    assert found["complete"] is True
    assert found["cells"][0]["test"] == expected["cells"][0]["test"]
    assert curves(found) == curves(expected)
    assert rows == expected_rows


def newest_state(cache: Path) -> dict[str, Any] | None:
    """The state of the newest complete checkpoint of the only cell, if there is one."""
    if not cache.exists() or not any(p for p in cache.iterdir() if not p.name.startswith(".")):
        return None
    found = checkpoint.complete(digest_folder(cache) / "checkpoints")
    try:
        return json.loads((found[-1] / "state.json").read_text()) if found else None
    except FileNotFoundError:  # replaced by a newer one while we looked
        return None


def start(command: list[str], ready: Callable[[], bool]) -> subprocess.Popen[str]:
    """Start a run in a subprocess and wait until `ready()`; fails if the run ends first."""
    process = subprocess.Popen(command, env=SINGLE_THREAD, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, error = process.communicate()
            pytest.fail(f"the run ended (or hung) before it could be stopped:\n{error}")
        time.sleep(0.02)
    return process


def mid_full_stage(cache: Path) -> Callable[[], bool]:
    """Ready once a checkpoint inside stage `full` is complete (epoch 1 of 4 done)."""
    def ready() -> bool:
        state = newest_state(cache)
        return state is not None and state["stage"] == 1 and state["epoch"] >= 1
    return ready


def start_mid_full_stage(spec: Path, out: Path, cache: Path) -> subprocess.Popen[str]:
    """`evalspec run` in a subprocess, once it is inside stage `full`."""
    return start([sys.executable, "-m", "evalspec", *arguments(spec, out, cache)],
                 mid_full_stage(cache))


# ------------------------------------------------------------------ SIGKILL
def test_a_run_killed_mid_stage_resumes_to_the_same_results(
        spec: Path, reference: tuple[Results, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = start_mid_full_stage(spec, out, cache)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    state = newest_state(cache)
    assert state is not None and state["stage"] == 1 and 1 <= state["epoch"] < 4
    assert not (digest_folder(cache) / "outcome").exists()

    capsys.readouterr()
    assert main(arguments(spec, out, cache)) == 0  # the same command again
    error = capsys.readouterr().err
    assert f"resuming from a checkpoint (stage 2, {state['epoch']} epochs" in error
    assert "resuming from a checkpoint" in (out / "run.log").read_text()
    assert_same_as(reference, out)
    assert not (digest_folder(cache) / "checkpoints").exists()  # dropped once finished


# ------------------------------------------------------------------ Ctrl-C
def test_one_sigint_checkpoints_mid_epoch_exits_130_and_resumes_to_the_same_results(
        spec: Path, reference: tuple[Results, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = start_mid_full_stage(spec, out, cache)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; run the same command to resume" in error
    state = newest_state(cache)
    assert state is not None and state["stage"] == 1
    assert state["batch"] > 0  # stopped after an optimizer step, inside an epoch
    assert len(state["losses"]) == state["batch"]

    capsys.readouterr()
    assert main(arguments(spec, out, cache)) == 0
    assert f"{state['batch']} batches done" in capsys.readouterr().err
    assert_same_as(reference, out)


def test_a_second_sigint_stops_at_once_keeping_the_last_checkpoint(
        spec: Path, reference: tuple[Results, bytes], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    original = Trainer._step
    steps = [0]

    def step_then_press_ctrl_c_twice(self: Trainer, *args: Any) -> None:
        original(self, *args)
        steps[0] += 1
        if steps[0] == 3 * STEPS_PER_EPOCH - 7:  # inside `full`'s second epoch
            signal.raise_signal(signal.SIGINT)  # asks for a stop after this step…
            signal.raise_signal(signal.SIGINT)  # …and this one stops at once, right here
    monkeypatch.setattr(Trainer, "_step", step_then_press_ctrl_c_twice)
    handler = signal.getsignal(signal.SIGINT)
    assert main(arguments(spec, out, cache)) == 130
    assert "interrupted at once" in capsys.readouterr().err
    state = newest_state(cache)
    assert state is not None and (state["stage"], state["epoch"], state["batch"]) == (1, 1, 0)
    assert signal.getsignal(signal.SIGINT) is handler  # the run put its handlers back

    monkeypatch.setattr(Trainer, "_step", original)
    assert main(arguments(spec, out, cache)) == 0
    assert_same_as(reference, out)


# ------------------------------------------------------------------ a kill mid-write
# The run in a subprocess, with safetensors' writer stalled inside the third checkpoint's
# temporary folder (after writing its weights), so the parent can kill it mid-write.
STALLED_WRITE = """
import pathlib, sys, time
import safetensors.torch
from evalspec.cli.main import main

write, calls = safetensors.torch.save_file, []

def stalled(tensors, filename, *args, **kwargs):
    write(tensors, filename, *args, **kwargs)
    if pathlib.Path(filename).parent.name.startswith(".ckpt-3.tmp-"):
        pathlib.Path(sys.argv[1]).write_text("writing")
        time.sleep(120)

safetensors.torch.save_file = stalled
sys.exit(main(sys.argv[2:]))
"""


def test_a_run_killed_during_a_checkpoint_write_resumes_from_the_one_before(
        spec: Path, reference: tuple[Results, bytes], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out, cache, marker = tmp_path / "out", tmp_path / "cache", tmp_path / "writing"
    command = [sys.executable, "-c", STALLED_WRITE, str(marker), *arguments(spec, out, cache)]
    process = start(command, marker.exists)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    folder = digest_folder(cache) / "checkpoints"
    (half,) = folder.glob(".ckpt-3.tmp-*")
    assert (half / "model.safetensors").exists() and not (half / "COMPLETE").exists()
    assert [p.name for p in checkpoint.complete(folder)] == ["ckpt-2"]

    capsys.readouterr()
    assert main(arguments(spec, out, cache)) == 0
    assert "resuming from a checkpoint (stage 2, 1 epochs and 0 batches" in \
        capsys.readouterr().err
    assert_same_as(reference, out)
