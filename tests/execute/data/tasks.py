"""Tasks for the loading tests: the small files they read, written here, and what loading
them gives or raises."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Csv, Holdout, Task
from tests.tiny import REVIEWS


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


POSITIVE = ("wonderful", "moving", "funny", "sharp", "warm")
NEGATIVE = ("dull", "tired", "slow", "pointless", "flat")
QUOTED = (101, 251, 401, 551, 701, 851)  # lines that begin with a `"` closed 40 lines on
RUN_ON = 40


def write_sentences(path: Path, lines: int = 1000) -> Path:
    """A file laid out as the UCI sentiment sentences: `sentence<TAB>0|1` on every line, no
    header, `"` an ordinary character. Six lines (`QUOTED`) begin with a `"` that only the
    quoted word of the line `RUN_ON` lines later closes, so CSV quoting reads each of them
    and the lines up to that one as one row."""
    closing = {line + RUN_ON for line in QUOTED}
    rows = []
    for number in range(1, lines + 1):
        label = number % 2
        word = (POSITIVE if label else NEGATIVE)[number % 5]
        text = f"Film {number} is {word} from start to end."
        if number in QUOTED:
            text = f'"{word.title()} from the first scene, says review {number}.'
        elif number in closing:
            text = f'Film {number} has a "{word}" ending.'
        rows.append(f"{text}\t{label}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(rows), encoding="utf-8")
    return path


def run_error(task: Task, base_dir: Path) -> RunError:
    with pytest.raises(RunError) as caught:
        load_task_data(task, base_dir)
    return caught.value


def all_ids(data: TaskData) -> list[str]:
    parts = [data.train, data.validation, data.test]
    return [i for part in parts if part for i in part.ids]
