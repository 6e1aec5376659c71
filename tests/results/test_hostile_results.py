"""Results files edited by hand or by an attacker: `evalspec report` names the problem and
exits 2; it never crashes on a ranked model without a summary, nor reads predictions from
outside the results folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalspec.cli.main import main
from tests.committed import PROJECT, load, save


def test_a_leaderboard_naming_a_missing_model_is_a_usage_error(
        run_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = load(run_folder)
    document["tasks"]["tickets"]["leaderboard"][0]["model"] = "ghost"
    save(run_folder, document)
    assert main(["report", str(run_folder / "results.json")]) == 2
    err = capsys.readouterr().err
    assert "tasks.tickets.leaderboard ranks model `ghost`, which has no summary" in err


def test_rescoring_refuses_predictions_outside_the_results_folder(
        run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    spec = project / "tickets.evalspec"
    spec.write_text(spec.read_text(encoding="utf-8").replace("  brier\n", "  brier\n  mcc\n"),
                    encoding="utf-8")  # a changed metrics block: rescoring reads predictions
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"id": "x", "true": "a|b", "pred": "a|b"}\n', encoding="utf-8")
    document = load(run_folder)
    document["cells"][0]["predictions"] = str(secret)
    save(run_folder, document)
    before = (run_folder / "results.json").read_text(encoding="utf-8")
    assert main(["report", str(run_folder / "results.json"), "--spec", str(spec)]) == 2
    assert "is not a file inside the results folder" in capsys.readouterr().err
    assert (run_folder / "results.json").read_text(encoding="utf-8") == before
