"""Cost that means something: peak memory measured per cell (a large model and then a tiny
one in the same process differ as their weights and optimizer state do), and latency timed
after warm-up passes, with its spread and a note when the machine was busy — in
results.json and in the report's cost table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evalspec.execute.training import cost
from evalspec.report.tables import latency_spread
from evalspec.results.schema import Latency
from tests import tiny

LARGE = dict(layers=2, hidden=1024)  # about 1.06 M parameters
SPEC = tiny.spec(
    tiny.task(tiny.builtin("iris"), name="iris", split=tiny.holdout("30%", "20%", 1)),
    tiny.model("large", tiny.scratch("mlp", **LARGE)),
    tiny.model("tiny", tiny.scratch("mlp", layers=1, hidden=4)),
    finetune=tiny.finetune(tiny.full(3, "1e-3"), batch_size=16),  # adamw: two moments
    metrics=tiny.metrics("accuracy", "latency(batch = 2)"),
    report=tiny.report("markdown"))
LOAD = 2.5  # per core, while the latency is timed


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[tiny.Results, Path]:
    """The large model, then the tiny one, in this process, on a machine that says it is
    busy while the latency is timed; (results, output folder)."""
    folder = tmp_path_factory.mktemp("cost")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cost, "load_per_core", lambda: LOAD)
        results = tiny.run_api(tiny.write(folder, SPEC), folder / "out",
                               cache_dir=folder / "cache")
    return results, folder / "out"


def test_peak_memory_is_measured_per_cell(run: tuple[tiny.Results, Path]) -> None:
    results, _ = run
    cost = {c["model"]: c["cost"] for c in results["cells"]}
    large, small = cost["large"]["peak_memory"], cost["tiny"]["peak_memory"]
    assert large["scope"] == small["scope"] == "cpu cell"
    weights = cost["large"]["params"]["total"] * 4 / 2**20  # float32
    # weights and AdamW's two moments live through the stage: at least three times them
    assert large["mib"] >= 3 * weights
    # the tiny model's cell, after the large one's, does not inherit its peak
    assert 0 < small["mib"] < large["mib"] / 5


def test_latency_has_warm_up_repetitions_spread_and_a_busy_note(
        run: tuple[tiny.Results, Path]) -> None:
    results, out = run
    for cell in results["cells"]:
        latency = cell["cost"]["latency"]["latency"]
        assert (latency["batch"], latency["warmup"], latency["runs"]) == (2, 2, 20)
        assert 0 < latency["p25"] <= latency["p50"] <= latency["p75"] <= latency["p95"]
        assert latency["load_per_core"] == pytest.approx(LOAD) and latency["busy"] is True
    cost = (out / "report.md").read_text("utf-8").split("### Cost", 1)[1].split("###", 1)[0]
    row = next(line for line in cost.splitlines() if line.startswith("| tiny |"))
    assert "ms per input, batch 2: p50 (IQR · p95)" in cost
    assert "IQR " in row and " · p95 " in row
    assert f"machine busy (load {LOAD:.1f} per core)" in row
    quiet = Latency.model_validate({**results["cells"][0]["cost"]["latency"]["latency"],
                                    "load_per_core": 0.4, "busy": False})
    assert "busy" not in latency_spread(quiet) and "IQR" in latency_spread(quiet)


@pytest.mark.skipif(not cost.LOADAVG.exists(), reason="Linux counts running threads")
def test_the_load_counts_this_thread() -> None:
    load = cost.load_per_core()
    assert load is not None and load >= 1 / (os.cpu_count() or 1)  # this thread is running
