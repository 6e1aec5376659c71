"""`evalspec run` end to end on the CPU: specs in temporary folders, tiny real models, small
real data; the results document, predictions files, the CLI and its exit codes."""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from tests import tiny

Results = tiny.Results

MODELS = ["bert", "gpt2", "transformer", "lstm"]
TRANSFORMER = tiny.scratch("transformer", layers=1, hidden=32, heads=2)


def text_model(name: str, source: str, max_length: int = 32) -> str:
    return tiny.model(name, source, max_length=max_length)


def sentiment_spec(data_dir: Path, bert_dir: Path, gpt2_dir: Path) -> str:
    """The four text models, two seeds each, in two stages; many metrics."""
    return tiny.spec(
        tiny.task(tiny.reviews(data_dir / "reviews.csv"), positive=tiny.quoted("positive")),
        text_model("bert", tiny.path(bert_dir)), text_model("gpt2", tiny.path(gpt2_dir)),
        text_model("transformer", TRANSFORMER),
        text_model("lstm", tiny.scratch("lstm", hidden=32)),
        finetune=tiny.finetune(tiny.probe(2), tiny.full(schedule="linear(warmup = 25%)"),
                               batch_size=16, seeds=[0, 1]),
        metrics=tiny.metrics("accuracy", "f1", "auc", "log_loss", "params", "latency(batch = 2)",
                             "train_time", primary="accuracy",
                             confidence="bootstrap(n = 200, level = 90%)"))


predictions = tiny.predictions


@pytest.fixture(scope="module")
def sentiment(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, bert_dir: Path,
              gpt2_dir: Path) -> tuple[Results, Path]:
    """One run of the four text models, two seeds each; (results, output folder)."""
    folder = tmp_path_factory.mktemp("sentiment")
    spec = tiny.write(folder, sentiment_spec(data_dir, bert_dir, gpt2_dir), "sentiment.evalspec")
    return tiny.run_api(spec, folder / "out"), folder / "out"


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
            assert epoch["seconds"] >= 0 and epoch["examples_per_second"] > 0
        assert probe["best_epoch"] in (1, 2) and full["best_epoch"] == 1
        assert (probe["precision"], full["precision"]) == ("fp32", "fp32")  # auto on the CPU
        assert not probe["compiled"] and probe["compile_failure"] is None
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
def test_text_pairs(run_tiny: Callable[..., Results], data_dir: Path, bert_dir: Path,
                    tmp_path: Path) -> None:
    pairs = tiny.csv(data_dir / "pairs.csv", text="first", text_pair="second", label="label",
                     id="id")
    results = run_tiny(tiny.spec(
        tiny.task(pairs, name="same_sentiment", type="text_pair_classification",
                  split=tiny.holdout(seed=1)),
        text_model("bert", tiny.path(bert_dir), 48), text_model("transformer", TRANSFORMER, 48),
        finetune=tiny.finetune(tiny.full()),
        metrics=tiny.metrics("accuracy", f1="f1(average = macro)")))
    assert results["tasks"]["same_sentiment"]["labels"] == ["different", "same"]
    assert [c["model"] for c in results["cells"]] == ["bert", "transformer"]
    for cell in results["cells"]:
        assert len(predictions(tmp_path / "out", cell)) == 30
        assert 0 <= cell["test"]["f1"]["value"] <= 1


def test_image_classification(run_tiny: Callable[..., Results], resnet_weights: Path,
                              tmp_path: Path) -> None:
    results = run_tiny(tiny.spec(
        tiny.task(tiny.builtin("digits"), name="digits", type="image_classification",
                  split=tiny.holdout(test="20%", validation="10%")),
        tiny.model("pretrained", tiny.path(resnet_weights, arch="resnet10t"), image_size=32),
        tiny.model("scratch", tiny.scratch("resnet10t"), image_size=32),
        finetune=tiny.finetune(tiny.full(max_steps=3), batch_size=32),
        metrics=tiny.metrics("accuracy", f1="f1(average = macro)", primary="accuracy",
                             confidence="none")))
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


def test_text_regression_through_the_cli(data_dir: Path, bert_dir: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    ratings = tiny.csv(data_dir / "reviews.csv", text="sentence", target="rating", id="id")
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(ratings, name="rating", type="regression"),
        text_model("bert", tiny.path(bert_dir)),
        text_model("lstm", tiny.scratch("lstm", hidden=32)),
        finetune=tiny.finetune(tiny.probe(2)),
        metrics=tiny.metrics("rmse", "mae", "r2", primary="rmse",
                             confidence="bootstrap(n = 100)")))
    out = tmp_path / "out"
    assert tiny.run(spec, out) == 0
    printed = capsys.readouterr().out
    assert "rating: ranked by rmse" in printed
    assert "bert" in printed and "lstm" in printed and "verdict:" in printed
    results = tiny.results(out)
    for cell in results["cells"]:
        rows = predictions(out, cell)
        assert len(rows) == 30 and all("probabilities" not in r for r in rows)
        errors = [r["pred"] - r["true"] for r in rows]
        assert cell["test"]["rmse"]["value"] == pytest.approx(
            math.sqrt(np.mean(np.square(errors))))
        assert cell["test"]["mae"]["value"] == pytest.approx(np.mean(np.abs(errors)))


def test_tabular_regression(run_tiny: Callable[..., Results]) -> None:
    results = run_tiny(tiny.spec(
        tiny.task(tiny.builtin("diabetes"), name="diabetes", type="regression",
                  split=tiny.holdout(test="20%", validation="10%")),
        tiny.model("mlp", tiny.scratch("mlp", layers=2, hidden=32)),
        finetune=tiny.finetune(tiny.full(30, lr="1e-2"), batch_size=32),
        metrics=tiny.metrics("r2", "rmse", primary="r2", confidence="bootstrap(n = 100)")))
    (cell,) = results["cells"]
    assert cell["identity"]["details"]["inputs"] == 10
    assert cell["test"]["r2"]["value"] > 0.2  # it learned something real
    assert results["tasks"]["diabetes"]["leaderboard"][0]["model"] == "mlp"


# ------------------------------------------------------------------ early stopping
def test_early_stopping_restores_the_best_epoch(
        run_tiny: Callable[..., Results], review_rows: list[dict[str, str]], bert_dir: Path,
        tmp_path: Path) -> None:
    for name, rows in (("train", review_rows[:80]), ("validation", review_rows[80:90])):
        with (tmp_path / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    # the test split is the validation file, so test metrics show which weights were kept;
    # accuracy on 10 examples can rise at most 10 times, so 12 epochs must stop early
    results = run_tiny(tiny.spec(
        tiny.task(split=None, train=tiny.reviews("train.csv"),
                  validation=tiny.reviews("validation.csv"), test=tiny.reviews("validation.csv")),
        text_model("bert", tiny.path(bert_dir)),
        finetune=tiny.finetune(
            tiny.full(12, lr="3e-3", early_stop="patience(1, monitor = val.accuracy)"),
            batch_size=16),
        metrics=tiny.metrics("accuracy", "log_loss", confidence="none")))
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
        run_tiny: Callable[..., Results], data_dir: Path, bert_classifier_dir: Path,
        review_rows: list[dict[str, str]], tmp_path: Path) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    results = run_tiny(tiny.spec(  # no finetune block: the model as it is
        tiny.task(tiny.reviews(data_dir / "reviews.csv"), labels='["positive", "negative"]'),
        tiny.model("classifier", tiny.path(bert_classifier_dir), head="pretrained",
                   max_length=32),
        finetune=None, metrics=tiny.metrics(confidence="none")))
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
        bert_classifier_dir: Path, review_rows: list[dict[str, str]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    renamed = {"negative": "bad", "positive": "good"}
    with (tmp_path / "reviews.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "sentence", "label"],
                                lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**r, "label": renamed[r["label"]]} for r in review_rows)
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews("reviews.csv"), labels='["good", "bad"]', split=None),
        tiny.model("classifier", tiny.path(bert_classifier_dir), head="pretrained"),
        finetune=None))
    assert tiny.run(spec, tmp_path / "out") == 3
    error = capsys.readouterr().err
    assert "['negative', 'positive']" in error and "['good', 'bad']" in error
    assert "head = new" in error


# ------------------------------------------------------------------ options
def test_only_runs_the_named_model(data_dir: Path, bert_dir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews(data_dir / "reviews.csv")),
        text_model("bert", tiny.path(bert_dir)),
        text_model("lstm", tiny.scratch("lstm", hidden=16)),
        finetune=tiny.finetune(seeds=[0, 1]), metrics=tiny.metrics(confidence="none")))
    out = tmp_path / "out"
    assert tiny.run(spec, out, "--only", "lstm") == 0
    results = tiny.results(out)
    assert [(c["model"], c["seed"]) for c in results["cells"]] == [("lstm", 0), ("lstm", 1)]
    assert [r["model"] for r in results["tasks"]["sentiment"]["leaderboard"]] == ["lstm"]
    assert sorted(p.name for p in (out / "predictions").iterdir()) == [
        "sentiment__lstm__seed0.jsonl", "sentiment__lstm__seed1.jsonl"]
    capsys.readouterr()
    assert tiny.run(spec, out, "--only", "gpt") == 2
    assert "no such model" in capsys.readouterr().err


def test_the_same_spec_twice_gives_identical_results(data_dir: Path, bert_dir: Path,
                                                    tmp_path: Path) -> None:
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(tiny.reviews(data_dir / "reviews.csv"), split=tiny.holdout(seed=3)),
        text_model("bert", tiny.path(bert_dir)), text_model("transformer", TRANSFORMER),
        finetune=tiny.finetune(tiny.probe(), tiny.full()),
        metrics=tiny.metrics("accuracy", "auc", confidence="bootstrap(n = 100)")))
    first = tiny.run_api(spec, tmp_path / "first", cache_dir=tmp_path / "cache1")
    second = tiny.run_api(spec, tmp_path / "second", cache_dir=tmp_path / "cache2")  # again
    for a, b in zip(first["cells"], second["cells"], strict=True):
        assert a["test"] == b["test"]
        assert [s["epochs"][-1]["train_loss"] for s in a["stages"]] == \
            [s["epochs"][-1]["train_loss"] for s in b["stages"]]
        assert (tmp_path / "first" / a["predictions"]).read_bytes() == \
            (tmp_path / "second" / b["predictions"]).read_bytes()
