"""Dividing one source into train, validation and test: sizes, seeds, order,
stratification, explicit split files, and splits that cannot work."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Csv, Task
from tests.execute.data.tasks import all_ids, holdout, reviews_task, run_error, text_rows, write_csv
from tests.tiny import REVIEWS


# --------------------------------------------------------------------------- splits
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


def test_explicit_splits_are_used_as_given(tmp_path: Path) -> None:
    for name, labels in (("train", ["a", "b"] * 5), ("val", ["a", "b"]), ("test", ["b"] * 3)):
        write_csv(tmp_path / f"{name}.csv", text_rows(labels))
    task = Task(type="text_classification", train=Csv(fn="csv", path="train.csv"),
                validation=Csv(fn="csv", path="val.csv"), test=Csv(fn="csv", path="test.csv"))
    data = load_task_data(task, tmp_path)
    assert data.sizes() == {"train": 10, "validation": 2, "test": 3}
    assert data.test.ids == ["test.csv:2", "test.csv:3", "test.csv:4"]
    assert set(data.fingerprints) == {"train.csv", "val.csv", "test.csv"}


def test_data_and_explicit_splits_conflict(tmp_path: Path) -> None:
    source = Csv(fn="csv", path="d.csv")
    error = run_error(Task(type="regression", data=source, test=source), tmp_path)
    assert error.code == "ES311"
