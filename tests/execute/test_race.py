"""Racing end to end: a candidate significantly worse than the leader on the validation
split stops fine-tuning, is reported as stopped and is never ranked; the stop is cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import tiny

pytestmark = pytest.mark.slow


def wine(race: str = "race(after = 1)", prescreen: str | None = None) -> str:
    """Three MLPs, `slow` to be made hopeless by `slowed`."""
    return tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine",
                  split=tiny.holdout(test="20%", validation="30%")),
        tiny.model("good", tiny.scratch("mlp", layers=1, hidden=32)),
        tiny.model("slow", tiny.scratch("mlp", layers=1, hidden=32)),
        tiny.model("other", tiny.scratch("mlp", layers=1, hidden=16)),
        finetune=tiny.finetune(tiny.stage("train", epochs=6, lr="1e-2"), batch_size=16,
                               race=race, prescreen=prescreen),
        metrics=tiny.metrics("accuracy", confidence="bootstrap(n = 200)"),
        report=tiny.report("json", "markdown"))


def slowed(text: str) -> str:
    """`slow` with one hidden unit: it cannot separate three classes."""
    return text.replace('model slow {\n  source = scratch(mlp, layers = 1, hidden = 32)',
                        'model slow {\n  source = scratch(mlp, layers = 1, hidden = 1)')


def test_a_candidate_far_behind_the_leader_is_stopped_and_not_ranked(
        tmp_path: Path, trained: list[int]) -> None:
    spec = tiny.write(tmp_path, slowed(wine()))
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    results = tiny.results(tmp_path / "out")
    race = results["tasks"]["wine"]["race"]
    assert race["level"] == 0.95 and race["after"] == 1
    stopped = {s["model"]: s for s in race["stopped"]}
    assert "slow" in stopped and "good" not in stopped
    stop = stopped["slow"]
    assert stop["leader"] == "good" and stop["p_value"] < 0.05
    assert stop["value"] < stop["leader_value"] and stop["epochs"] < 6
    ranked = [row["model"] for row in results["tasks"]["wine"]["leaderboard"]]
    assert "slow" not in ranked and "good" in ranked
    assert "slow" not in results["tasks"]["wine"]["models"]
    assert "### Race" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")

    trained.clear()  # again: the leader is cached, and so is the stop
    assert tiny.run(spec, tmp_path / "out2", cache=tmp_path / "cache") == 0
    assert trained == []
    assert tiny.results(tmp_path / "out2")["tasks"]["wine"]["race"] == race


def test_a_race_needs_a_validation_split(tmp_path: Path) -> None:
    text = slowed(wine()).replace('validation = 30%', 'validation = 0%')
    spec = tiny.write(tmp_path, text)
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 1
