"""CSV and TSV files read exactly as written: quoting, files without a header, the rows each
read reports, and labels given names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evalspec.execute.data.examples import TaskData
from evalspec.execute.data.loading import load_task_data
from evalspec.execute.events import describe
from evalspec.validate.model import Csv, Images, Label, Task, Tsv
from tests.execute.data.tasks import QUOTED, all_ids, holdout, run_error, write_sentences
from tests.execute.data.test_sources import make_images

NAMED = [Label(fn="label", value="0", name="negative"), Label(fn="label", value="1",
                                                                name="positive")]


def sentences_task(source: Any, **more: Any) -> Task:
    return Task(type="text_classification", data=source, **{"split": holdout(), **more})


def read(task: Task, base_dir: Path) -> tuple[TaskData, list[str]]:
    """The task's data, and the lines its `read` events describe."""
    events: list[dict[str, Any]] = []
    data = load_task_data(task, base_dir, events.append)
    return data, [describe(event) for event in events]


def texts(data: TaskData) -> dict[str, str]:
    parts = [p for p in (data.train, data.validation, data.test) if p]
    return {i: t for part in parts for i, t in zip(part.ids, part.inputs["text"], strict=True)}


@pytest.mark.parametrize("source", [
    Csv(fn="csv", path="data/imdb.tsv", delimiter="\t", quoting="none", header=False,
        text="0", label="1"),
    Tsv(fn="tsv", path="data/imdb.tsv", header=False, text="0", label="1"),
], ids=["csv quoting none", "tsv"])
def test_quotes_at_line_starts_are_text_and_every_line_a_row(tmp_path: Path,
                                                            source: Any) -> None:
    write_sentences(tmp_path / "data" / "imdb.tsv")
    data, lines = read(sentences_task(source), tmp_path)
    assert lines == ["  read 1,000 rows from data/imdb.tsv"]
    assert sorted(all_ids(data), key=lambda i: int(i.rsplit(":")[1])) == \
        [f"data/imdb.tsv:{n}" for n in range(1, 1001)]
    found = texts(data)
    assert found["data/imdb.tsv:101"] == '"Moving from the first scene, says review 101.'
    assert found["data/imdb.tsv:141"] == 'Film 141 has a "moving" ending.'
    assert all(found[f"data/imdb.tsv:{n}"].startswith('"') for n in QUOTED)


def test_csv_quoting_joins_those_lines_which_is_why_check_warns(tmp_path: Path) -> None:
    write_sentences(tmp_path / "data" / "imdb.tsv")
    source = Csv(fn="csv", path="data/imdb.tsv", delimiter="\t", header=False, text="0",
                 label="1")
    data, lines = read(sentences_task(source), tmp_path)
    assert lines == ["  read 760 rows from data/imdb.tsv"]  # the run says it, too
    assert "\n" in texts(data)["data/imdb.tsv:101"]


def test_columns_named_for_a_file_without_a_header(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text("fine film\tpos\nbad film\tneg\nok film\tpos\n"
                                    "sad film\tneg\n", encoding="utf-8")
    source = Tsv(fn="tsv", path="s.tsv", header=False, columns=["sentence", "mood"],
                 text="sentence", label="mood")
    data = load_task_data(sentences_task(source, split=holdout(validation=0.0,
                                                               stratify=False)), tmp_path)
    assert data.labels == ["neg", "pos"]
    assert texts(data)["s.tsv:1"] == "fine film"


def test_a_row_with_other_fields_names_what_sets_the_width(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text('a\tpos\nb\tneg\tmore\n"c\tpos\n', encoding="utf-8")
    error = run_error(sentences_task(Tsv(fn="tsv", path="s.tsv", header=False,
                                         columns=["text", "label"])), tmp_path)
    assert error.code == "ES501"
    assert "s.tsv:2: 3 fields but `columns` names 2; check the delimiter `\\t`" in str(error)
    csv_error = run_error(sentences_task(Csv(fn="csv", path="s.tsv", header=False,
                                             delimiter="\t", text="0", label="1")), tmp_path)
    assert "s.tsv:2: 3 fields but the first row has 2; check the delimiter `\\t`; if `\"` " \
        "is an ordinary character, set `quoting = none`" in str(csv_error)


def test_a_first_row_that_is_data_says_how_to_declare_no_header(tmp_path: Path) -> None:
    write_sentences(tmp_path / "imdb.tsv")
    error = run_error(sentences_task(Tsv(fn="tsv", path="imdb.tsv", text="sentence",
                                         label="label")), tmp_path)
    assert error.code == "ES403"
    assert str(error) == (
        "imdb.tsv: no column `sentence`: the first row looks like data, not column names "
        "(`Film 1 is moving from start to end.`); if the file has no header row, add "
        "`header = false` and name the columns in order (`columns = [\"…\", \"…\"]`) or by "
        "their 0-based index (`text = 0`)")


def test_declared_columns_named_twice_are_refused(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text("a\tpos\n", encoding="utf-8")
    error = run_error(sentences_task(Tsv(fn="tsv", path="s.tsv", header=False,
                                         columns=["text", "text"])), tmp_path)
    assert (error.code, str(error)) == ("ES306", "s.tsv: `columns` names column `text` twice "
                                        "(columns 1 and 2); rename one so that each column "
                                        "has its own name")


# --------------------------------------------------------------------------- named labels
def test_named_labels_replace_the_values_everywhere(tmp_path: Path) -> None:
    write_sentences(tmp_path / "data" / "imdb.tsv")
    (tmp_path / "data" / "more.tsv").write_text("Such a warm film\t1\nSo dull\t0\n")
    tsv = Tsv(fn="tsv", path="data/imdb.tsv", header=False, text="0", label="1")
    task = sentences_task(tsv, labels=NAMED, positive="positive",
                          evaluate={"more": Tsv(fn="tsv", path="data/more.tsv",
                                                header=False, text="0", label="1")})
    data, lines = read(task, tmp_path)
    assert lines == ["  read 1,000 rows from data/imdb.tsv", "  read 2 rows from data/more.tsv"]
    assert data.labels == ["negative", "positive"]
    for part in (data.train, data.validation, data.test):
        assert part is not None and set(part.targets) == {"negative", "positive"}
    assert data.extra["more"].targets == ["positive", "negative"]
    plain = load_task_data(sentences_task(tsv), tmp_path)
    assert plain.test.ids == data.test.ids  # naming the labels moves no example
    assert [{"0": "negative", "1": "positive"}[t] for t in plain.test.targets] == \
        data.test.targets


def test_named_and_plain_labels_mix(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text("a\t0\nb\tneutral\nc\t1\nd\t0\ne\tneutral\nf\t1\n")
    labels: list[Any] = [NAMED[0], "neutral", NAMED[1]]
    data = load_task_data(sentences_task(Tsv(fn="tsv", path="s.tsv", header=False,
                                             text="0", label="1"), labels=labels,
                                         split=holdout(stratify=False)), tmp_path)
    assert data.labels == ["negative", "neutral", "positive"]
    assert sorted(t for p in (data.train, data.validation, data.test) if p
                  for t in p.targets) == ["negative"] * 2 + ["neutral"] * 2 + ["positive"] * 2


def test_a_value_no_label_names_is_a_bad_row_even_if_it_is_a_name(tmp_path: Path) -> None:
    (tmp_path / "s.tsv").write_text("a\t0\nb\tpositive\nc\t1\n")
    error = run_error(sentences_task(Tsv(fn="tsv", path="s.tsv", header=False, text="0",
                                         label="1"), labels=NAMED), tmp_path)
    assert error.code == "ES501"
    assert "s.tsv:2: label `positive` is not among the declared labels (0 as negative, " \
        "1 as positive); add it to `labels` or fix the row" in str(error)


def test_class_folders_can_be_named_too(tmp_path: Path) -> None:
    make_images(tmp_path / "pics")
    source = Images(fn="images", dir="pics")
    data = load_task_data(Task(type="image_classification", train=source, test=source,
                               labels=[Label(fn="label", value="cat", name="feline"), "dog"]),
                          tmp_path)
    assert data.labels == ["feline", "dog"]
    assert data.train.targets == ["feline"] * 3 + ["dog"] * 3
