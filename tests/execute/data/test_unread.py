"""Fingerprints without reading: `unread_fingerprints` gives exactly what reading records,
or None where it cannot know it — so an up-to-date check never trusts a plan that reading
would build differently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalspec.execute.data.loading import load_task_data, unread_fingerprints
from evalspec.validate.model import Builtin, Conll, Csv, HfDataset, Images, Jsonl, Task
from tests.execute.data.tasks import holdout, reviews_task, write_csv
from tests.execute.data.test_sources import make_images

CONLL = "EU B-ORG\nrejects O\n\nPeter B-PER\nBlackburn I-PER\n\nBRUSSELS B-LOC\n\nyes O\n"


def _jsonl(tmp_path: Path) -> Task:
    rows = [{"text": f"example {i}", "label": "ab"[i % 2]} for i in range(8)]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return Task(type="text_classification", data=Jsonl(fn="jsonl", path="r.jsonl"),
                split=holdout(stratify=False))


def _conll(tmp_path: Path) -> Task:
    (tmp_path / "t.conll").write_text(CONLL)
    source = Conll(fn="conll", path="t.conll")
    return Task(type="token_classification", train=source, test=source)


def _images(tmp_path: Path) -> Task:
    make_images(tmp_path / "pics")
    source = Images(fn="images", dir="pics")
    return Task(type="image_classification", train=source, test=source)


def _builtin(tmp_path: Path) -> Task:
    return Task(type="text_classification", data=Builtin(fn="builtin", name="wine"),
                split=holdout())


def _with_extra_set(tmp_path: Path) -> Task:
    task = reviews_task(tmp_path)
    shutil.copy(tmp_path / "reviews.csv", tmp_path / "other.csv")
    other = Csv(fn="csv", path="other.csv", text="sentence", label="label", id="id")
    return task.model_copy(update={"evaluate": {"other": other}})


@pytest.mark.parametrize("make", [reviews_task, _jsonl, _conll, _images, _builtin,
                                  _with_extra_set])
def test_unread_fingerprints_are_what_reading_records(make, tmp_path: Path) -> None:
    task = make(tmp_path)
    data = load_task_data(task, tmp_path)
    assert unread_fingerprints(task, tmp_path) == (data.fingerprints, data.extra_fingerprints)


def test_a_changed_file_changes_them(tmp_path: Path) -> None:
    task = reviews_task(tmp_path)
    before = unread_fingerprints(task, tmp_path)
    with (tmp_path / "reviews.csv").open("a") as handle:
        handle.write("99,one more,positive\n")
    assert unread_fingerprints(task, tmp_path) != before


def test_a_table_naming_media_files_gives_less_than_reading(tmp_path: Path) -> None:
    """Its image files are found only by reading it: the unread fingerprints leave them out,
    so a plan built from them never matches the recorded run's."""
    make_images(tmp_path / "pics", per_class=4)
    write_csv(tmp_path / "index.csv", [["file", "kind"]] + [
        [f"pics/{c}/{i}.png", c] for c in ("cat", "dog") for i in range(4)])
    task = Task(type="image_classification",
                data=Csv(fn="csv", path="index.csv", image="file", label="kind"),
                split=holdout(stratify=False))
    read = load_task_data(task, tmp_path).fingerprints
    unread = unread_fingerprints(task, tmp_path)
    assert unread is not None and unread[0] != read
    assert set(unread[0]) < set(read)


def test_what_only_reading_can_tell_is_none(tmp_path: Path) -> None:
    hub = Task(type="text_classification", data=HfDataset(fn="hf_dataset", name="imdb"),
               split=holdout())
    missing = Task(type="text_classification",
                   data=Csv(fn="csv", path="nowhere.csv", text="t", label="l"), split=holdout())
    assert unread_fingerprints(hub, tmp_path) is None
    assert unread_fingerprints(missing, tmp_path) is None  # reading reports the missing file
