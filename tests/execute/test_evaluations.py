"""Extra evaluation sets and perturbations end to end: predicted beside the test split
without retraining, cached per cell, deterministic, and scored with their change from the
test split."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import tiny

pytestmark = pytest.mark.slow


def reviews(folder: Path) -> tuple[Path, Path]:
    """The first 240 movie reviews (the task's data) and 60 more as an 'other' set."""
    lines = tiny.REVIEWS.read_text(encoding="utf-8").splitlines()
    (folder / "reviews.csv").write_text("\n".join(lines[:241]) + "\n", encoding="utf-8")
    (folder / "other.csv").write_text("\n".join([lines[0], *lines[1000:1060]]) + "\n",
                                      encoding="utf-8")
    return folder / "reviews.csv", folder / "other.csv"


def sentiment(folder: Path, evaluate: dict[str, str], perturb: dict[str, str]) -> str:
    data, _ = reviews(folder)
    sections = [tiny.section(kind, **entries) for kind, entries
                in (("evaluate", evaluate), ("perturb", perturb)) if entries]
    return tiny.spec(
        tiny.task(tiny.reviews(data), labels='["negative", "positive"]', sections=sections),
        tiny.model("gru", tiny.scratch("gru", hidden=16), max_length=24),
        tiny.model("lstm", tiny.scratch("lstm", hidden=16), max_length=24),
        finetune=tiny.finetune(tiny.full(2, lr="3e-3"), seeds=[0, 1]),
        metrics=tiny.metrics("accuracy", "f1", "ece", "brier",
                             confidence="bootstrap(n = 200)"),
        report=tiny.report("json", "markdown"))


def rows(out: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def first(tmp_path: Path, trained: list[int]) -> Iterator[tuple[Path, Path]]:
    """The spec with one perturbation, run once from an empty cache: (spec, out)."""
    spec = tiny.write(tmp_path, sentiment(tmp_path, {}, {"typos": "typos(rate = 20%)"}))
    assert tiny.run(spec, tmp_path / "out1", cache=tmp_path / "cache") == 0
    assert len(trained) == 4
    trained.clear()
    yield spec, tmp_path / "out1"


def test_a_perturbation_or_extra_set_added_later_trains_nothing(
        first: tuple[Path, Path], tmp_path: Path, trained: list[int]) -> None:
    spec, out1 = first
    spec.write_text(sentiment(tmp_path, {"other": tiny.reviews(tmp_path / "other.csv")},
                              {"typos": "typos(rate = 20%)",
                               "dropped": "drop_words(rate = 30%)"}), encoding="utf-8")
    out2 = tmp_path / "out2"
    assert tiny.run(spec, out2, cache=tmp_path / "cache") == 0
    assert trained == []  # nothing retrained
    log = (out2 / "run.log").read_text(encoding="utf-8")
    assert log.count("from the cache") == 4
    assert log.count("predicting other, dropped with its trained weights") == 4
    before, after = tiny.results(out1), tiny.results(out2)
    assert [c["digest"] for c in before["cells"]] == [c["digest"] for c in after["cells"]]
    for old, new in zip(before["cells"], after["cells"], strict=True):
        assert old["test"] == new["test"]
        assert rows(out1, old["evaluations"]["typos"]["predictions"]) == \
            rows(out2, new["evaluations"]["typos"]["predictions"])  # read back, unchanged
        assert list(new["evaluations"]) == ["other", "typos", "dropped"]
    summary = after["tasks"]["sentiment"]["evaluations"]
    assert list(summary) == ["other", "typos", "dropped"]
    assert summary["other"]["kind"] == "set" and summary["other"]["size"] == 60
    assert summary["dropped"]["description"] == "drop_words(rate = 0.3, seed = 0)"
    for name, evaluation in summary.items():
        for model, changes in evaluation["changes"].items():
            f1 = changes["f1"]
            assert f1["difference"] == pytest.approx(f1["evaluated"]["value"] -
                                                     f1["test"]["value"])
            assert f1["test"]["value"] == pytest.approx(
                after["tasks"]["sentiment"]["models"][model]["metrics"]["f1"]["mean"])
            assert (f1["p_value"] is None) == (name == "other")
        assert evaluation["most_robust"] in {"gru", "lstm"}
    assert "### Beyond the test split" in (out2 / "report.md").read_text(encoding="utf-8")


def test_a_changed_perturbation_predicts_again_and_only_it(
        first: tuple[Path, Path], tmp_path: Path, trained: list[int]) -> None:
    spec, out1 = first
    spec.write_text(sentiment(tmp_path, {}, {"typos": "typos(rate = 40%)"}), encoding="utf-8")
    out2 = tmp_path / "out2"
    assert tiny.run(spec, out2, cache=tmp_path / "cache") == 0
    assert trained == []
    assert (out2 / "run.log").read_text().count("predicting typos with its trained") == 4
    again = tiny.results(out2)["cells"][0]["evaluations"]["typos"]["predictions"]
    changed = tiny.results(out1)["cells"][0]["evaluations"]["typos"]["predictions"]
    assert rows(out1, changed) != rows(out2, again)


def test_perturbed_predictions_are_the_same_in_a_fresh_cache(
        first: tuple[Path, Path], tmp_path: Path) -> None:
    spec, out1 = first
    out2 = tmp_path / "out2"
    assert tiny.run(spec, out2, cache=tmp_path / "fresh") == 0  # trains again, same seeds
    cell = tiny.results(out1)["cells"][1]
    assert rows(out1, cell["evaluations"]["typos"]["predictions"]) == \
        rows(out2, tiny.results(out2)["cells"][1]["evaluations"]["typos"]["predictions"])


def test_a_cell_cached_without_weights_trains_again_for_a_new_evaluation(
        first: tuple[Path, Path], tmp_path: Path, trained: list[int]) -> None:
    spec, _ = first
    for weights in (tmp_path / "cache").glob("*/weights"):
        shutil.rmtree(weights)
    spec.write_text(sentiment(tmp_path, {}, {"typos": "typos(rate = 20%)",
                                              "plain": "strip_punctuation"}),
                    encoding="utf-8")
    assert tiny.run(spec, tmp_path / "out2", cache=tmp_path / "cache") == 0
    assert len(trained) == 4


def test_image_perturbations_through_the_predict_step(tmp_path: Path, run_tiny) -> None:
    spec = tiny.spec(
        tiny.task(tiny.builtin("digits"), name="digits", type="image_classification",
                  split=tiny.holdout(test="20%", validation="10%"),
                  sections=[tiny.section("perturb", noisy="gaussian_noise(std = 30%)",
                                         turned="rotate(degrees = 90)")]),
        tiny.model("small", tiny.scratch("resnet10t"), image_size=16),
        tiny.model("other", tiny.scratch("mobilenetv3_small_050"), image_size=16),
        finetune=tiny.finetune(tiny.full(3, lr="3e-3"), batch_size=64),
        metrics=tiny.metrics("accuracy", "ece", confidence="bootstrap(n = 200)"),
        report=tiny.report("json"))
    results = run_tiny(spec)
    task = results["tasks"]["digits"]
    turned = task["evaluations"]["turned"]
    for model, changes in turned["changes"].items():
        accuracy = changes["accuracy"]
        assert accuracy["difference"] < 0, model  # digits on their side are hard to read
        assert accuracy["interval"]["high"] < 0 and accuracy["p_value"] < 0.05
    assert turned["size"] == task["sizes"]["test"]
    first = task["disagreements"][0]
    assert first["input"]["image"].startswith("data:image/png;base64,")
    assert set(task["per_class"]["small"]) == set(task["labels"])


def test_an_extra_set_label_the_task_lacks_stops_the_run_before_training(
        tmp_path: Path, trained: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"sentence": ["fine", "meh", "awful"],
                             "label": ["positive", "neutral", "negative"]}),
                   tmp_path / "other.parquet")  # check does not read parquet labels
    text = sentiment(tmp_path, {"other": tiny.call(
        "parquet", tiny.quoted(tmp_path / "other.parquet"), text='"sentence"',
        label='"label"')}, {})
    spec = tiny.write(tmp_path, text)
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 3
    error = capsys.readouterr().err
    assert "other.parquet:2" in error and "`neutral`" in error and "`other`" in error
    assert trained == []


def test_plan_says_what_a_cached_cell_will_predict(
        first: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from evalspec.cli.main import main

    spec, _ = first
    spec.write_text(sentiment(tmp_path, {}, {"typos": "typos(rate = 20%)",
                                              "plain": "strip_punctuation"}),
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["plan", str(spec), "--cache-dir", str(tmp_path / "cache")]) == 0
    printed = capsys.readouterr().out
    assert "also evaluates: typos (perturbation), plain (perturbation)" in printed
    assert printed.count("cached; predicts plain") == 4


def test_audio_perturbations_through_the_predict_step(tmp_path: Path, run_tiny) -> None:
    from tests.execute import speech_data

    speech_data.tone_classes(tmp_path / "tones", {"train": 24, "validation": 6, "test": 10})
    splits = "".join(f"  {split} = audio({tiny.quoted(tmp_path / 'tones' / split)})\n"
                     for split in ("train", "validation", "test"))
    spec = ("evalspec 1\n\ntask tones {\n  type = audio_classification\n" + splits +
            "  perturb {\n    noisy = background_noise(snr = 0)\n    quiet = gain(db = -20)\n"
            "    fast = speed(factor = 1.5)\n  }\n}\n\n"
            "model gru {\n  source = scratch(gru, hidden = 16, layers = 1)\n}\n\n"
            "finetune {\n  stage s {\n    epochs = 3\n    lr = 3e-3\n  }\n}\n\n"
            "metrics {\n  accuracy\n}\n\nreport {\n  formats = [json]\n}\n")
    results = run_tiny(spec)
    evaluations = results["tasks"]["tones"]["evaluations"]
    assert list(evaluations) == ["noisy", "quiet", "fast"]
    assert all(e["size"] == 20 and e["kind"] == "perturbation" for e in evaluations.values())
    cell = results["cells"][0]
    rows = tiny.predictions(tmp_path / "out", {"predictions": cell["evaluations"]["noisy"][
        "predictions"]})
    assert len(rows) == 20 and {r["true"] for r in rows} == {"low", "high"}
