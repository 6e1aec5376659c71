"""`check` on data read as written: quotes that join lines warn (ES410), a missing header
says how to declare one, and labels given names are checked by value and by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec import api
from evalspec.cli import main
from tests import tiny
from tests.execute.data.tasks import write_sentences

CASES = Path(__file__).parent / "cases"


def spec_for(folder: Path, data: str, **more: str) -> Path:
    """A spec in `folder` whose task reads `data`, beside a 1,000-line `data/imdb.tsv`."""
    write_sentences(folder / "data" / "imdb.tsv")
    return tiny.write(folder, tiny.spec(tiny.task(data, **more),
                                        tiny.model("lstm", tiny.scratch("lstm", hidden=8))))


def tsv_as_csv(**more: str | int) -> str:
    return tiny.call("csv", tiny.quoted("data/imdb.tsv"), delimiter='"\\t"', header="false",
                     text=0, label=1, **more)


def test_csv_quoting_of_a_tsv_warns_at_the_source_naming_the_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_for(tmp_path, tsv_as_csv())
    assert main(["check", str(spec)]) == 0  # a warning
    out, err = capsys.readouterr()
    assert f"{spec}:4:11: warning[ES410]: data/imdb.tsv:101: a quoted field runs on to line " \
        "141, joining 41 lines into one row (the file's 1,000 lines of data read as 760 " \
        "rows)" in out
    assert '  data  = csv("data/imdb.tsv", delimiter = "\\t", header = false, text = 0, ' \
        "label = 1)\n  |           " + "^" * 75 + " if" in out  # the source call, underlined
    assert 'if `"` is an ordinary character in this file, add `quoting = none` or read it ' \
        "with `tsv(…)`; if the quotes are meant, add `quoting = csv`" in out
    assert "1 file checked: 0 errors, 1 warning" in err


@pytest.mark.parametrize("data", [
    tsv_as_csv(quoting="none"),
    tiny.call("tsv", tiny.quoted("data/imdb.tsv"), header="false", text=0, label=1),
    tsv_as_csv(quoting="csv"),  # written out: the quotes are meant, and trusted
], ids=["quoting none", "tsv", "quoting csv written"])
def test_no_warning_when_quotes_are_ordinary_or_declared_meant(tmp_path: Path,
                                                               data: str) -> None:
    assert api.check(spec_for(tmp_path, data)).diagnostics == []


def test_a_quote_that_swallows_a_delimiter_warns(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "r.csv").write_text(
        'text,label,id\n"Quoted, and fine",a,1\nplain,b,2\n"Dull, slow,3\nlast,b,4\n')
    data = tiny.call("csv", tiny.quoted("data/r.csv"), text='"text"', label='"label"')
    spec = tiny.write(tmp_path, tiny.spec(tiny.task(data), tiny.model(
        "lstm", tiny.scratch("lstm", hidden=8))))
    (warning,) = api.check(spec).diagnostics
    assert warning.code == "ES410" and not warning.is_error
    assert warning.message.startswith("data/r.csv:4: a quoted field runs on to line 5")
    (tmp_path / "data" / "r.csv").write_text(
        'text,label,id\n"Quoted, and fine",a,1\nplain,b,2\n"Dull, slow",3\n')
    (warning,) = api.check(spec).diagnostics
    assert warning.message == (
        "data/r.csv:4: a quoted field swallows a delimiter: the row reads as 2 fields, split "
        "at each delimiter its line has 3, the table's width (the file's 3 lines of data "
        "read as 3 rows)")


def test_a_first_row_of_data_says_how_to_declare_no_header(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, tiny.call("tsv", tiny.quoted("data/imdb.tsv"),
                                        text='"sentence"', label='"label"'))
    (error,) = api.check(spec).diagnostics
    assert (error.code, error.message) == (
        "ES403", "column `sentence` not found in `data/imdb.tsv`: the first row looks like "
        "data, not column names (`Film 1 is moving from start to end.`)")
    assert error.hint == ("if the file has no header row, add `header = false` and name the "
                          "columns in order (`columns = [\"…\", \"…\"]`) or by their 0-based "
                          "index (`text = 0`)")
    named = spec_for(tmp_path, tiny.call("tsv", tiny.quoted("data/imdb.tsv"), header="false",
                                         columns='["sentence", "label"]', text='"sentence"',
                                         label='"label"'))
    assert api.check(named).diagnostics == []


def test_named_labels_are_checked_by_value_and_by_name() -> None:
    found = [(d.code, d.message, d.hint)
             for d in api.check(CASES / "es306_label_names.evalspec").diagnostics]
    assert found == [
        ("ES306", 'the value "0" is named twice, as "negative" and "bad"',
         "each value in the data takes one name; remove one of them"),
        ("ES306", 'duplicate label "negative"', "remove the second one, or give it another name")]
    (positive,) = api.check(CASES / "es308_positive_names_a_value.evalspec").diagnostics
    assert positive.hint == '`labels` calls the value "1" "positive": write `positive = ' \
        '"positive"`'
    unknown, unused = api.check(CASES / "es404_label_values.evalspec").diagnostics
    assert unknown.message == 'label "0" in `data/sentences.tsv` is not among `labels`'
    assert unused.message == 'label value "2" (named "neutral") never occurs in the data of ' \
        "task `sentences`"
    assert not unused.is_error


def test_declared_columns_must_match_the_first_row(tmp_path: Path) -> None:
    spec = spec_for(tmp_path, tiny.call("tsv", tiny.quoted("data/imdb.tsv"), header="false",
                                        columns='["sentence", "label", "id"]',
                                        text='"sentence"', label='"label"'))
    (error,) = api.check(spec).diagnostics
    assert (error.code, error.message, error.hint) == (
        "ES403", "`columns` names 3 columns, but the first row of `data/imdb.tsv` has 2",
        "name each of the 2 columns, in order")
