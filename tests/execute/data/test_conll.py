"""`conll(path)`: the layouts it detects, the line endings and breaks it takes, the bad lines
it names, and the tags it reads as IOB2."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from evalspec.execute.data.examples import TaskData
from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Conll, Jsonl, Task
from tests.execute.data.tasks import holdout, run_error

UNER = Path(__file__).parent / "files" / "uner_en_ewt_dev_50.iob2"


def conll_task(path: str = "t.conll", **columns: Any) -> Task:
    source = Conll(fn="conll", path=path, **columns)
    return Task(type="token_classification", train=source, test=source)


def read(tmp_path: Path, text: str | bytes, **columns: Any) -> TaskData:
    file = tmp_path / "t.conll"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_task_data(conll_task(**columns), tmp_path)


def sentences(data: TaskData) -> list[list[tuple[str, str]]]:
    return [list(zip(t, g, strict=True))
            for t, g in zip(data.train.inputs["tokens"], data.train.targets, strict=True)]


def uner_sentences() -> list[tuple[int, list[str], list[str]]]:
    """(first token line, tokens, tags) of the excerpt, read with nothing but `split`."""
    found: list[tuple[int, list[str], list[str]]] = []
    inside = False
    for number, line in enumerate(UNER.read_text(encoding="utf-8").split("\n"), start=1):
        if line and not line.startswith("#"):
            index, token, tag, _, _ = line.split("\t")
            if not inside:
                found.append((number, [], []))
            found[-1][1].append(token)
            found[-1][2].append(tag)
        inside = bool(line) and not line.startswith("#")
    return found


# --------------------------------------------------------------------------- layouts
def test_uner_layout_is_detected(tmp_path: Path) -> None:
    shutil.copy(UNER, tmp_path / "ner.iob2")
    data = load_task_data(conll_task("ner.iob2"), tmp_path)
    expected = uner_sentences()
    assert len(data.train) == len(expected) == 50
    assert sum(len(t) for t in data.train.targets) == 504
    assert data.train.ids == [f"ner.iob2:{line}" for line, _, _ in expected]
    assert data.train.ids[0] == "ner.iob2:4"  # three comment lines come first
    assert data.train.inputs["tokens"] == [tokens for _, tokens, _ in expected]
    assert data.train.targets == [tags for _, _, tags in expected]
    assert data.train.inputs["tokens"][0][:4] == ["where", "can", "I", "get"]
    assert data.train.targets[0][6:8] == ["B-LOC", "I-LOC"]
    assert data.labels == ["O", "B-LOC", "I-LOC"]
    assert data.tag_repairs == {}
    named = load_task_data(conll_task("ner.iob2", tokens=1, tags=2), tmp_path)
    assert named.train == data.train


def test_uner_excerpt_split_over_sentences(tmp_path: Path) -> None:
    shutil.copy(UNER, tmp_path / "ner.iob2")
    task = Task(type="token_classification", data=Conll(fn="conll", path="ner.iob2"),
                split=holdout(test=0.2, validation=0.1, seed=0, stratify=True))
    data = load_task_data(task, tmp_path)
    assert data.sizes() == {"train": 35, "validation": 5, "test": 10}
    assert data.labels == ["O", "B-LOC", "I-LOC"]


def test_two_columns_tab_separated(tmp_path: Path) -> None:
    data = read(tmp_path, "@paul\tO\nsee\tO\nNew York\tB-location\n\nok\tO\n")
    assert sentences(data) == [[("@paul", "O"), ("see", "O"), ("New York", "B-location")],
                               [("ok", "O")]]
    assert data.train.ids == ["t.conll:1", "t.conll:5"]
    assert data.labels == ["O", "B-location", "I-location"]


def test_conll2003_with_docstart_and_the_tag_last(tmp_path: Path) -> None:
    text = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
            "1996-08-22 CD I-NP O\n\n-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\n"
            "Blackburn NNP I-NP I-PER\n")
    data = read(tmp_path, text)
    assert sentences(data) == [[("EU", "B-ORG"), ("rejects", "O")], [("1996-08-22", "O")],
                               [("Peter", "B-PER"), ("Blackburn", "I-PER")]]
    assert data.train.ids == ["t.conll:3", "t.conll:6", "t.conll:10"]
    assert read(tmp_path, text, tags=2).train.targets[0] == ["B-NP", "B-VP"]


def test_a_numbered_first_column_that_does_not_count_is_a_token(tmp_path: Path) -> None:
    data = read(tmp_path, "1 CD B-NP O\n3 CD I-NP O\n\n")
    assert sentences(data) == [[("1", "O"), ("3", "O")]]


def test_crlf_trailing_spaces_several_blank_lines_and_no_final_newline(tmp_path: Path) -> None:
    data = read(tmp_path, b"\xef\xbb\xbfEU  B-ORG \r\nrejects\tO\t\r\n\r\n \r\n\r\n"
                b"Peter B-PER\rBlackburn I-PER")
    assert sentences(data) == [[("EU", "B-ORG"), ("rejects", "O")],
                               [("Peter", "B-PER"), ("Blackburn", "I-PER")]]
    assert data.train.ids == ["t.conll:1", "t.conll:6"]


def test_comments_and_hashtags(tmp_path: Path) -> None:
    data = read(tmp_path, "# a comment\n#blessed O\nParis B-LOC\n\n\n# sent 2\nAnn B-PER\n"
                "# a comment inside\nruns O\n")
    assert data.train.inputs["tokens"] == [["#blessed", "Paris"], ["Ann", "runs"]]
    assert data.train.ids == ["t.conll:2", "t.conll:7"]


# --------------------------------------------------------------------------- bad lines
def test_lines_with_other_columns_are_named(tmp_path: Path) -> None:
    (tmp_path / "t.conll").write_text("EU B-ORG\nrejects O\n\nAnn B-PER x\nruns\n")
    error = run_error(conll_task(), tmp_path)
    assert error.code == "ES501"
    assert str(error).splitlines()[1:] == [
        "  t.conll:4: 3 columns but the first token line (t.conll:1) has 2; give every token "
        "line the same columns (is a tag missing?)",
        "  t.conll:5: 1 column but the first token line (t.conll:1) has 2; give every token "
        "line the same columns (is a tag missing?)"]


def test_empty_tokens_and_tags_are_named(tmp_path: Path) -> None:
    (tmp_path / "t.conll").write_text("1\tEU\tB-ORG\t-\t-\n2\t \tO\t-\t-\n3\tcall\t\t-\t-\n")
    error = run_error(conll_task(), tmp_path)
    assert "t.conll:2: empty token in column 1 (0-based); fill it in or set `tokens`" \
        in str(error)
    assert "t.conll:3: empty tag in column 2 (0-based)" in str(error)


def test_tags_that_are_not_iob_are_named(tmp_path: Path) -> None:
    shutil.copy(UNER, tmp_path / "ner.iob2")
    error = run_error(conll_task("ner.iob2", tags=-1), tmp_path)  # the annotator column
    assert error.code == "ES501"
    assert ("ner.iob2:4: tag `-` (token 1) is not an IOB tag; write `O`, or `B-`, `I-` (or "
            "`E-`, `S-`) and the entity type, as in `B-PER`") in str(error)


@pytest.mark.parametrize(("text", "columns", "says"), [
    ("EU B-ORG\n", {"tags": 2}, "t.conll: `tags = 2` is out of range: line 1 has 2 columns"),
    ("EU B-ORG\n", {"tokens": 5}, "t.conll: `tokens = 5` is out of range"),
    ("EU\nrejects\n", {}, "t.conll: line 1 has 1 column and the tokens and tags would be "
                          "the same column (0)"),
])
def test_columns_that_the_file_lacks(tmp_path: Path, text: str, columns: dict[str, int],
                                     says: str) -> None:
    (tmp_path / "t.conll").write_text(text)
    error = run_error(conll_task(**columns), tmp_path)
    assert error.code == "ES403" and str(error).startswith(says)


def test_a_file_without_sentences(tmp_path: Path) -> None:
    (tmp_path / "t.conll").write_text("# only\n\n-DOCSTART- O\n# comments\n")
    error = run_error(conll_task(), tmp_path)
    assert error.code == "ES408" and "no sentences found" in str(error)


# --------------------------------------------------------------------------- schemes, labels
BIOES = "Ann S-PER\nof O\nNew B-LOC\nYork E-LOC\n\nruns O\nI-PER O\n"


def test_other_schemes_are_read_as_iob2_and_counted(tmp_path: Path) -> None:
    data = read(tmp_path, BIOES)
    assert data.train.targets == [["B-PER", "O", "B-LOC", "I-LOC"], ["O", "O"]]
    assert data.tag_repairs == {"train": 2, "test": 2}
    assert data.labels == ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    iob1 = read(tmp_path, "Ann I-PER\nBob B-PER\nof O\nYork I-LOC\n")
    assert iob1.train.targets == [["B-PER", "B-PER", "O", "B-LOC"]]


def test_repairs_are_counted_per_split(tmp_path: Path) -> None:
    text = "".join(f"w{i} {'I-PER' if i % 2 else 'O'}\n\n" for i in range(20))
    (tmp_path / "t.conll").write_text(text)
    task = Task(type="token_classification", data=Conll(fn="conll", path="t.conll"),
                split=holdout(test=0.25, validation=0.25))
    data = load_task_data(task, tmp_path)
    parts = {"train": data.train, "validation": data.validation, "test": data.test}
    assert data.tag_repairs == {name: sum(t == ["B-PER"] for t in part.targets)
                                for name, part in parts.items() if part}
    assert sum(data.tag_repairs.values()) == 10


def test_entity_types_expand_to_the_tag_set(tmp_path: Path) -> None:
    data = read(tmp_path, BIOES)
    typed = conll_task().model_copy(update={"labels": ["PER", "ORG", "LOC"]})
    data = load_task_data(typed, tmp_path)
    assert data.labels == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    tags = conll_task().model_copy(update={"labels": ["O", "B-LOC", "I-LOC", "B-PER"]})
    assert load_task_data(tags, tmp_path).labels == ["O", "B-LOC", "I-LOC", "B-PER"]


def test_undeclared_types_and_mixed_labels(tmp_path: Path) -> None:
    (tmp_path / "t.conll").write_text(BIOES)
    error = run_error(conll_task().model_copy(update={"labels": ["PER"]}), tmp_path)
    assert str(error) == ("t.conll:1: tag `B-LOC` is not among the declared labels (O, B-PER, "
                          "I-PER); add its entity type to `labels` or fix the row")
    error = run_error(conll_task().model_copy(update={"labels": ["PER", "B-LOC"]}), tmp_path)
    assert error.code == "ES312"
    assert str(error).startswith("`labels` mixes entity types (`PER`) and tags (`B-LOC`)")
    error = run_error(conll_task().model_copy(update={"labels": ["O", "S-PER"]}), tmp_path)
    assert error.code == "ES312" and "`S-PER` as `B-PER`" in str(error)


# --------------------------------------------------------------------------- jsonl lists
def test_jsonl_token_and_tag_lists(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text(
        '{"words": ["Ann", "runs"], "ner": ["S-PER", "O"]}\n'
        '{"words": "New York", "ner": "B-LOC E-LOC"}\n')
    source = Jsonl(fn="jsonl", path="t.jsonl", tokens="words", tags="ner")
    data = load_task_data(Task(type="token_classification", train=source, test=source),
                          tmp_path)
    assert data.train.inputs["tokens"] == [["Ann", "runs"], ["New", "York"]]
    assert data.train.targets == [["B-PER", "O"], ["B-LOC", "I-LOC"]]
    assert data.tag_repairs == {"train": 2, "test": 2}


def test_jsonl_bad_token_lists(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text(
        '{"tokens": ["Ann", "runs"], "tags": ["B-PER"]}\n{"tokens": [], "tags": []}\n'
        '{"tokens": ["a", ""], "tags": ["O", "O"]}\n{"tokens": ["a"], "tags": ["PER"]}\n')
    source = Jsonl(fn="jsonl", path="t.jsonl")
    error = run_error(Task(type="token_classification", train=source, test=source), tmp_path)
    assert str(error).splitlines()[1:] == [
        "  t.jsonl:1: 2 tokens but 1 tags; give one tag per token",
        "  t.jsonl:2: empty tokens in column `tokens`; fill it in or remove the row",
        "  t.jsonl:2: empty tags in column `tags`; fill it in or remove the row",
        "  t.jsonl:3: tokens in column `tokens`: item 2 is empty; fill it in or remove it",
        "  t.jsonl:4: tag `PER` (token 1) is not an IOB tag; write `O`, or `B-`, `I-` (or "
        "`E-`, `S-`) and the entity type, as in `B-PER`"]
