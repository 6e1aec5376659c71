"""Loading a task's data: every source kind, splits, labels and bad-row errors (no training)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import (
    Audio,
    Builtin,
    Conll,
    Csv,
    HfDataset,
    Holdout,
    Images,
    Jsonl,
    Parquet,
    Task,
)

ROOT = Path(__file__).resolve().parents[2]
REVIEWS = ROOT / "specs" / "data" / "movie_reviews.csv"
UNER = Path(__file__).parent / "data" / "uner_en_ewt_dev_50.iob2"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def holdout(**kwargs: Any) -> Holdout:
    return Holdout(fn="holdout", **kwargs)


def reviews_task(tmp_path: Path, **split: Any) -> Task:
    shutil.copy(REVIEWS, tmp_path / "reviews.csv")
    return Task(type="text_classification",
                data=Csv(fn="csv", path="reviews.csv", text="sentence", label="label",
                         id="id"),
                split=holdout(**split))


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",",
              encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)


def text_rows(labels: list[str]) -> list[list[Any]]:
    return [["text", "label"], *([f"example {i}", label] for i, label in enumerate(labels))]


def run_error(task: Task, base_dir: Path) -> RunError:
    with pytest.raises(RunError) as caught:
        load_task_data(task, base_dir)
    return caught.value


def all_ids(data: TaskData) -> list[str]:
    parts = [data.train, data.validation, data.test]
    return [i for part in parts if part for i in part.ids]


# --------------------------------------------------------------------------- csv and splits
def test_vendored_reviews_split_70_10_20(tmp_path: Path) -> None:
    data = load_task_data(reviews_task(tmp_path, test=0.2, validation=0.1, seed=7), tmp_path)
    assert data.sizes() == {"train": 840, "validation": 120, "test": 240}
    assert data.labels == ["negative", "positive"]
    assert sorted(all_ids(data), key=int) == sorted({*all_ids(data)}, key=int)  # disjoint
    assert len(set(all_ids(data))) == 1200
    assert set(data.train.inputs) == {"text"}
    assert all(isinstance(t, str) and t for t in data.test.inputs["text"])
    expected = hashlib.sha256(REVIEWS.read_bytes()).hexdigest()
    assert data.fingerprints == {"reviews.csv": expected}


def test_vendored_reviews_are_balanced_and_attributed() -> None:
    with REVIEWS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1200
    assert Counter(r["label"] for r in rows) == {"negative": 600, "positive": 600}
    assert all(abs(float(r["rating"])) >= 0.5 for r in rows)
    assert "Hutto" in (REVIEWS.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_split_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = load_task_data(reviews_task(tmp_path, seed=3), tmp_path)
    again = load_task_data(reviews_task(tmp_path, seed=3), tmp_path)
    other = load_task_data(reviews_task(tmp_path, seed=4), tmp_path)
    assert first.test.ids == again.test.ids and first.train.ids == again.train.ids
    assert first.validation and again.validation
    assert first.validation.ids == again.validation.ids
    assert set(first.test.ids) != set(other.test.ids)


def test_splits_keep_source_order(tmp_path: Path) -> None:
    data = load_task_data(reviews_task(tmp_path), tmp_path)
    for part in (data.train, data.validation, data.test):
        assert part is not None
        assert [int(i) for i in part.ids] == sorted(int(i) for i in part.ids)


def test_stratification_keeps_class_proportions(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["a"] * 300 + ["b"] * 100))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"),
                split=holdout(test=0.2, validation=0.1, seed=1, stratify=True))
    data = load_task_data(task, tmp_path)
    assert data.validation is not None
    for part, size in ((data.train, 280), (data.validation, 40), (data.test, 80)):
        assert len(part) == size
        assert Counter(part.targets) == {"a": size * 3 // 4, "b": size // 4}


def test_unstratified_split_has_the_same_sizes(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["a"] * 90 + ["b"] * 10))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"),
                split=holdout(test=0.2, validation=0.1, stratify=False))
    assert load_task_data(task, tmp_path).sizes() == {"train": 70, "validation": 10, "test": 20}


def test_no_validation_split(tmp_path: Path) -> None:
    data = load_task_data(reviews_task(tmp_path, test=0.25, validation=0.0), tmp_path)
    assert data.validation is None
    assert data.sizes() == {"train": 900, "validation": 0, "test": 300}


def test_stratify_with_too_few_members_names_the_class(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["a"] * 40 + ["rare"] * 2))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"))
    error = run_error(task, tmp_path)
    assert error.code == "ES307"
    assert "`rare` has 2" in str(error) and "stratify = false" in str(error)
    unstratified = task.model_copy(update={"split": holdout(stratify=False)})
    assert len(all_ids(load_task_data(unstratified, tmp_path))) == 42


def test_split_leaving_no_training_data(tmp_path: Path) -> None:
    write_csv(tmp_path / "d.csv", text_rows(["a", "b"]))
    task = Task(type="text_classification", data=Csv(fn="csv", path="d.csv"),
                split=holdout(stratify=False))
    error = run_error(task, tmp_path)
    assert error.code == "ES307" and "no training data" in str(error)


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


def test_explicit_splits_are_used_as_given(tmp_path: Path) -> None:
    for name, labels in (("train", ["a", "b"] * 5), ("val", ["a", "b"]), ("test", ["b"] * 3)):
        write_csv(tmp_path / f"{name}.csv", text_rows(labels))
    task = Task(type="text_classification", train=Csv(fn="csv", path="train.csv"),
                validation=Csv(fn="csv", path="val.csv"), test=Csv(fn="csv", path="test.csv"))
    data = load_task_data(task, tmp_path)
    assert data.sizes() == {"train": 10, "validation": 2, "test": 3}
    assert data.test.ids == ["test.csv:2", "test.csv:3", "test.csv:4"]
    assert set(data.fingerprints) == {"train.csv", "val.csv", "test.csv"}


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


def test_data_and_explicit_splits_conflict(tmp_path: Path) -> None:
    source = Csv(fn="csv", path="d.csv")
    error = run_error(Task(type="regression", data=source, test=source), tmp_path)
    assert error.code == "ES311"


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
    assert data.labels == ["B-LOC", "B-PER", "O"]


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


# --------------------------------------------------------------------------- images and audio
def make_images(root: Path, per_class: int = 3) -> None:
    for label, colour in (("cat", (200, 10, 10)), ("dog", (10, 10, 200))):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            Image.new("RGB", (6, 5), colour).save(root / label / f"{i}.png")


def test_images_folder(tmp_path: Path) -> None:
    make_images(tmp_path / "pics")
    (tmp_path / "pics" / "cat" / "notes.txt").write_text("not an image")
    source = Images(fn="images", dir="pics")
    data = load_task_data(Task(type="image_classification", train=source, test=source),
                          tmp_path)
    assert data.labels == ["cat", "dog"]
    assert data.train.ids == [f"{c}/{i}.png" for c in ("cat", "dog") for i in range(3)]
    assert data.train.targets == ["cat"] * 3 + ["dog"] * 3
    assert Path(data.train.inputs["image"][0]) == tmp_path / "pics" / "cat" / "0.png"
    before = data.fingerprints["pics"]
    Image.new("RGB", (6, 5), (0, 0, 0)).save(tmp_path / "pics" / "dog" / "0.png")
    after = load_task_data(Task(type="image_classification", train=source, test=source),
                           tmp_path).fingerprints["pics"]
    assert before != after


def test_corrupt_image_in_folder(tmp_path: Path) -> None:
    make_images(tmp_path / "pics")
    (tmp_path / "pics" / "dog" / "broken.png").write_bytes(b"\x89PNG not really")
    source = Images(fn="images", dir="pics")
    error = run_error(Task(type="image_classification", train=source, test=source), tmp_path)
    assert error.code == "ES501"
    assert str(error).startswith("pics/dog/broken.png: not a readable image")


def test_image_paths_in_csv_are_relative_to_the_csv(tmp_path: Path) -> None:
    make_images(tmp_path / "data" / "pics", per_class=4)
    rows = [["file", "kind"]] + [[f"pics/{c}/{i}.png", c] for c in ("cat", "dog")
                                 for i in range(4)]
    write_csv(tmp_path / "data" / "index.csv", rows)
    (tmp_path / "data" / "pics" / "cat" / "3.png").write_bytes(b"garbage")
    task = Task(type="image_classification",
                data=Csv(fn="csv", path="data/index.csv", image="file", label="kind"),
                split=holdout(stratify=False))
    error = run_error(task, tmp_path)
    assert str(error).startswith("data/index.csv:5: image `pics/cat/3.png`: not a readable")
    Image.new("RGB", (6, 5)).save(tmp_path / "data" / "pics" / "cat" / "3.png")
    data = load_task_data(task, tmp_path)
    assert len(all_ids(data)) == 8
    assert all(Path(p).is_file() for p in data.train.inputs["image"])
    assert "data/index.csv (image files)" in data.fingerprints


def test_audio_folder(tmp_path: Path) -> None:
    for label in ("yes", "no"):
        (tmp_path / "clips" / label).mkdir(parents=True)
        for i in range(2):
            (tmp_path / "clips" / label / f"{i}.wav").write_bytes(b"RIFF" + bytes(40))
        (tmp_path / "clips" / label / "x.FLAC").write_bytes(b"fLaC")
        (tmp_path / "clips" / label / "readme.md").write_text("skip me")
    source = Audio(fn="audio", dir="clips")
    data = load_task_data(Task(type="audio_classification", train=source, test=source),
                          tmp_path)
    assert data.labels == ["no", "yes"]
    assert data.train.ids == ["no/0.wav", "no/1.wav", "no/x.FLAC",
                              "yes/0.wav", "yes/1.wav", "yes/x.FLAC"]
    assert all(Path(p).is_file() for p in data.train.inputs["audio"])


# --------------------------------------------------------------------------- conll
def test_conll_excerpt_split_over_sentences(tmp_path: Path) -> None:
    shutil.copy(UNER, tmp_path / "ner.iob2")
    task = Task(type="token_classification",
                data=Conll(fn="conll", path="ner.iob2", token_column=1, tag_column=2),
                split=holdout(test=0.2, validation=0.1, seed=0, stratify=True))
    data = load_task_data(task, tmp_path)
    assert data.sizes() == {"train": 35, "validation": 5, "test": 10}
    assert data.labels == ["B-LOC", "I-LOC", "O"]
    whole = load_task_data(task.model_copy(update={"data": None, "train": task.data,
                                                   "test": task.data}), tmp_path)
    assert len(whole.train) == 50
    assert whole.train.ids[0] == "ner.iob2:4"  # three comment lines come first
    first = whole.train.inputs["tokens"][0]
    assert first[:4] == ["where", "can", "I", "get"] and len(first) == 24
    assert whole.train.targets[0][6:8] == ["B-LOC", "I-LOC"]
    assert all(len(t) == len(g) for t, g in zip(whole.train.inputs["tokens"],
                                                whole.train.targets, strict=True))


def test_conll_comments_hashtags_and_bad_lines(tmp_path: Path) -> None:
    (tmp_path / "t.conll").write_text("# a comment\n#blessed O\nParis B-LOC\n\n\n"
                                      "# sent 2\nAnn B-PER\nruns\n")
    source = Conll(fn="conll", path="t.conll")
    error = run_error(Task(type="token_classification", train=source, test=source), tmp_path)
    assert str(error).startswith("t.conll:8: needs a token in column 0 and a tag")
    (tmp_path / "t.conll").write_text("# a comment\n#blessed O\nParis B-LOC\n\n\n"
                                      "# sent 2\nAnn B-PER\n")
    data = load_task_data(Task(type="token_classification", train=source, test=source),
                          tmp_path)
    assert data.train.inputs["tokens"] == [["#blessed", "Paris"], ["Ann"]]
    assert data.train.ids == ["t.conll:2", "t.conll:7"]


# --------------------------------------------------------------------------- builtin
def test_builtin_digits_as_images(tmp_path: Path) -> None:
    task = Task(type="image_classification", data=Builtin(fn="builtin", name="digits"))
    data = load_task_data(task, tmp_path)
    assert data.labels == [str(d) for d in range(10)]
    assert sum(data.sizes().values()) == 1797
    image = data.train.inputs["image"][0]
    assert image.dtype == np.uint8 and image.shape == (8, 8)
    assert max(int(i.max()) for i in data.train.inputs["image"]) == 255
    assert data.train.ids[0].startswith("digits:")
    assert data.fingerprints["builtin:digits"].startswith("scikit-learn ")


def test_builtin_digits_as_features(tmp_path: Path) -> None:
    task = Task(type="text_classification", data=Builtin(fn="builtin", name="digits"))
    assert load_task_data(task, tmp_path).train.inputs["features"].shape[1] == 64


def test_builtin_breast_cancer_and_diabetes(tmp_path: Path) -> None:
    task = Task(type="text_classification", data=Builtin(fn="builtin", name="breast_cancer"))
    data = load_task_data(task, tmp_path)
    assert data.labels == ["benign", "malignant"]
    assert data.train.inputs["features"].shape == (398, 30)
    task = Task(type="regression", data=Builtin(fn="builtin", name="diabetes"))
    data = load_task_data(task, tmp_path)
    assert data.labels == [] and isinstance(data.train.targets[0], float)
    assert data.train.inputs["features"].dtype == np.float32


def test_builtin_errors(tmp_path: Path) -> None:
    error = run_error(Task(type="regression", data=Builtin(fn="builtin", name="diabetis")),
                      tmp_path)
    assert error.code == "ES409" and "did you mean `diabetes`?" in str(error)
    error = run_error(Task(type="image_classification",
                           data=Builtin(fn="builtin", name="wine")), tmp_path)
    assert error.code == "ES312"
