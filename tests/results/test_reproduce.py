"""`evalspec reproduce`: the same data reproduces every metric exactly on the CPU; changed
data is refused before anything trains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalspec.cli.main import main
from tests import tiny

SPEC = tiny.spec(
    tiny.task(tiny.csv("diabetes.csv", target="progression"), name="diabetes",
              type="regression", split=tiny.holdout(test="30%", validation="20%", seed=1)),
    tiny.model("mlp", tiny.scratch("mlp", hidden=16)),
    finetune=tiny.finetune(tiny.stage("fit", epochs=3, lr="1e-2")),
    metrics=tiny.metrics("rmse", "r2"))


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    from sklearn.datasets import load_diabetes

    diabetes = load_diabetes()
    rows = ["age,sex,bmi,bp,progression"] + [
        ",".join(f"{v:.5f}" for v in features[:4]) + f",{target:.1f}"
        for features, target in zip(diabetes.data, diabetes.target, strict=True)]
    (tmp_path / "diabetes.csv").write_text("\n".join(rows) + "\n")
    spec = tiny.write(tmp_path, SPEC, "diabetes.evalspec")
    assert tiny.run(spec, tmp_path / "first", cache=tmp_path / "cache") == 0
    return tmp_path / "first" / "results.json"


def test_the_same_data_reproduces_every_metric_exactly(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["reproduce", str(recorded), "--device", "cpu",
                 "--out", str(tmp_path / "again")]) == 0
    out = capsys.readouterr().out
    assert "tolerance 1e-09: 2 of 2 values reproduced" in out
    first = json.loads(recorded.read_text())["cells"][0]["test"]
    again = json.loads((tmp_path / "again" / "results.json").read_text())["cells"][0]["test"]
    assert {k: v["value"] for k, v in first.items()} == {k: v["value"] for k, v in again.items()}


def test_changed_data_is_refused_before_training(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "diabetes.csv"
    lines = data.read_text().splitlines()
    data.write_text("\n".join([*lines[:-1], lines[-1].rsplit(",", 1)[0] + ",1.0"]) + "\n")
    capsys.readouterr()
    assert main(["reproduce", str(recorded), "--out", str(tmp_path / "again")]) == 3
    error = capsys.readouterr().err
    assert "error[ES501]" in error and "the data differs" in error and "diabetes.csv" in error
    assert not (tmp_path / "again").exists()


def test_data_dir_points_at_moved_data(recorded: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(str(tmp_path / "diabetes.csv"), moved / "diabetes.csv")
    assert main(["reproduce", str(recorded), "--data-dir", str(moved), "--device", "cpu"]) == 0


@pytest.mark.parametrize("stop", ["first", "second"])
def test_an_interrupted_reproduction_does_not_promise_to_resume(
        recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], stop: str) -> None:
    import evalspec.execute.runner as runner
    from evalspec.errors import Interrupted

    def interrupted(*args: object, **kwargs: object) -> None:
        if stop == "first":  # training stops at the next step, as a first Ctrl-C asks
            raise Interrupted("interrupted; run the same command to resume")
        raise KeyboardInterrupt  # a second Ctrl-C: at once

    monkeypatch.setattr(runner, "run_cells", interrupted)
    capsys.readouterr()
    assert main(["reproduce", str(recorded)]) == 130
    error = capsys.readouterr().err  # the progress lines, then what the interruption left
    assert error.endswith("\nevalspec: interrupted; nothing is kept (it trains in a temporary "
                          "folder), and a reproduction cannot resume: it trains every cell "
                          "again — run the same command to start it over\n")
    assert "to resume" not in error
    again = tmp_path / "again"
    assert main(["reproduce", str(recorded), "--out", str(again)]) == 130
    assert f"interrupted; the cells it finished are in {again}, but a reproduction cannot " \
        "resume" in capsys.readouterr().err
