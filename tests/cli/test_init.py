"""`evalspec init`: a starter spec for each kind of data, chosen by looking into it, that
passes `check` as written and is already in the canonical layout."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from evalspec import api
from evalspec.cli.main import main
from evalspec.parse.layout import layout
from evalspec.source import SourceFile

DATA = Path(__file__).resolve().parents[2] / "specs" / "data"


def init(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["init", *argv])
    return code, err.getvalue()


def started(data: Path, spec: Path, *more: str) -> str:
    """The spec `init` wrote for DATA at SPEC; it checks clean and is laid out as fmt would."""
    code, said = init(str(data), "--out", str(spec), *more)
    assert code == 0, said
    text = spec.read_text(encoding="utf-8")
    checked = api.check(spec)
    assert [d.message for d in checked.diagnostics if d.is_error] == []
    assert layout(SourceFile(str(spec), text)) == text
    return text


@pytest.mark.parametrize(("data", "task_type", "expected"), [
    ("movie_reviews.csv", "text_classification",
     'csv("data/movie_reviews.csv", text = "sentence", label = "label", id = "id")'),
    ("fashion_mnist", "image_classification", 'images("data/fashion_mnist")'),
    ("uner_en_ewt_dev_1000.iob2", "token_classification",
     'conll("data/uner_en_ewt_dev_1000.iob2")'),
    ("spoken_digits/train", "audio_classification", 'audio("data/train")'),
    ("spoken_words/train.csv", "speech_recognition",
     'csv("data/train.csv", audio = "audio", transcript = "transcript")'),
])
def test_each_kind_of_data_gets_a_spec_that_checks(tmp_path: Path, data: str, task_type: str,
                                                   expected: str) -> None:
    source = DATA / data
    copied = tmp_path / "data" / source.name
    if source.is_dir():
        shutil.copytree(source, copied)
    else:
        copied.parent.mkdir()
        copied.write_bytes(source.read_bytes())
        if data == "spoken_words/train.csv":  # its clips lie beside it
            shutil.copytree(source.parent / "clips", copied.parent / "clips")
    text = started(copied, tmp_path / "s.evalspec")
    assert re.search(rf"\n  type += {task_type}\n", text)
    assert expected in text


def test_labels_come_from_the_data_and_a_binary_task_names_its_positive_class(
        tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_bytes((DATA / "movie_reviews.csv").read_bytes())
    text = started(tmp_path / "r.csv", tmp_path / "s.evalspec")
    assert 'labels   = ["negative", "positive"]  # the values seen in `label`' in text
    assert 'positive = "positive"' in text and "primary    = f1" in text
    assert "stratify = true" in text


def test_a_tsv_and_a_jsonl_file(tmp_path: Path) -> None:
    rows = [{"message": f"message number {i} about {'billing' if i % 3 else 'login'}",
             "intent": "billing" if i % 3 else "login"} for i in range(60)]
    with (tmp_path / "t.tsv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["message", "intent"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    tsv = started(tmp_path / "t.tsv", tmp_path / "a.evalspec")
    assert 'tsv("t.tsv", text = "message", label = "intent")' in tsv
    jsonl = started(tmp_path / "t.jsonl", tmp_path / "b.evalspec")
    assert 'jsonl("t.jsonl", text = "message", label = "intent")' in jsonl
    assert 'labels   = ["billing", "login"]' in jsonl


def test_a_task_type_can_be_asked_for(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_bytes((DATA / "movie_reviews.csv").read_bytes())
    text = started(tmp_path / "r.csv", tmp_path / "s.evalspec", "--task", "regression")
    assert 'target = "rating"' in text and "primary    = rmse" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["nowhere.csv"], "nowhere.csv: no such file or folder"),
    (["r.csv", "--task", "token_classification"],
     "--task token_classification does not fit r.csv; it fits text_classification or "
     "regression"),
    (["r.csv", "--task", "sentiment"], "--task sentiment: not a task type; one of"),
    (["r.csv", "--out", "taken.evalspec"], "taken.evalspec: already exists; pass --force"),
    (["notes.txt"], "notes.txt: not a table (.csv, .tsv, .jsonl), a CoNLL file"),
])
def test_what_init_cannot_do_is_one_line_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_bytes((DATA / "movie_reviews.csv").read_bytes())
    (tmp_path / "taken.evalspec").write_text("# mine\n")
    (tmp_path / "notes.txt").write_text("hello\n")
    code, said = init(*argv)
    assert code == 2
    assert said.startswith("evalspec: error: ") and message in said
    assert (tmp_path / "taken.evalspec").read_text() == "# mine\n"
    assert sorted(p.name for p in tmp_path.glob("*.evalspec")) == ["taken.evalspec"]
