"""Token tasks: `check` reads a CoNLL file's layout and judges `labels` as `run` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalspec import api
from evalspec.errors import RunError
from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Conll, Task

CASES = Path(__file__).parent / "cases"
TINY = (CASES / "data" / "models" / "tiny").as_posix()
UNER = Path(__file__).parents[1] / "execute" / "data" / "files" / "uner_en_ewt_dev_50.iob2"


def token_spec(folder: Path, source: str, labels: str = "") -> Path:
    path = folder / "spec.evalspec"
    path.write_text(
        "evalspec 1\n"
        f"task ner {{\n  type = token_classification\n  data = {source}\n{labels}}}\n"
        f'model m {{\n  source = path("{TINY}")\n}}\n'
        "finetune {\n  stage s {\n    train  = head\n    epochs = 1\n    lr     = 1e-3\n  }\n}\n"
        "metrics {\n  entity_f1\n}\n")
    return path


def errors(spec: Path) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.span.line, d.span.column, d.message)  # type: ignore[union-attr]
            for d in api.check(spec).diagnostics if d.is_error]


LAYOUTS = [  # (file text, conll arguments, what `check` says, what `run` raises)
    (UNER.read_text(encoding="utf-8"), "", None, None),
    ("-DOCSTART- -X- O\n\nEU NNP B-ORG\n", "", None, None),
    ("EU\tB-ORG\n", ", tags = 2", "`tags = 2` is out of range: line 1 of `t.conll` has 2 "
                                  "columns", "ES403"),
    ("1\tEU\tB-ORG\n", ", tokens = 3", "`tokens = 3` is out of range: line 1 of `t.conll` "
                                       "has 3 columns", "ES403"),
    ("# comment\nEU\nrejects\n", "", "line 2 of `t.conll` has 1 column: the tokens and the "
                                     "tags would be column 0", "ES403"),
    ("EU\tB-ORG\n", ", tokens = 1, tags = -1", "line 1 of `t.conll` has 2 columns: the "
                                               "tokens and the tags would be column 1", "ES403"),
]


@pytest.mark.parametrize(("text", "arguments", "says", "raises"), LAYOUTS)
def test_check_and_run_agree_on_the_columns(tmp_path: Path, text: str, arguments: str,
                                            says: str | None, raises: str | None) -> None:
    (tmp_path / "t.conll").write_text(text, encoding="utf-8")
    found = errors(token_spec(tmp_path, f'conll("t.conll"{arguments})'))
    assert [message for *_, message in found] == ([says] if says else [])
    columns = dict(item.split(" = ") for item in arguments.strip(", ").split(", ") if item)
    source = Conll(fn="conll", path="t.conll", **{k: int(v) for k, v in columns.items()})
    try:
        load_task_data(Task(type="token_classification", train=source, test=source), tmp_path)
    except RunError as error:
        assert error.code == raises
    else:
        assert raises is None


def test_an_out_of_range_column_points_at_its_value(tmp_path: Path) -> None:
    shutil.copy(UNER, tmp_path / "t.conll")
    (found,) = errors(token_spec(tmp_path, 'conll("t.conll", tags = 5)'))
    assert found == ("ES403", 4, 34, "`tags = 5` is out of range: line 4 of `t.conll` has 5 "
                     "columns")


@pytest.mark.parametrize(("labels", "found"), [
    ('["PER", "ORG", "LOC"]', []),
    ('["O", "PER"]', []),
    ('["O", "B-PER", "I-PER"]', []),
    ('["PER", "O", "B-ORG"]', [("ES312", 5, 25, "`labels` of task `ner` mixes entity types "
                                "(`PER`) and tags (`B-ORG`)")]),
    ('["B-ORG", "PER"]', [("ES312", 5, 22, "`labels` of task `ner` mixes entity types "
                           "(`PER`) and tags (`B-ORG`)")]),
    ('["O", "E-PER", "S-PER"]', [
        ("ES312", 5, 18, "`E-PER` is not an IOB2 tag; task `ner` reads its tags as IOB2 "
         "(`E-PER` as `I-PER`)"),
        ("ES312", 5, 27, "`S-PER` is not an IOB2 tag; task `ner` reads its tags as IOB2 "
         "(`S-PER` as `B-PER`)")]),
])
def test_token_labels_are_types_or_iob2_tags(tmp_path: Path, labels: str,
                                             found: list[tuple[str, int, int, str]]) -> None:
    shutil.copy(UNER, tmp_path / "t.conll")
    spec = token_spec(tmp_path, 'conll("t.conll")', f"  labels = {labels}\n")
    assert errors(spec) == found
    task = Task(type="token_classification", data=Conll(fn="conll", path="t.conll"),
                labels=[label.strip(' "') for label in labels.strip("[]").split(",")])
    try:
        load_task_data(task, tmp_path)
    except RunError as error:  # a label the data lacks is a row error (ES501)
        assert (error.code == "ES312") == bool(found)
    else:
        assert not found
