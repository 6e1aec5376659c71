"""`evalspec report` after a metrics-block change: every metric recomputed from the saved
predictions, nothing trained; a change to what was trained is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalspec import api
from evalspec.cli.main import main
from evalspec.execute.training import trainer as train
from tests import tiny
from tests.committed import PROJECT, load


def diabetes(epochs: int = 2, metrics: str = tiny.metrics("rmse")) -> str:
    """Two MLPs on the built-in diabetes data, one stage of EPOCHS."""
    return tiny.spec(
        tiny.task(tiny.builtin("diabetes"), name="diabetes", type="regression",
                  split=tiny.holdout(test="30%", validation="20%", seed=1)),
        tiny.model("small", tiny.scratch("mlp", hidden=8)),
        tiny.model("wide", tiny.scratch("mlp", hidden=32)),
        finetune=tiny.finetune(tiny.stage("fit", epochs=epochs, lr="1e-2")), metrics=metrics)


@pytest.fixture
def run(tmp_path: Path) -> Path:
    spec = tiny.write(tmp_path, diabetes(), "diabetes.evalspec")
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    return spec


def test_a_new_metrics_block_is_scored_from_the_saved_predictions(
        run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("report must not train")
    monkeypatch.setattr(train.Trainer, "run", no_training)
    results = tmp_path / "out" / "results.json"
    before = json.loads(results.read_text())
    run.write_text(diabetes(metrics=tiny.metrics("rmse", "mae", "r2", primary="mae")))
    assert main(["report", str(results)]) == 0
    after = json.loads(results.read_text())
    assert after["primary"] == "mae"
    assert after["tasks"]["diabetes"]["leaderboard"][0]["metric"] == "mae"
    for old, new in zip(before["cells"], after["cells"], strict=True):
        assert set(new["test"]) == {"rmse", "mae", "r2"}
        assert new["test"]["rmse"]["value"] == old["test"]["rmse"]["value"]
        assert new["stages"] == old["stages"]
    assert "mae" in (tmp_path / "out" / "report.md").read_text()


def test_a_changed_schedule_is_refused(run: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "out" / "results.json"
    before = results.read_text()
    run.write_text(diabetes(epochs=3))
    assert main(["report", str(results)]) == 2
    assert "`evalspec run` the spec to train again" in capsys.readouterr().err
    assert results.read_text() == before


def test_rescoring_recomputes_the_extra_sets_and_perturbations(run_folder: Path,
                                                               tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    spec = project / "tickets.evalspec"
    spec.write_text(spec.read_text(encoding="utf-8").replace("  brier\n", "  brier\n  mcc\n"),
                    encoding="utf-8")
    before = load(run_folder)
    api.report(run_folder / "results.json", ["markdown"], spec=spec)
    after = load(run_folder)
    task = after["tasks"]["tickets"]
    assert list(task["evaluations"]) == ["forum", "typos", "dropped"]
    for name, evaluation in task["evaluations"].items():
        for model in ("tiny_gru", "tiny_transformer"):
            assert "mcc" in evaluation["models"][model]["metrics"]
            assert "mcc" in evaluation["changes"][model]
        assert evaluation["changes"]["tiny_gru"]["f1"] == \
            before["tasks"]["tickets"]["evaluations"][name]["changes"]["tiny_gru"]["f1"]
    for cell in after["cells"]:
        assert all("mcc" in e["metrics"] for e in cell["evaluations"].values())
    assert task["disagreements"] == before["tasks"]["tickets"]["disagreements"]
