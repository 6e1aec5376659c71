"""`evalspec run` end to end on the CPU: specs in temporary folders, tiny real models, small
real data; the results document, predictions files, the CLI and its exit codes."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from evalspec.cli.main import main

Results = dict[str, Any]

SENTIMENT = """
task sentiment {
  type     = text_classification
  data     = csv({data}, text = "sentence", label = "label", id = "id")
  positive = "positive"
  split    = holdout(test = 25%, validation = 25%, seed = 0)
}
model bert {
  source     = path({bert})
  max_length = 32
}
model gpt2 {
  source     = path({gpt2})
  max_length = 32
}
model transformer {
  source     = scratch(transformer, layers = 1, hidden = 32, heads = 2)
  max_length = 32
}
model lstm {
  source     = scratch(lstm, hidden = 32)
  max_length = 32
}
finetune {
  batch_size = 16
  seeds      = [0, 1]
  stage probe {
    train  = head
    epochs = 2
    lr     = 1e-2
  }
  stage full {
    train    = all
    epochs   = 1
    lr       = 1e-3
    schedule = linear(warmup = 25%)
  }
}
metrics {
  accuracy
  f1
  auc
  log_loss
  params
  latency(batch = 2)
  train_time
  primary    = accuracy
  confidence = bootstrap(n = 200, level = 90%)
}
"""

MODELS = ["bert", "gpt2", "transformer", "lstm"]


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def predictions(out: Path, cell: dict[str, Any]) -> list[dict[str, Any]]:
    return read_rows(out / cell["predictions"])


def cli(spec: Path, out: Path, *flags: str) -> int:
    return main(["run", str(spec), "--device", "cpu", "--out", str(out), *flags])


@pytest.fixture(scope="module")
def sentiment(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, bert_dir: Path,
              gpt2_dir: Path, run_spec: Callable[..., Results]) -> tuple[Results, Path]:
    """One run of the four text models, two seeds each; (results, output folder)."""
    folder = tmp_path_factory.mktemp("sentiment")
    spec = folder / "sentiment.evalspec"
    text = SENTIMENT
    for key, path in (("data", data_dir / "reviews.csv"), ("bert", bert_dir), ("gpt2", gpt2_dir)):
        text = text.replace("{" + key + "}", json.dumps(str(path)))
    spec.write_text("evalspec 1\n" + text, encoding="utf-8")
    return run_spec(spec, folder / "out"), folder / "out"


# ------------------------------------------------------------------ text classification
def test_every_model_and_seed_is_a_cell(sentiment: tuple[Results, Path]) -> None:
    results, _ = sentiment
    assert results["complete"] is True and results["finished"]
    assert [(c["model"], c["seed"]) for c in results["cells"]] == [
        (m, s) for m in MODELS for s in (0, 1)]
    assert len({c["digest"] for c in results["cells"]}) == 8
    pooling = {c["model"]: c["identity"]["details"]["pooling"] for c in results["cells"]}
    assert pooling == {"bert": "cls", "gpt2": "last", "transformer": "mean", "lstm": "mean"}
    assert results["tasks"]["sentiment"]["sizes"] == {"train": 60, "validation": 30, "test": 30}


def test_stages_run_in_order_with_per_epoch_curves(sentiment: tuple[Results, Path]) -> None:
    results, _ = sentiment
    for cell in results["cells"]:
        probe, full = cell["stages"]
        assert (probe["name"], probe["train"], full["name"], full["train"]) == \
            ("probe", "head", "full", "all")
        assert probe["backbone_passes"] == 2  # cached features: train and validation once
        assert full["backbone_passes"] == 2  # one epoch: train and validation
        assert probe["trainable_params"] == cell["cost"]["params"]["head"]
        assert full["trainable_params"] == cell["cost"]["params"]["total"]
        assert [e["epoch"] for e in probe["epochs"]] == [1, 2]
        for epoch in probe["epochs"] + full["epochs"]:
            assert math.isfinite(epoch["train_loss"]) and math.isfinite(epoch["val_loss"])
            assert set(epoch["val"]) == {"accuracy", "f1", "auc", "log_loss"}
            assert epoch["seconds"] >= 0
        assert probe["best_epoch"] in (1, 2) and full["best_epoch"] == 1
        assert not probe["stopped_early"] and not full["stopped_early"]


def test_test_metrics_have_intervals_and_match_the_predictions(
        sentiment: tuple[Results, Path]) -> None:
    results, out = sentiment
    for cell in results["cells"]:
        test = cell["test"]
        assert set(test) == {"accuracy", "f1", "auc", "log_loss"}
        for value in test.values():
            interval = value["interval"]
            assert interval["level"] == 0.9 and interval["n"] == 200
            assert interval["low"] <= value["value"] <= interval["high"]
        rows = predictions(out, cell)
        correct = [r["pred"] == r["true"] for r in rows]
        assert test["accuracy"]["value"] == pytest.approx(np.mean(correct))
        log_loss = -np.mean([math.log(r["probabilities"][["negative", "positive"].index(
            r["true"])]) for r in rows])
        assert test["log_loss"]["value"] == pytest.approx(log_loss, rel=1e-6)


def test_predictions_files_hold_one_row_per_test_example(
        sentiment: tuple[Results, Path], review_rows: list[dict[str, str]]) -> None:
    results, out = sentiment
    labels = results["tasks"]["sentiment"]["labels"]
    assert labels == ["negative", "positive"]
    truth = {r["id"]: r["label"] for r in review_rows}
    test_ids = None
    for cell in results["cells"]:
        rows = predictions(out, cell)
        assert len(rows) == 30
        ids = [r["id"] for r in rows]
        assert len(set(ids)) == 30 and (test_ids is None or ids == test_ids)
        test_ids = ids
        for row in rows:
            assert row["true"] == truth[row["id"]]
            assert sum(row["probabilities"]) == pytest.approx(1.0)
            assert row["pred"] == labels[int(np.argmax(row["probabilities"]))]


def test_cost_and_provenance(sentiment: tuple[Results, Path]) -> None:
    results, _ = sentiment
    for cell in results["cells"]:
        cost = cell["cost"]
        params = cost["params"]
        assert params["total"] == params["backbone"] + params["head"] > 0
        latency = cost["latency"]["latency"]  # keyed by the metric's name in the spec
        assert latency["batch"] == 2 and 0 < latency["p50"] <= latency["p95"]
        assert cost["train_time"]["seconds"] > 0
    environment = results["environment"]
    assert environment["device"] == "cpu"
    for package in ("torch", "transformers", "timm", "numpy", "scikit-learn", "evalspec"):
        assert environment["versions"][package]
    spec = results["spec"]
    assert spec["sha256"] == hashlib.sha256(spec["text"].encode()).hexdigest()
    assert results["plan_digest"] and results["primary"] == "accuracy"
    assert list(results["tasks"]["sentiment"]["fingerprints"].values())[0]
    bert = next(c for c in results["cells"] if c["model"] == "bert")
    assert "model.safetensors" in bert["identity"]["details"]["weights_sha256"]


def test_the_leaderboard_aggregates_seeds(sentiment: tuple[Results, Path]) -> None:
    results, _ = sentiment
    summary = results["tasks"]["sentiment"]
    by_cell = {(c["model"], c["seed"]): c["test"]["accuracy"]["value"] for c in results["cells"]}
    for model in MODELS:
        accuracy = summary["models"][model]["metrics"]["accuracy"]
        seeds = [by_cell[(model, 0)], by_cell[(model, 1)]]
        assert [s["value"] for s in accuracy["per_seed"]] == pytest.approx(seeds)
        assert accuracy["mean"] == pytest.approx(np.mean(seeds))
    board = summary["leaderboard"]
    assert [row["rank"] for row in board] == [1, 2, 3, 4]
    assert sorted(row["model"] for row in board) == sorted(MODELS)
    means = [row["value"]["value"] for row in board]
    assert means == sorted(means, reverse=True)
    assert all(len(row["value"]["detail"]["per_seed"]) == 2 for row in board)
    assert board[0]["tied_for_first"] is True


# ------------------------------------------------------------------ other task types
def test_text_pairs(write_spec: Callable[..., Path], run_spec: Callable[..., Results],
                    data_dir: Path, bert_dir: Path, tmp_path: Path) -> None:
    spec = write_spec("""
task same_sentiment {
  type  = text_pair_classification
  data  = csv({pairs}, text = "first", text_pair = "second", label = "label", id = "id")
  split = holdout(test = 25%, validation = 25%, seed = 1)
}
model bert {
  source     = path({bert})
  max_length = 48
}
model transformer {
  source     = scratch(transformer, layers = 1, hidden = 32, heads = 2)
  max_length = 48
}
finetune {
  stage full {
    train  = all
    epochs = 1
    lr     = 1e-3
  }
}
metrics {
  accuracy
  f1 = f1(average = macro)
}
""", pairs=data_dir / "pairs.csv", bert=bert_dir)
    results = run_spec(spec, tmp_path / "out")
    assert results["tasks"]["same_sentiment"]["labels"] == ["different", "same"]
    assert [c["model"] for c in results["cells"]] == ["bert", "transformer"]
    for cell in results["cells"]:
        assert len(predictions(tmp_path / "out", cell)) == 30
        assert 0 <= cell["test"]["f1"]["value"] <= 1


def test_image_classification(write_spec: Callable[..., Path],
                              run_spec: Callable[..., Results], resnet_weights: Path,
                              tmp_path: Path) -> None:
    spec = write_spec("""
task digits {
  type  = image_classification
  data  = builtin("digits")
  split = holdout(test = 20%, validation = 10%, seed = 0)
}
model pretrained {
  source     = path({weights}, arch = "resnet10t")
  image_size = 32
}
model scratch {
  source     = scratch(resnet10t)
  image_size = 32
}
finetune {
  batch_size = 32
  stage full {
    train     = all
    epochs    = 1
    lr        = 1e-3
    max_steps = 3
  }
}
metrics {
  accuracy
  f1 = f1(average = macro)
  primary    = accuracy
  confidence = none
}
""", weights=resnet_weights)
    results = run_spec(spec, tmp_path / "out")
    task = results["tasks"]["digits"]
    assert task["labels"] == [str(d) for d in range(10)]
    pretrained, scratch = results["cells"]
    details = pretrained["identity"]["details"]
    assert details["architecture"] == "resnet10t" and details["image_size"] == 32
    assert details["mean"] == pytest.approx([0.485, 0.456, 0.406])  # from timm's config
    digest = hashlib.sha256(resnet_weights.read_bytes()).hexdigest()
    assert list(details["weights_sha256"].values()) == [digest]
    assert scratch["identity"]["source"] == "scratch"
    for cell in results["cells"]:
        rows = predictions(tmp_path / "out", cell)
        assert len(rows) == task["sizes"]["test"]
        assert all(len(r["probabilities"]) == 10 for r in rows)
        assert cell["test"]["accuracy"]["interval"] is None  # confidence = none
        assert cell["stages"][0]["epochs"][0]["val"]["accuracy"] is not None


def test_text_regression_through_the_cli(write_spec: Callable[..., Path], data_dir: Path,
                                         bert_dir: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec("""
task rating {
  type  = regression
  data  = csv({data}, text = "sentence", target = "rating", id = "id")
  split = holdout(test = 25%, validation = 25%, seed = 0)
}
model bert {
  source     = path({bert})
  max_length = 32
}
model lstm {
  source     = scratch(lstm, hidden = 32)
  max_length = 32
}
finetune {
  stage probe {
    train  = head
    epochs = 2
    lr     = 1e-2
  }
}
metrics {
  rmse
  mae
  r2
  primary    = rmse
  confidence = bootstrap(n = 100)
}
""", data=data_dir / "reviews.csv", bert=bert_dir)
    out = tmp_path / "out"
    assert cli(spec, out) == 0
    printed = capsys.readouterr().out
    assert "rating: ranked by rmse" in printed
    assert "bert" in printed and "lstm" in printed and "verdict:" in printed
    results = json.loads((out / "results.json").read_text())
    for cell in results["cells"]:
        rows = predictions(out, cell)
        assert len(rows) == 30 and all("probabilities" not in r for r in rows)
        errors = [r["pred"] - r["true"] for r in rows]
        assert cell["test"]["rmse"]["value"] == pytest.approx(
            math.sqrt(np.mean(np.square(errors))))
        assert cell["test"]["mae"]["value"] == pytest.approx(np.mean(np.abs(errors)))


def test_tabular_regression(write_spec: Callable[..., Path], run_spec: Callable[..., Results],
                            tmp_path: Path) -> None:
    spec = write_spec("""
task diabetes {
  type  = regression
  data  = builtin("diabetes")
  split = holdout(test = 20%, validation = 10%, seed = 0)
}
model mlp {
  source = scratch(mlp, layers = 2, hidden = 32)
}
finetune {
  batch_size = 32
  stage full {
    train  = all
    epochs = 30
    lr     = 1e-2
  }
}
metrics {
  r2
  rmse
  primary    = r2
  confidence = bootstrap(n = 100)
}
""")
    results = run_spec(spec, tmp_path / "out")
    (cell,) = results["cells"]
    assert cell["identity"]["details"]["inputs"] == 10
    assert cell["test"]["r2"]["value"] > 0.2  # it learned something real
    assert results["tasks"]["diabetes"]["leaderboard"][0]["model"] == "mlp"


# ------------------------------------------------------------------ early stopping
def test_early_stopping_restores_the_best_epoch(
        write_spec: Callable[..., Path], run_spec: Callable[..., Results],
        review_rows: list[dict[str, str]], bert_dir: Path, tmp_path: Path) -> None:
    for name, rows in (("train", review_rows[:80]), ("validation", review_rows[80:90])):
        with (tmp_path / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    # the test split is the validation file, so test metrics show which weights were kept;
    # accuracy on 10 examples can rise at most 10 times, so 12 epochs must stop early
    spec = write_spec("""
task sentiment {
  type       = text_classification
  train      = csv("train.csv", text = "sentence", label = "label", id = "id")
  validation = csv("validation.csv", text = "sentence", label = "label", id = "id")
  test       = csv("validation.csv", text = "sentence", label = "label", id = "id")
}
model bert {
  source     = path({bert})
  max_length = 32
}
finetune {
  batch_size = 16
  stage full {
    train      = all
    epochs     = 12
    lr         = 3e-3
    early_stop = patience(1, monitor = val.accuracy)
  }
}
metrics {
  accuracy
  log_loss
  confidence = none
}
""", bert=bert_dir)
    results = run_spec(spec, tmp_path / "out")
    (stage,) = results["cells"][0]["stages"]
    epochs = stage["epochs"]
    assert stage["stopped_early"] is True and len(epochs) < 12
    accuracies = [e["val"]["accuracy"] for e in epochs]
    best = stage["best_epoch"]
    assert best == int(np.argmax(accuracies)) + 1  # the first epoch with the best accuracy
    assert accuracies[-1] <= accuracies[best - 1]  # the last epoch did not improve
    test = results["cells"][0]["test"]
    assert test["accuracy"]["value"] == pytest.approx(accuracies[best - 1])
    assert test["log_loss"]["value"] == pytest.approx(epochs[best - 1]["val_loss"], abs=1e-5)
    assert epochs[-1]["val_loss"] != pytest.approx(epochs[best - 1]["val_loss"], abs=1e-4)


# ------------------------------------------------------------------ head = pretrained
def test_pretrained_head_maps_its_labels_to_the_tasks_order(
        write_spec: Callable[..., Path], run_spec: Callable[..., Results], data_dir: Path,
        bert_classifier_dir: Path, review_rows: list[dict[str, str]], tmp_path: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    spec = write_spec("""
task sentiment {
  type   = text_classification
  data   = csv({data}, text = "sentence", label = "label", id = "id")
  labels = ["positive", "negative"]
  split  = holdout(test = 25%, validation = 25%, seed = 0)
}
model classifier {
  source     = path({model})
  head       = pretrained
  max_length = 32
}
metrics {
  accuracy
  confidence = none
}
""", data=data_dir / "reviews.csv", model=bert_classifier_dir)
    results = run_spec(spec, tmp_path / "out")  # no finetune block: the model as it is
    (cell,) = results["cells"]
    assert cell["stages"] == []
    assert cell["identity"]["details"]["label_columns"] == [1, 0]
    rows = predictions(tmp_path / "out", cell)
    sentence = {r["id"]: r["sentence"] for r in review_rows}
    tokenizer = AutoTokenizer.from_pretrained(bert_classifier_dir)
    model = AutoModelForSequenceClassification.from_pretrained(bert_classifier_dir).eval()
    batch = tokenizer([sentence[r["id"]] for r in rows], padding=True, truncation=True,
                      max_length=32, return_tensors="pt")
    with torch.inference_mode():
        theirs = torch.softmax(model(**batch).logits.double(), dim=-1).numpy()
    ours = np.array([r["probabilities"] for r in rows])
    np.testing.assert_allclose(ours, theirs[:, [1, 0]], atol=1e-5)
    assert [r["pred"] for r in rows] == [["positive", "negative"][i] for i in ours.argmax(1)]


def test_pretrained_head_with_other_labels_exits_3_naming_both_sets(
        write_spec: Callable[..., Path], bert_classifier_dir: Path,
        review_rows: list[dict[str, str]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    renamed = {"negative": "bad", "positive": "good"}
    with (tmp_path / "reviews.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "sentence", "label"],
                                lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**r, "label": renamed[r["label"]]} for r in review_rows)
    spec = write_spec("""
task sentiment {
  type   = text_classification
  data   = csv("reviews.csv", text = "sentence", label = "label", id = "id")
  labels = ["good", "bad"]
}
model classifier {
  source = path({model})
  head   = pretrained
}
metrics {
  accuracy
}
""", model=bert_classifier_dir)
    assert cli(spec, tmp_path / "out") == 3
    error = capsys.readouterr().err
    assert "['negative', 'positive']" in error and "['good', 'bad']" in error
    assert "head = new" in error


# ------------------------------------------------------------------ options
def test_only_runs_the_named_model(write_spec: Callable[..., Path], data_dir: Path,
                                   bert_dir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec("""
task sentiment {
  type  = text_classification
  data  = csv({data}, text = "sentence", label = "label", id = "id")
  split = holdout(test = 25%, validation = 25%, seed = 0)
}
model bert {
  source     = path({bert})
  max_length = 32
}
model lstm {
  source     = scratch(lstm, hidden = 16)
  max_length = 32
}
finetune {
  seeds = [0, 1]
  stage probe {
    train  = head
    epochs = 1
    lr     = 1e-2
  }
}
metrics {
  accuracy
  confidence = none
}
""", data=data_dir / "reviews.csv", bert=bert_dir)
    out = tmp_path / "out"
    assert cli(spec, out, "--only", "lstm") == 0
    results = json.loads((out / "results.json").read_text())
    assert [(c["model"], c["seed"]) for c in results["cells"]] == [("lstm", 0), ("lstm", 1)]
    assert [r["model"] for r in results["tasks"]["sentiment"]["leaderboard"]] == ["lstm"]
    assert sorted(p.name for p in (out / "predictions").iterdir()) == [
        "sentiment__lstm__seed0.jsonl", "sentiment__lstm__seed1.jsonl"]
    capsys.readouterr()
    assert cli(spec, out, "--only", "gpt") == 2
    assert "no such model" in capsys.readouterr().err


def test_the_same_spec_twice_gives_identical_results(
        write_spec: Callable[..., Path], run_spec: Callable[..., Results], data_dir: Path,
        bert_dir: Path, tmp_path: Path) -> None:
    spec = write_spec("""
task sentiment {
  type  = text_classification
  data  = csv({data}, text = "sentence", label = "label", id = "id")
  split = holdout(test = 25%, validation = 25%, seed = 3)
}
model bert {
  source     = path({bert})
  max_length = 32
}
model transformer {
  source     = scratch(transformer, layers = 1, hidden = 32, heads = 2)
  max_length = 32
}
finetune {
  stage probe {
    train  = head
    epochs = 1
    lr     = 1e-2
  }
  stage full {
    train  = all
    epochs = 1
    lr     = 1e-3
  }
}
metrics {
  accuracy
  auc
  confidence = bootstrap(n = 100)
}
""", data=data_dir / "reviews.csv", bert=bert_dir)
    first = run_spec(spec, tmp_path / "first", cache_dir=tmp_path / "cache1")
    second = run_spec(spec, tmp_path / "second", cache_dir=tmp_path / "cache2")  # trains again
    for a, b in zip(first["cells"], second["cells"], strict=True):
        assert a["test"] == b["test"]
        assert [s["epochs"][-1]["train_loss"] for s in a["stages"]] == \
            [s["epochs"][-1]["train_loss"] for s in b["stages"]]
        assert (tmp_path / "first" / a["predictions"]).read_bytes() == \
            (tmp_path / "second" / b["predictions"]).read_bytes()
