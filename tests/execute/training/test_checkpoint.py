"""Checkpoint folders left half written are ignored, and removed after the next save; the
writer writes in the background and raises what failed."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
import torch

from evalspec.execute.training import checkpoint


def small(value: float, **state: Any) -> checkpoint.Checkpoint:
    return checkpoint.Checkpoint({"w": torch.full((3,), value)}, None, {}, {},
                                 {"torch": torch.get_rng_state()}, state)


def test_a_half_written_checkpoint_is_ignored_and_removed_after_the_next_save(
        tmp_path: Path) -> None:
    folder = tmp_path / "checkpoints"
    checkpoint.save(folder, small(1.0, n=1))
    checkpoint.save(folder, small(2.0, n=2))
    assert [p.name for p in checkpoint.complete(folder)] == ["ckpt-2"]  # older ones dropped
    # killed while writing ckpt-3: in its temporary folder, or renamed without its marker
    temporary, unmarked = folder / f".ckpt-3.tmp-{os.getpid() + 1}", folder / "ckpt-4"
    for broken in (temporary, unmarked):
        broken.mkdir()
        (broken / "model.safetensors").write_bytes(b"half a file")
    found = checkpoint.latest(folder)
    assert found is not None and found.state == {"n": 2}
    assert torch.equal(found.model["w"], torch.full((3,), 2.0))
    assert temporary.exists() and unmarked.exists()  # kept until a newer one is complete

    written = checkpoint.save(folder, small(3.0, n=3))
    assert checkpoint.complete(folder) == [written]
    assert written.name not in ("ckpt-3", "ckpt-4")
    assert sorted(p.name for p in folder.iterdir()) == [written.name]
    found = checkpoint.latest(folder)
    assert found is not None and found.state == {"n": 3}


def test_no_checkpoint_yet_means_a_fresh_start(tmp_path: Path) -> None:
    assert checkpoint.latest(tmp_path / "none") is None
    (tmp_path / "some" / ".ckpt-1.tmp-1").mkdir(parents=True)
    assert checkpoint.latest(tmp_path / "some") is None


def test_the_writer_writes_in_the_background_and_raises_a_failed_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    original = checkpoint.save

    def slow(folder: Path, written: checkpoint.Checkpoint) -> Path:
        started.set()
        release.wait(10)
        return original(folder, written)
    monkeypatch.setattr(checkpoint, "save", slow)
    writer = checkpoint.Writer(tmp_path / "cell")
    writer.submit(small(1.0, n=1))  # returns while the write waits
    assert started.wait(10) and checkpoint.latest(tmp_path / "cell") is None
    release.set()
    writer.close()
    found = checkpoint.latest(tmp_path / "cell")
    assert found is not None and found.state["n"] == 1

    def full(folder: Path, written: checkpoint.Checkpoint) -> Path:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(checkpoint, "save", full)
    failing = checkpoint.Writer(tmp_path / "other")
    failing.submit(small(1.0, n=1))
    with pytest.raises(OSError, match="No space left"):
        failing.close()


def test_a_checkpoint_holds_its_own_copies() -> None:
    weights = torch.zeros(3)
    state = {"w": weights, "groups": [{"lr": 0.1, "moments": (weights,)}]}
    copied = checkpoint.on_cpu(state)
    weights += 1
    assert torch.equal(copied["w"], torch.zeros(3))
    assert torch.equal(copied["groups"][0]["moments"][0], torch.zeros(3))
    assert copied["groups"][0]["lr"] == 0.1
