"""`evalspec report` after a metrics-block change: every metric recomputed from the saved
predictions, nothing trained; a change to what was trained is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalspec.cli.main import main
from evalspec.execute.training import trainer as train

SPEC = """evalspec 1
task diabetes {
  type  = regression
  data  = builtin("diabetes")
  split = holdout(test = 30%, validation = 20%, seed = 1)
}
model small {
  source = scratch(mlp, hidden = 8)
}
model wide {
  source = scratch(mlp, hidden = 32)
}
finetune {
  stage fit {
    epochs = 2
    lr     = 1e-2
  }
}
metrics {
  rmse
}
"""


@pytest.fixture
def run(tmp_path: Path) -> Path:
    spec = tmp_path / "diabetes.evalspec"
    spec.write_text(SPEC)
    assert main(["run", str(spec), "--out", str(tmp_path / "out"), "--device", "cpu",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    return spec


def test_a_new_metrics_block_is_scored_from_the_saved_predictions(
        run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("report must not train")
    monkeypatch.setattr(train.Trainer, "run", no_training)
    results = tmp_path / "out" / "results.json"
    before = json.loads(results.read_text())
    run.write_text(SPEC.replace("  rmse\n", "  rmse\n  mae\n  r2\n  primary = mae\n"))
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
    run.write_text(SPEC.replace("epochs = 2", "epochs = 3"))
    assert main(["report", str(results)]) == 2
    assert "`evalspec run` the spec to train again" in capsys.readouterr().err
    assert results.read_text() == before
