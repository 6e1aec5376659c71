"""Output and cache folders that cannot be written: refused before any data is read or any
model trained, and a disk that fills up mid-run stops it with exit 3 naming the file, the
finished results kept."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from tests import tiny


def wine() -> str:
    return tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine", split=tiny.holdout(validation="20%")),
        tiny.model("mlp", tiny.scratch("mlp", layers=1, hidden=8)),
        finetune=tiny.finetune(tiny.full(1), seeds=[0, 1]), report=tiny.report("json"))


@pytest.mark.parametrize("which", ["out", "cache"])
def test_an_unwritable_folder_is_refused_before_training(
        tmp_path: Path, trained: list[int], capsys: pytest.CaptureFixture[str],
        which: str) -> None:
    spec = tiny.write(tmp_path, wine())
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")  # nothing can be created under a file, even by root
    out, cache = tmp_path / "out", tmp_path / "cache"
    if which == "out":
        out = blocker / "out"
    else:
        cache = blocker / "cache"
    assert tiny.run(spec, out, cache=cache) == 3
    err = capsys.readouterr().err
    assert "ES506" in err and str(blocker) in err and "cannot be written" in err
    assert trained == []


def test_a_disk_that_fills_up_stops_the_run_naming_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, wine())
    real = os.replace
    calls = {"predictions": 0}

    def full_disk(source: Any, target: Any) -> None:
        if str(target).endswith("seed1.jsonl"):  # the second cell's predictions
            calls["predictions"] += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target)
    monkeypatch.setattr(os, "replace", full_disk)
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 3
    err = capsys.readouterr().err
    assert "wine__mlp__seed1.jsonl: cannot be written (No space left on device)" in err
    assert calls["predictions"] == 1
    kept = tiny.results(tmp_path / "out")  # the first cell's results, written before
    assert [c["seed"] for c in kept["cells"]] == [0] and kept["complete"] is False
