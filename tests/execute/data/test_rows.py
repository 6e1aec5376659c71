"""Tabular rows into examples: CSV, JSON Lines, Parquet and Hugging Face datasets;
labels, regression targets and features, and bad rows named by file and row."""

from __future__ import annotations

import json
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Csv, HfDataset, Jsonl, Parquet, Task
from tests.execute.data.tasks import all_ids, holdout, reviews_task, run_error, text_rows, write_csv
from tests.tiny import REVIEWS


# --------------------------------------------------------------------------- csv and labels
def test_csv_with_bom_delimiter_and_row_ids(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", [["words", "y"], ["good", "pos"], ["bad", "neg"]],
              delimiter=";", encoding="utf-8-sig")
    task = Task(type="text_classification",
                train=Csv(fn="csv", path="d.csv", delimiter=";", text="words", label="y"),
                test=Csv(fn="csv", path="d.csv", delimiter=";", text="words", label="y"))
    data = load_task_data(task, tmp_path)
    assert data.train.ids == ["d.csv:2", "d.csv:3"]  # the header is row 1
    assert data.train.inputs["text"] == ["good", "bad"]
    assert data.labels == ["neg", "pos"]
    assert data.validation is None


def test_paths_are_relative_to_the_spec_folder(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    task = reviews_task(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert len(all_ids(load_task_data(task, tmp_path))) == 1200


def test_labels_declared_keep_their_order(tmp_path: Path) -> None:
    task = reviews_task(tmp_path).model_copy(update={"labels": ["positive", "negative"]})
    assert load_task_data(task, tmp_path).labels == ["positive", "negative"]


def test_undeclared_label_names_file_and_row(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["pos", "neg", "neutral", "pos"]))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"),
                labels=["neg", "pos"])
    error = run_error(task, tmp_path)
    assert error.code == "ES501"
    assert str(error).startswith("d.csv:4: label `neutral` is not among the declared labels")


def test_a_column_named_twice_is_refused_not_read_from_its_last_copy(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", [["id", "text", "text", "label"], ["1", "a", "b", "pos"]])
    task = Task(type="text_classification", train=Csv(fn="csv", path="d.csv"),
                test=Csv(fn="csv", path="d.csv"))
    error = run_error(task, tmp_path)
    assert error.code == "ES408"
    assert str(error) == ("d.csv: the header names column `text` twice (columns 2 and 3); "
                          "rename one so that each column has its own name")


def test_inferred_labels_come_from_train(tmp_path: Path) -> None:
    write_csv(tmp_path / "train.csv", text_rows(["a", "b", "a"]))
    write_csv(tmp_path / "test.csv", text_rows(["a", "c"]))
    task = Task(type="text_classification", train=Csv(fn="csv", path="train.csv"),
                test=Csv(fn="csv", path="test.csv"))
    error = run_error(task, tmp_path)
    assert "test.csv:3: label `c` does not occur in the training data" in str(error)


# --------------------------------------------------------------------------- bad rows
@pytest.mark.parametrize(("rows", "task_type", "columns", "expected"), [
    ([["text", "label"], ["fine", "a"], ["", "b"]], "text_classification", {},
     "d.csv:3: empty text in column `text`"),
    ([["text", "label"], ["fine", "a"], ["also fine", " "]], "text_classification", {},
     "d.csv:3: empty label in column `label`"),
    ([["text", "target"], ["fine", "1.5"], ["bad", "high"]], "regression", {},
     "d.csv:3: target `high` in column `target` is not a number"),
    ([["text", "target"], ["fine", "1.5"], ["bad", "nan"]], "regression", {},
     "d.csv:3: target `nan` in column `target` is not a finite number"),
    ([["file", "label"], ["missing.png", "a"]], "image_classification", {"image": "file"},
     "d.csv:2: image file `missing.png` not found"),
    ([["x", "y", "target"], ["1", "2", "3"], ["1", "", "3"]], "regression", {},
     "d.csv:3: feature column `y` is empty"),
    ([["text", "label"], ["fine", "a", "extra"]], "text_classification", {},
     "d.csv:2: 3 fields but the header has 2"),
])
def test_bad_row_names_file_and_row(tmp_path: Path, rows: list[list[Any]], task_type: str,
                                    columns: dict[str, str], expected: str) -> None:
    write_csv(tmp_path / "d.csv", rows)
    source = Csv(fn="csv", path="d.csv", **columns)
    error = run_error(Task(type=task_type, train=source, test=source), tmp_path)
    assert error.code == "ES501"
    assert str(error).startswith(expected)


def test_many_bad_rows_are_reported_together(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["a", "", "b", "", "", "", "", "", "a"]))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"))
    message = str(run_error(task, tmp_path))
    assert message.startswith("6 bad data rows, the first 5 shown")
    assert [line.split(":")[1] for line in message.splitlines()[1:]] == ["3", "5", "6", "7", "8"]


def test_duplicate_ids(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", [["key", "text", "label"], ["k1", "x", "a"],
                                   ["k1", "y", "b"]])
    source = Csv(fn="csv", path="d.csv", id="key")
    error = run_error(Task(type="text_classification", train=source, test=source), tmp_path)
    assert "d.csv:3: duplicate id `k1` (also at d.csv:2)" in str(error)


def test_missing_file_and_column(tmp_path: Path) -> None:
    task = Task(type="text_classification", data=Csv(fn="csv", path="nowhere.csv"))
    error = run_error(task, tmp_path)
    assert error.code == "ES401" and str(error).startswith("nowhere.csv: file not found")
    write_csv(tmp_path / "d.csv", [["sentence", "label"], ["x", "a"]])
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv", text="sentense"))
    error = run_error(task, tmp_path)
    assert error.code == "ES403" and "did you mean `sentence`?" in str(error)


# --------------------------------------------------------------------------- regression
def test_text_regression_on_the_rating_column(tmp_path: Path) -> None:
    shutil.copy(REVIEWS, tmp_path / "reviews.csv")
    task = Task(type="regression",
                data=Csv(fn="csv", path="reviews.csv", text="sentence", target="rating"))
    data = load_task_data(task, tmp_path)
    assert data.labels == []
    assert len(data.train) == 840 and set(data.train.inputs) == {"text"}
    assert all(isinstance(t, float) and abs(t) >= 0.5 for t in data.train.targets)


def test_tabular_features_are_the_other_numeric_columns(tmp_path: Path) -> None:
    rows = [["id", "name", "a", "b", "y"]]
    rows += [[i, f"n{i}", i * 0.5, -i, i * 2] for i in range(20)]
    write_csv(tmp_path / "d.csv", rows)
    task = Task(type="regression", data=Csv(fn="csv", path="d.csv", target="y"),
                split=holdout(test=0.25, validation=0.0, seed=0))
    data = load_task_data(task, tmp_path)
    features = data.train.inputs["features"]
    assert features.dtype == np.float32 and features.shape == (15, 2)  # id, name, y left out
    first = int(data.train.ids[0].split(":")[1]) - 2
    assert features[0].tolist() == [first * 0.5, -first]
    assert data.train.targets[0] == first * 2.0


# --------------------------------------------------------------------------- jsonl, parquet, hf
def test_jsonl_with_integer_labels_and_token_lists(tmp_path: Path) -> None:
    lines = [{"t": "good", "y": 1}, {"t": "bad", "y": 0}, {"t": "ok", "y": 1}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    source = Jsonl(fn="jsonl", path="d.jsonl", text="t", label="y")
    data = load_task_data(Task(type="text_classification", train=source, test=source),
                          tmp_path)
    assert data.labels == ["0", "1"] and data.train.targets == ["1", "0", "1"]
    assert data.train.ids == ["d.jsonl:1", "d.jsonl:2", "d.jsonl:3"]

    sentences = [{"tokens": ["Paris", "is", "big"], "tags": ["B-LOC", "O", "O"]},
                 {"tokens": "Ann runs", "tags": "B-PER O"}]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(x) for x in sentences))
    source = Jsonl(fn="jsonl", path="t.jsonl")
    data = load_task_data(Task(type="token_classification", train=source, test=source),
                          tmp_path)
    assert data.train.inputs["tokens"][1] == ["Ann", "runs"]
    assert data.labels == ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]


def test_jsonl_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "a", "label": "x"}\nnot json\n[1]\n'
                                      '{"text": "b"}\n{"tokens": ["a"], "tags": ["O", "O"]}\n')
    source = Jsonl(fn="jsonl", path="d.jsonl")
    message = str(run_error(Task(type="text_classification", train=source, test=source),
                            tmp_path))
    assert "d.jsonl:2: not valid JSON" in message
    assert "d.jsonl:3: not a JSON object" in message
    assert "d.jsonl:4: empty label in column `label`" in message


def test_parquet_without_pyarrow_names_the_install(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    source = Parquet(fn="parquet", path="d.parquet")
    error = run_error(Task(type="text_classification", train=source, test=source), tmp_path)
    assert "pip install pyarrow" in str(error)


def test_parquet_with_pyarrow(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"text": ["a", "b", "c"], "label": [1, 0, 1]}),
                   tmp_path / "d.parquet")
    source = Parquet(fn="parquet", path="d.parquet")
    data = load_task_data(Task(type="text_classification", train=source, test=source),
                          tmp_path)
    assert data.train.targets == ["1", "0", "1"] and data.train.ids[0] == "d.parquet:1"


def test_hf_dataset_without_datasets_names_the_install(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    source = HfDataset(fn="hf_dataset", name="imdb")
    error = run_error(Task(type="text_classification", train=source, test=source), tmp_path)
    assert "pip install datasets" in str(error) and "imdb" in str(error)


class _ClassLabel:
    def __init__(self, names: list[str]):
        self.names = names

    def int2str(self, index: int) -> str:
        return self.names[index]


class _FakeDataset:
    column_names = ["sentence", "label"]
    features = {"sentence": object(), "label": _ClassLabel(["neg", "pos"])}
    _fingerprint = "abc123"

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter([{"sentence": "fine", "label": 1}, {"sentence": "awful", "label": 0}])


def test_hf_dataset_through_the_datasets_library(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def load_dataset(name: str, config: str | None, split: str) -> _FakeDataset:
        calls.append((name, config, split))
        return _FakeDataset()

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    task = Task(type="text_classification",
                train=HfDataset(fn="hf_dataset", name="org/sst", split="train", text="sentence"),
                test=HfDataset(fn="hf_dataset", name="org/sst", split="test", text="sentence"))
    data = load_task_data(task, tmp_path)
    assert calls == [("org/sst", None, "train"), ("org/sst", None, "test")]
    assert data.train.targets == ["pos", "neg"] and data.labels == ["neg", "pos"]
    assert data.train.ids == ["org/sst[train]:0", "org/sst[train]:1"]
    assert data.fingerprints["hf_dataset:org/sst/default/train"] == "abc123"
