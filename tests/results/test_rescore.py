"""`evalspec report` after a metrics-block change: every metric recomputed from the saved
predictions, nothing trained; a change to what was trained is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalspec.cli.main import main
from evalspec.execute.training import trainer as train
from tests import tiny


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
