"""The pre-screen end to end: frozen features scored before fine-tuning, the weakest
candidates never trained but reported with their scores, the scores cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import tiny

pytestmark = pytest.mark.slow


def wine(prescreen: str, *, metric: str = "accuracy") -> str:
    """Wine as classification with three MLPs of different widths (and a `prescreen`)."""
    return tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine", split=tiny.holdout(validation="20%")),
        tiny.model("narrow", tiny.scratch("mlp", layers=1, hidden=2)),
        tiny.model("medium", tiny.scratch("mlp", layers=1, hidden=16)),
        tiny.model("wide", tiny.scratch("mlp", layers=1, hidden=64)),
        finetune=tiny.finetune(tiny.full(4, lr="1e-2"), batch_size=16, seeds=[0, 1],
                               prescreen=prescreen),
        metrics=tiny.metrics(metric, confidence="bootstrap(n = 100)"),
        report=tiny.report("json", "markdown"))


def test_a_pre_screen_drops_the_weakest_before_any_training(
        tmp_path: Path, trained: list[int]) -> None:
    spec = tiny.write(tmp_path, wine("logme(keep = 2)"))
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    results = tiny.results(tmp_path / "out")
    screen = results["tasks"]["wine"]["prescreen"]
    assert screen["method"] == "logme" and screen["keep"] == 2
    candidates = screen["candidates"]
    assert sorted(c["rank"] for c in candidates.values()) == [1, 2, 3]
    dropped = [m for m, c in candidates.items() if not c["fine_tuned"]]
    assert len(dropped) == 1 and candidates[dropped[0]]["rank"] == 3
    assert candidates[dropped[0]]["reason"] == "pre-screen rank 3 of 3 by logme; keep = 2"
    assert {c["model"] for c in results["cells"]} == set(candidates) - set(dropped)
    assert len(trained) == 4  # two models × two seeds; the dropped one never trained
    assert screen["agreement"]["logme"]["models"] == 2
    assert screen["agreement"]["logme"]["tau"] in (-1.0, 1.0)
    for c in candidates.values():
        assert c["examples"] == results["tasks"]["wine"]["sizes"]["train"]
        assert 0 <= c["linear_probe"]["mean"] <= 1
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "### Pre-screen" in markdown and dropped[0] in markdown

    trained.clear()  # the same run again: scores and cells from the cache
    assert tiny.run(spec, tmp_path / "out2", cache=tmp_path / "cache") == 0
    assert trained == []
    assert "pre-screening" not in (tmp_path / "out2" / "run.log").read_text()
    assert tiny.results(tmp_path / "out2")["tasks"]["wine"]["prescreen"] == screen


def test_without_keep_every_candidate_is_fine_tuned_and_agreement_is_measured(
        tmp_path: Path, trained: list[int]) -> None:
    spec = tiny.write(tmp_path, wine("linear_probe(folds = 3)"))
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    screen = tiny.results(tmp_path / "out")["tasks"]["wine"]["prescreen"]
    assert all(c["fine_tuned"] and c["reason"] is None for c in screen["candidates"].values())
    assert len(trained) == 6
    assert screen["agreement"]["linear_probe"]["models"] == 3
    assert -1.0 <= screen["agreement"]["linear_probe"]["tau"] <= 1.0


def test_regression_is_pre_screened_with_regression_logme(tmp_path: Path) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.builtin("diabetes"), name="diabetes", type="regression",
                  split=tiny.holdout(validation="20%")),
        tiny.model("small", tiny.scratch("mlp", hidden=8)),
        tiny.model("wide", tiny.scratch("mlp", hidden=32)),
        finetune=tiny.finetune(tiny.full(2, lr="1e-2"), prescreen="logme(keep = 1)"),
        metrics=tiny.metrics("rmse"), report=tiny.report("json")))
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    screen = tiny.results(tmp_path / "out")["tasks"]["diabetes"]["prescreen"]
    assert sum(c["fine_tuned"] for c in screen["candidates"].values()) == 1
    assert all(c["linear_probe"]["mean"] <= 1 for c in screen["candidates"].values())  # R²


def test_text_candidates_are_pre_screened_from_their_pooled_encoder_output(
        tmp_path: Path) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews(tiny.REVIEWS), labels='["negative", "positive"]'),
        tiny.model("gru", tiny.scratch("gru", hidden=16), max_length=24),
        tiny.model("transformer", tiny.scratch("transformer", layers=1, hidden=32),
                   max_length=24),
        finetune=tiny.finetune(tiny.probe(1), prescreen="linear_probe(keep = 1, folds = 3)"),
        metrics=tiny.metrics("accuracy"), report=tiny.report("json")))
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    screen = tiny.results(tmp_path / "out")["tasks"]["sentiment"]["prescreen"]
    assert screen["folds"] == 3
    assert {c["dimensions"] for c in screen["candidates"].values()} == {16, 32}  # gru, transformer
    assert sorted(c["fine_tuned"] for c in screen["candidates"].values()) == [False, True]
