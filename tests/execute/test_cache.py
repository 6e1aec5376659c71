"""The cell cache through the command line: a finished cell is never trained again while
what shapes it is unchanged; metrics, new models, `plan`, `--rerun` and broken entries."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from evalspec.cli.main import main
from evalspec.execute.training.trainer import Trainer
from tests import tiny

ACCURACY = ("accuracy", "log_loss")
SECOND_MODEL = tiny.model("wide", tiny.scratch("mlp", layers=2, hidden=8))

Results = tiny.Results


def accuracy(*more: str) -> str:
    """The wine spec's metrics block, with MORE metrics after `log_loss`."""
    return tiny.metrics(*ACCURACY, *more, primary="accuracy",
                        confidence="bootstrap(n = 100)")


def wine(*models: str, metrics: str | None = None) -> str:
    """Wine as text classification: an MLP (and MODELS) in two stages, two seeds."""
    return tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine", split=tiny.holdout(validation="20%")),
        tiny.model("mlp", tiny.scratch("mlp", layers=1, hidden=16)), *models,
        finetune=tiny.finetune(tiny.probe(2), tiny.full(3), batch_size=16, seeds=[0, 1]),
        metrics=metrics or accuracy(), report=tiny.report("json"))


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(self: Trainer, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached cell was trained")
    monkeypatch.setattr(Trainer, "run", refuse)
    yield


def run(spec: Path, out: Path, cache: Path, *flags: str) -> int:
    return tiny.run(spec, out, *flags, cache=cache)


results = tiny.results


def metrics_of(document: Results) -> dict[tuple[str, int], Any]:
    return {(c["model"], c["seed"]): c["test"] for c in document["cells"]}


def cached_lines(out: Path) -> list[str]:
    return [line for line in (out / "run.log").read_text().splitlines()
            if "from the cache" in line]


@pytest.fixture
def first(tmp_path: Path) -> tuple[Path, Path, Results]:
    """The wine spec run once from an empty cache: (spec, cache folder, results)."""
    spec = tiny.write(tmp_path, wine())
    cache = tmp_path / "cache"
    assert run(spec, tmp_path / "first", cache) == 0
    assert cached_lines(tmp_path / "first") == []
    return spec, cache, results(tmp_path / "first")


def test_a_second_identical_run_trains_nothing_and_gives_identical_results(
        first: tuple[Path, Path, Results], no_training: None, tmp_path: Path) -> None:
    spec, cache, before = first
    out = tmp_path / "second"
    assert run(spec, out, cache) == 0
    assert len(cached_lines(out)) == 2
    after = results(out)
    assert after["complete"] is True
    assert metrics_of(after) == metrics_of(before)
    assert after["tasks"] == before["tasks"]
    for a, b in zip(before["cells"], after["cells"], strict=True):
        assert a["digest"] == b["digest"] and a["stages"] == b["stages"]
        assert (tmp_path / "first" / a["predictions"]).read_bytes() == \
            (out / b["predictions"]).read_bytes()


def test_the_cache_defaults_to_a_folder_beside_the_spec(
        tmp_path: Path, trained: list[int]) -> None:
    spec = tiny.write(tmp_path, wine())
    for out in ("first", "second"):
        assert tiny.run(spec, tmp_path / out) == 0
    assert len(trained) == 2  # the first run's two seeds; the second run trained nothing
    digests = {c["digest"] for c in results(tmp_path / "first")["cells"]}
    assert {p.name for p in (tmp_path / ".evalspec" / "cache").iterdir()
            if not p.name.startswith(".")} == digests  # beside `.locks`


def test_changing_only_the_metrics_block_retrains_nothing(
        first: tuple[Path, Path, Results], no_training: None, tmp_path: Path) -> None:
    spec, cache, before = first
    spec.write_text(wine(metrics=tiny.metrics(
        *ACCURACY, f1="f1(average = macro)", primary="f1",
        confidence="bootstrap(n = 120, level = 90%)")), encoding="utf-8")
    out = tmp_path / "second"
    assert run(spec, out, cache) == 0
    assert len(cached_lines(out)) == 2
    after = results(out)
    assert [c["digest"] for c in after["cells"]] == [c["digest"] for c in before["cells"]]
    for cell, old in zip(after["cells"], before["cells"], strict=True):
        assert set(cell["test"]) == {"accuracy", "log_loss", "f1"}
        assert 0 <= cell["test"]["f1"]["value"] <= 1
        assert cell["test"]["accuracy"]["value"] == old["test"]["accuracy"]["value"]
    assert after["tasks"]["wine"]["leaderboard"][0]["metric"] == "f1"


def test_adding_a_model_trains_only_that_model(
        first: tuple[Path, Path, Results], trained: list[int], tmp_path: Path) -> None:
    spec, cache, before = first
    spec.write_text(wine(SECOND_MODEL), encoding="utf-8")
    out = tmp_path / "second"
    assert run(spec, out, cache) == 0
    assert len(trained) == 2  # wide, seeds 0 and 1
    log = cached_lines(out)
    assert len(log) == 2 and all("wine/mlp/" in line for line in log)
    after = results(out)
    assert [(c["model"], c["seed"]) for c in after["cells"]] == [
        ("mlp", 0), ("mlp", 1), ("wide", 0), ("wide", 1)]
    assert [c["digest"] for c in after["cells"][:2]] == [c["digest"] for c in before["cells"]]
    assert {k: v for k, v in metrics_of(after).items() if k[0] == "mlp"} == metrics_of(before)


def plan_states(spec: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """`evalspec plan`'s cache column: cell key → cached / resumable / to run."""
    capsys.readouterr()
    assert main(["plan", str(spec), "--cache-dir", str(cache)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[lines.index(next(x for x in lines if x.endswith("digest, cache):"))) + 1:]
    return {row.split()[0]: row.split(maxsplit=2)[2] for row in rows}


def test_plan_marks_each_cell_cached_resumable_or_to_run(
        first: tuple[Path, Path, Results], capsys: pytest.CaptureFixture[str]) -> None:
    spec, cache, before = first
    spec.write_text(wine(SECOND_MODEL), encoding="utf-8")
    states = plan_states(spec, cache, capsys)
    assert states == {"wine/mlp/seed0": "cached", "wine/mlp/seed1": "cached",
                      "wine/wide/seed0": "to run", "wine/wide/seed1": "to run"}
    # a complete checkpoint makes a cell resumable; a broken one does not
    digest = results_digest(before, "mlp", 1)
    shutil.rmtree(cache / digest / "outcome")
    (cache / digest / "checkpoints" / "ckpt-1").mkdir(parents=True)
    assert plan_states(spec, cache, capsys)["wine/mlp/seed1"] == "to run"
    (cache / digest / "checkpoints" / "ckpt-1" / "COMPLETE").write_text("ok\n")
    assert plan_states(spec, cache, capsys)["wine/mlp/seed1"] == "resumable"
    assert plan_states(spec, cache, capsys)["wine/mlp/seed0"] == "cached"


def results_digest(document: Results, model: str, seed: int) -> str:
    return next(c["digest"] for c in document["cells"]
                if c["model"] == model and c["seed"] == seed)


def test_rerun_trains_every_cell_again_with_identical_results(
        first: tuple[Path, Path, Results], trained: list[int], tmp_path: Path) -> None:
    spec, cache, before = first
    out = tmp_path / "again"
    assert run(spec, out, cache, "--rerun") == 0
    assert len(trained) == 2 and cached_lines(out) == []
    after = results(out)  # the CPU is deterministic: training again changes nothing
    assert metrics_of(after) == metrics_of(before)
    for a, b in zip(before["cells"], after["cells"], strict=True):
        assert [e["train_loss"] for s in a["stages"] for e in s["epochs"]] == \
            [e["train_loss"] for s in b["stages"] for e in s["epochs"]]
        assert (tmp_path / "first" / a["predictions"]).read_bytes() == \
            (out / b["predictions"]).read_bytes()
    # the retrained outcomes replaced the old ones: the next run trains nothing
    assert run(spec, tmp_path / "third", cache) == 0
    assert len(trained) == 2


def test_an_unfinished_outcome_folder_is_not_a_finished_cell(
        first: tuple[Path, Path, Results], trained: list[int], tmp_path: Path) -> None:
    spec, cache, before = first
    seed0, seed1 = (results_digest(before, "mlp", s) for s in (0, 1))
    # seed 0: killed while its outcome was written — only the temporary folder exists
    (cache / seed0 / "outcome").rename(cache / seed0 / ".outcome.tmp-4242")
    # seed 1: an outcome folder without its completion marker (killed before the rename)
    (cache / seed1 / "outcome" / "COMPLETE").unlink()
    out = tmp_path / "second"
    assert run(spec, out, cache) == 0
    assert len(trained) == 2 and cached_lines(out) == []
    assert metrics_of(results(out)) == metrics_of(before)
    for digest in (seed0, seed1):
        assert (cache / digest / "outcome" / "COMPLETE").exists()
        assert not (cache / digest / "checkpoints").exists()  # dropped once the cell finished
    assert run(spec, tmp_path / "third", cache) == 0
    assert len(trained) == 2 and len(cached_lines(tmp_path / "third")) == 2


def test_a_stray_temporary_folder_beside_a_complete_outcome_is_ignored(
        first: tuple[Path, Path, Results], no_training: None, tmp_path: Path) -> None:
    spec, cache, before = first
    digest = results_digest(before, "mlp", 0)
    stray = cache / digest / ".outcome.tmp-4242"
    stray.mkdir()
    (stray / "outcome.json").write_text("{not json")
    assert run(spec, tmp_path / "second", cache) == 0
    assert metrics_of(results(tmp_path / "second")) == metrics_of(before)


def test_a_failed_cell_keeps_the_cells_before_it_in_the_cache(
        broken_bert: Callable[[float], Path], data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews(data_dir / "reviews.csv")),
        tiny.model("lstm", tiny.scratch("lstm", hidden=16), max_length=32),
        tiny.model("broken", tiny.path(broken_bert(float("nan"))), max_length=32),
        report=tiny.report("json")))
    cache = tmp_path / "cache"
    assert run(spec, tmp_path / "out", cache) == 3
    assert "non-finite loss" in capsys.readouterr().err
    assert [c["model"] for c in results(tmp_path / "out")["cells"]] == ["lstm"]
    finished = [p for p in cache.iterdir() if (p / "outcome" / "COMPLETE").exists()]
    assert len(finished) == 1

    def refuse(self: Trainer, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached cell was trained")
    monkeypatch.setattr(Trainer, "run", refuse)
    assert run(spec, tmp_path / "again", cache, "--only", "lstm") == 0
    assert len(cached_lines(tmp_path / "again")) == 1


def test_a_cost_metric_added_later_is_measured_without_training(
        first: tuple[Path, Path, Results], no_training: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec, cache, before = first
    spec.write_text(wine(metrics=accuracy("latency(batch = 2)", "throughput(batch = 4)")),
                    encoding="utf-8")
    assert run(spec, tmp_path / "second", cache) == 0
    after = results(tmp_path / "second")
    assert metrics_of(after) == metrics_of(before)
    for cell in after["cells"]:
        (latency,) = cell["cost"]["latency"].values()
        (throughput,) = cell["cost"]["throughput"].values()
        assert latency["batch"] == 2 and latency["p50"] > 0
        assert throughput["batch"] == 4 and throughput["per_second"] > 0
    # kept in the cache with the outcome: the next run measures nothing
    from evalspec.execute.training import cost

    def refuse(*args: Any) -> Any:
        raise AssertionError("measured again")
    monkeypatch.setattr(cost, "latency_ms", refuse)
    monkeypatch.setattr(cost, "throughput", refuse)
    assert run(spec, tmp_path / "third", cache) == 0
    assert [c["cost"] for c in results(tmp_path / "third")["cells"]] == \
        [c["cost"] for c in after["cells"]]


# Run in a fresh interpreter: which heavy libraries a fully cached run imported.
IMPORTED = """
import sys
from evalspec.cli.main import main
code = main(sys.argv[1:])
print("imported:", *(m for m in ("torch", "transformers", "timm", "sklearn", "scipy.stats",
                                 "matplotlib") if m in sys.modules))
sys.exit(code)
"""


def imported(*arguments: str) -> tuple[list[str], str]:
    """`evalspec ARGUMENTS` in a fresh interpreter: the heavy libraries it imported, and
    what it wrote on stderr."""
    done = subprocess.run([sys.executable, "-c", IMPORTED, *arguments], capture_output=True,
                          text=True, check=True)
    return done.stdout.splitlines()[-1].split()[1:], done.stderr


def test_a_fully_cached_run_does_not_load_torch(first: tuple[Path, Path, Results],
                                               tmp_path: Path) -> None:
    spec, cache, _ = first
    heavy, _ = imported("run", str(spec), "--device", "cpu", "--out", str(tmp_path / "second"),
                        "--cache-dir", str(cache))
    assert not {"torch", "transformers", "timm"} & set(heavy)  # the metrics are computed
    assert len(cached_lines(tmp_path / "second")) == 2


@pytest.mark.parametrize("damage", ["edited", "truncated", "no digest"])
def test_a_damaged_cache_entry_is_computed_again_with_a_warning(
        first: tuple[Path, Path, Results], trained: list[int], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], damage: str) -> None:
    spec, cache, before = first
    digest = before["cells"][0]["digest"]
    stored = cache / digest / "outcome" / "outcome.json"
    if damage == "edited":  # every prediction made right: accuracy would become 1.0
        outcome = json.loads(stored.read_text())
        for row in outcome["predictions"]:
            row["probabilities"] = [1.0 if label == row["true"] else 0.0
                                    for label in outcome["labels"]]
        stored.write_text(json.dumps(outcome))
    elif damage == "truncated":
        stored.write_text(stored.read_text()[:100])
    else:
        (stored.parent / "outcome.json.sha256").unlink()
    key = before["cells"][0]["task"] + "/" + before["cells"][0]["model"] + "/seed0"
    assert plan_states(spec, cache, capsys)[key] == "to run (cache entry damaged)"
    out = tmp_path / "second"
    assert run(spec, out, cache) == 0
    assert len(trained) == 1  # the damaged cell alone, trained again
    assert "its cache entry is damaged" in (out / "run.log").read_text()
    after = results(out)
    assert metrics_of(after) == metrics_of(before)  # the true numbers, not the edited ones
    assert plan_states(spec, cache, capsys)[key] == "cached"


def test_a_changed_report_block_renders_again_without_recomputing(tmp_path: Path) -> None:
    def titled(title: str, comment: str = "") -> str:
        report = f'report {{\n  title = "{title}"\n  formats = [html, markdown]\n}}\n'
        return comment + wine().replace(tiny.report("json") + "\n", report)

    spec = tiny.write(tmp_path, titled("First"))
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run(spec, out, cache) == 0
    before = results(out)
    spec.write_text(titled("Second", comment="# edited: a new title\n"), encoding="utf-8")
    arguments = ("run", str(spec), "--device", "cpu", "--out", str(out), "--cache-dir",
                 str(cache))
    heavy, log = imported(*arguments)
    assert "only the report block, layout or comments changed" in log
    assert heavy == []  # stored numbers, kept charts: nothing heavy starts
    after = results(out)
    assert after["title"] == "Second" and after["spec"]["text"] == spec.read_text()
    assert {k: v for k, v in after.items() if k not in ("title", "spec", "run_digest")} == \
        {k: v for k, v in before.items() if k not in ("title", "spec", "run_digest")}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Second" in page and "First" not in page
    assert "Second" in (out / "report.md").read_text(encoding="utf-8")
    assert (out / "test.evalspec").read_text() == spec.read_text()  # the copy kept in step
    assert imported("report", str(out / "results.json"))[0] == []
    assert (out / "report.html").read_text(encoding="utf-8") == page
    assert "is up to date" in imported(*arguments)[1]
    spec.write_text(re.sub(r"seeds\s*= \[0, 1\]", "seeds = [0]", titled("Second")),
                    encoding="utf-8")
    heavy, log = imported(*arguments)  # a change to the numbers: scored again (from cache)
    assert "restated" not in log and "sklearn" in heavy
    assert results(out)["seeds"] == [0]


def test_two_runs_on_one_cache_train_each_cell_once(tmp_path: Path) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.builtin("wine"), name="wine", split=tiny.holdout(validation="20%")),
        tiny.model("mlp", tiny.scratch("mlp", layers=2, hidden=64)),
        finetune=tiny.finetune(tiny.full(150), batch_size=8), report=tiny.report("json")))
    runs = [subprocess.Popen(
        [sys.executable, "-m", "evalspec", "run", str(spec), "--out", str(tmp_path / f"out{i}"),
         "--cache-dir", str(tmp_path / "cache"), "--device", "cpu"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(2)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]
    logs = [(tmp_path / f"out{i}" / "run.log").read_text() for i in range(2)]
    trained = [log for log in logs if "epoch 150/150" in log]
    assert len(trained) == 1  # the other waited for it, then took it from the cache
    assert sum("from the cache" in log for log in logs) == 1
    assert results(tmp_path / "out0")["cells"][0]["test"] == \
        results(tmp_path / "out1")["cells"][0]["test"]


def test_an_identical_run_into_the_same_folder_does_nothing(
        first: tuple[Path, Path, Results], tmp_path: Path) -> None:
    spec, cache, before = first
    results_file = tmp_path / "first" / "results.json"
    written = results_file.read_bytes()
    heavy, log = imported("run", str(spec), "--device", "cpu", "--out", str(tmp_path / "first"),
                          "--cache-dir", str(cache))
    assert "is up to date" in log
    assert heavy == []  # no torch, no scikit-learn, no SciPy, no matplotlib
    assert results_file.read_bytes() == written
    spec.write_text(wine(metrics=accuracy("mcc")), encoding="utf-8")  # a change: not up to date
    assert run(spec, tmp_path / "first", cache) == 0
    assert "mcc" in results(tmp_path / "first")["cells"][0]["test"]


def test_an_outcome_is_read_once_per_version_of_its_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from evalspec.execute import cache as cache_module

    store = cache_module.CellCache(tmp_path)
    store.store("abc", {"device": "cpu", "cost": {}})
    reads: list[str] = []
    original = cache_module._read

    def counted(folder: Path, name: str) -> Any:
        reads.append(name)
        return original(folder, name)
    monkeypatch.setattr(cache_module, "_read", counted)
    assert store.usable("abc", "cpu") and store.damage("abc") is None
    assert store.load("abc") == {"device": "cpu", "cost": {}}
    assert reads == ["outcome.json"]  # three questions, one read
    outcome = tmp_path / "abc" / "outcome" / "outcome.json"
    outcome.write_text(outcome.read_text().replace("cpu", "gpu"))  # edited since
    assert store.damage("abc") is not None and not store.usable("abc", "cpu")


def test_a_table_of_image_files_is_read_then_found_up_to_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A table naming image files cannot be fingerprinted unread: the second run reads it,
    then finds the first run's files and trains nothing."""
    from PIL import Image

    rows = ["image,label"]
    for number in range(16):
        label = "dark" if number % 2 else "light"
        path = tmp_path / "images" / f"{number}.png"
        path.parent.mkdir(exist_ok=True)
        Image.new("L", (8, 8), 40 if number % 2 else 220).save(path)
        rows.append(f"images/{number}.png,{label}")
    (tmp_path / "table.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task('csv("table.csv", image = "image", label = "label")', name="shades",
                  type="image_classification", split=tiny.holdout(test="25%")),
        tiny.model("cnn", tiny.scratch("resnet10t"), image_size=16),
        finetune=tiny.finetune(tiny.full(max_steps=1), batch_size=8),
        metrics=accuracy(), report=tiny.report("json")))
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert tiny.run(spec, out, cache=cache) == 0
    capsys.readouterr()

    def refuse(self: Trainer, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached cell was trained")
    monkeypatch.setattr(Trainer, "run", refuse)
    assert tiny.run(spec, out, cache=cache) == 0
    error = capsys.readouterr().err
    assert "read 16 rows from table.csv" in error and "is up to date" in error
