"""A whole run on a header-less TSV whose labels are 0/1 in the file: every line is a row,
the run says how many it read (terminal and run log), and the labels' names are what the
results, predictions and reports show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import tiny
from tests.execute.data.tasks import write_sentences


def test_a_tsv_run_reads_every_row_and_reports_label_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_sentences(tmp_path / "data" / "imdb.tsv")
    data = tiny.call("tsv", tiny.quoted("data/imdb.tsv"), header="false", text=0, label=1)
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(data, name="imdb", labels='[label(0, "negative"), label(1, "positive")]',
                  positive='"positive"'),
        tiny.model("lstm", tiny.scratch("lstm", hidden=8), max_length=16),
        metrics=tiny.metrics("accuracy", "f1"), report=tiny.report("markdown", "json")))
    out = tmp_path / "out"
    assert tiny.run(spec, out) == 0
    shown = capsys.readouterr().err
    assert "reading data for task `imdb`" in shown
    assert "  read 1,000 rows from data/imdb.tsv" in shown
    log = (out / "run.log").read_text(encoding="utf-8").splitlines()
    assert any(line.endswith(" read 1,000 rows from data/imdb.tsv") for line in log)
    document = tiny.results(out)
    task = document["tasks"]["imdb"]
    assert (task["labels"], task["positive"]) == (["negative", "positive"], "positive")
    assert sum(task["sizes"].values()) == 1000
    assert set(task["models"]["lstm"]["metrics"]["f1"]["per_seed"][0]["detail"]["per_class"]) \
        == {"negative", "positive"}
    rows = [json.loads(line) for line in
            (out / document["cells"][0]["predictions"]).read_text().splitlines()]
    assert {row["true"] for row in rows} == {"negative", "positive"}
    assert {row["pred"] for row in rows} <= {"negative", "positive"}
    assert "Labels: negative, positive (positive: positive)." in \
        (out / "report.md").read_text(encoding="utf-8")


def test_a_run_shows_and_logs_the_warnings_check_gives(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_sentences(tmp_path / "data" / "imdb.tsv", lines=200)
    data = tiny.call("csv", tiny.quoted("data/imdb.tsv"), delimiter='"\\t"', header="false",
                     text=0, label=1)  # CSV quoting: the lines that begin with `"` run on
    spec = tiny.write(tmp_path, tiny.spec(
        tiny.task(data, name="imdb"),
        tiny.model("lstm", tiny.scratch("lstm", hidden=8), max_length=16),
        metrics=tiny.metrics("accuracy"), report=tiny.report("json")))
    out = tmp_path / "out"
    assert tiny.run(spec, out) == 0
    shown = capsys.readouterr().err.splitlines()
    [warning] = [line for line in shown if "warning[ES410]" in line]
    assert f"{spec}:4:" in warning and "quoting = none" in warning
    assert shown.index(next(s for s in shown if s.endswith(warning))) < \
        shown.index(next(s for s in shown if "reading data" in s))  # before anything runs
    assert any("warning[ES410]" in line for line in (out / "run.log").read_text().splitlines())
