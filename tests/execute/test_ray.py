"""`run --executor ray` on a local two-CPU Ray instance started here: the numbers of a local
run, the same cache entries (a run by either executor finds the other's cells), a worker
killed mid-cell retried from its checkpoint, a folder a worker cannot see, Ctrl-C, and the
command line's refusals."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray

from evalspec import api
from evalspec.errors import Interrupted, RunError
from evalspec.execute.cell import CellJob
from evalspec.execute.cluster import RayRunner
from evalspec.results.scoring import ValidationScorer
from tests import tiny
from tests.execute import ray_hooks
from tests.execute.test_cache import SECOND_MODEL, cached_lines, no_training, wine

__all__ = ["no_training"]  # a fixture, used by name
CELLS = 4  # two models × two seeds


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A local Ray instance with two CPUs whose workers die after a checkpoint when armed:
    the file that arms them (see ray_hooks)."""
    armed = tmp_path_factory.mktemp("ray") / "armed"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"worker_process_setup_hook": ray_hooks.die_once,
                          "env_vars": {ray_hooks.ARMED: str(armed)}})
    yield armed
    ray.shutdown()


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny.write(tmp_path_factory.mktemp("spec"), wine(SECOND_MODEL))


@pytest.fixture(scope="module")
def local(spec: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tiny.Results]:
    """The spec run here, one cell after another: (its cache, its results)."""
    folder = tmp_path_factory.mktemp("local")
    assert tiny.run(spec, folder / "out", cache=folder / "cache") == 0
    return folder / "cache", tiny.results(folder / "out")


def numbers(document: tiny.Results) -> dict[str, float]:
    """Every test metric value of every cell, flattened: `wine/mlp/seed0 accuracy value`."""
    found: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix} {key}", inner)
        elif isinstance(value, int | float):
            found[prefix] = float(value)
    for cell in document["cells"]:
        walk(f"{cell['task']}/{cell['model']}/seed{cell['seed']}", cell["test"])
    return found


def entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))


def assert_same_numbers(found: tiny.Results, expected: tiny.Results) -> None:
    """The same cells in the same order, with the same test metrics."""
    assert [c["digest"] for c in found["cells"]] == [c["digest"] for c in expected["cells"]]
    assert len(found["cells"]) == CELLS
    assert numbers(found) == pytest.approx(numbers(expected), abs=1e-9, rel=0)


def log(out: Path) -> str:
    return (out / "run.log").read_text(encoding="utf-8")


def test_ray_gives_a_local_runs_numbers_in_the_same_cache_entries(
        cluster: Path, spec: Path, local: tuple[Path, tiny.Results], tmp_path: Path) -> None:
    local_cache, expected = local
    cache = tmp_path / "cache"
    assert tiny.run(spec, tmp_path / "out", "--executor", "ray", cache=cache) == 0
    assert_same_numbers(tiny.results(tmp_path / "out"), expected)
    assert log(tmp_path / "out").count("sent to Ray") == CELLS
    assert entries(cache) == entries(local_cache)  # content-addressed: the meeting point
    assert all((cache / digest / "weights").is_dir() for digest in entries(cache))

    assert tiny.run(spec, tmp_path / "again", "--executor", "ray", cache=cache) == 0
    assert len(cached_lines(tmp_path / "again")) == CELLS
    assert_same_numbers(tiny.results(tmp_path / "again"), expected)


def test_a_local_run_finds_the_cells_ray_trained(cluster: Path, spec: Path,
                                                 local: tuple[Path, tiny.Results],
                                                 tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert tiny.run(spec, tmp_path / "ray", "--executor", "ray", cache=cache) == 0
    assert tiny.run(spec, tmp_path / "here", cache=cache) == 0
    assert len(cached_lines(tmp_path / "here")) == CELLS


def test_a_worker_killed_mid_cell_is_retried_from_its_checkpoint(
        cluster: Path, spec: Path, local: tuple[Path, tiny.Results], tmp_path: Path) -> None:
    cluster.touch()  # the next worker to write a checkpoint dies
    out = tmp_path / "out"
    assert tiny.run(spec, out, "--executor", "ray", cache=tmp_path / "cache") == 0
    assert not cluster.exists(), "no worker died"
    assert log(out).count("resuming from a checkpoint") == 1
    assert_same_numbers(tiny.results(out), local[1])


def one_job(spec: Path, cache: Path) -> CellJob:
    plan, data = api.planned(api.validate_text(api.read_source(spec)), spec.parent,
                             lambda event: None)
    cell = plan.cells[0]
    return CellJob(plan, cell, data[cell.task], ValidationScorer(plan.spec), cache, "cpu")


def test_a_folder_a_worker_cannot_see_fails_the_cell_in_one_line(
        cluster: Path, spec: Path, tmp_path: Path) -> None:
    unseen = tmp_path / "only-on-the-driver"
    with pytest.raises(RunError, match="not found on Ray worker") as raised:
        list(RayRunner().run([one_job(spec, unseen)], lambda event: None, lambda: False))
    assert str(raised.value).startswith(f"{unseen}: ")
    assert "same path on every Ray worker" in str(raised.value)
    assert "\n" not in str(raised.value) and raised.value.code == "ES507"


def test_a_stop_request_cancels_the_outstanding_cells(cluster: Path, spec: Path,
                                                      tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(Interrupted, match="cancelled"):
        list(RayRunner().run([one_job(spec, cache)], lambda event: None, lambda: True))
    assert not any(p.name == "outcome" for p in cache.rglob("*"))


def test_executor_ray_without_ray_installed_is_a_usage_error(
        spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails
    assert tiny.run(spec, tmp_path / "out", "--executor", "ray") == 2
    assert "pip install 'evalspec[ray]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("flags", "message"), [
    (("--address", "ray://head:10001"), "--address needs --executor ray"),
    (("--gpus-per-cell", "1"), "--gpus-per-cell needs --executor ray"),
    (("--executor", "ray", "--gpus-per-cell", "-1"), "must be 0 or more"),
    (("--executor", "ray", "--device", "cuda"), "needs --gpus-per-cell N"),
])
def test_ray_options_are_checked_before_anything_runs(
        spec: Path, tmp_path: Path, flags: tuple[str, ...], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert tiny.run(spec, tmp_path / "out", *flags) == 2
    assert message in capsys.readouterr().err
