"""Hostile and broken input: located diagnostics and exit 1 (2 for usage), never a traceback."""

from __future__ import annotations

import gc
import re
import time
from pathlib import Path

import pytest

from evalspec import api
from evalspec.cli import main

DATA = Path(__file__).parent / "cases" / "data"
LOCATED = re.compile(r"^\S+:\d+:\d+: error\[ES\d{3}\]: ", re.M)
VALID_TAIL = f"""
task t {{
  type = text_classification
  data = csv("{(DATA / 'reviews.csv').as_posix()}", text = "sentence", label = "label")
}}

model m {{
  source = path("{(DATA / 'models' / 'tiny').as_posix()}")
}}
"""
# Without `finetune`, a model with a new head would be evaluated untrained (ES312).
FINETUNE = "finetune {\n  stage s {\n    train  = head\n    epochs = 1\n    lr     = 1e-3\n  }\n}\n"


def spec(tmp_path: Path, text: str | bytes, name: str = "spec.evalspec") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in err
    return code, out + err


def codes(path: Path) -> list[str]:
    return [d.code for d in api.check(path).diagnostics]


def assert_fails_with(path: Path, capsys: pytest.CaptureFixture[str],
                      code: str | None) -> str:
    exit_code, output = run_check(path, capsys)
    assert exit_code == 1
    assert LOCATED.search(output), output
    assert code is None or f"error[{code}]" in output, output
    return output


def test_unterminated_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec(tmp_path, 'evalspec 1\nreport {\n  title = "no end\n}\n')
    output = assert_fails_with(path, capsys, "ES103")
    assert f"{path}:3:11:" in output


def test_unbalanced_braces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_fails_with(spec(tmp_path, "evalspec 1\ntask t {\n  type = regression\n"),
                      capsys, "ES104")
    assert_fails_with(spec(tmp_path, "evalspec 1\n}\n", "extra.evalspec"), capsys, "ES104")


@pytest.mark.parametrize(("text", "where", "hint"), [
    # a nested block left open: the `}` meant for the outer block closes it by count
    ("finetune {\n  stage a {\n    epochs = 1\n\n  stage b {\n    epochs = 2\n  }\n}\n"
     "metrics {\n  accuracy\n}\n", "3:11", "add the matching `}` before line 6"),
    ("task t {\n  evaluate {\n    x = csv(\"x.csv\")\n  perturb {\n  }\n}\n", "3:12",
     "add the matching `}` before line 5"),
    # no layout to go by (nothing indented): the last brace left open
    ("task t {\ntype = x\n}\nmodel m {\nsource = y\n", "5:9", "add the matching `}`\n"),
    # an open bracket is the innermost: it is named, whatever the layout
    ("task t {\n  evaluate {\n    x = csv(\"x.csv\",\n", "4:12", "add the matching `)`"),
])
def test_an_unclosed_brace_points_at_the_innermost_open_block(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str,
        hint: str) -> None:
    path = spec(tmp_path, "evalspec 1\n" + text)
    output = assert_fails_with(path, capsys, "ES104")
    assert output.startswith(f"{path}:{where}: error[ES104]: unclosed `")
    assert hint in output


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = assert_fails_with(spec(tmp_path, ""), capsys, "ES100")
    assert "evalspec 1" in output


def test_two_megabytes_of_junk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = ("{[(=,.\"#\n 0_9%abc\\" * 200_000)[:2_000_000]
    assert_fails_with(spec(tmp_path, junk), capsys, None)
    noise = bytes((i * 7919 + 13) % 256 for i in range(2_000_000))
    assert_fails_with(spec(tmp_path, noise, "binary.evalspec"), capsys, "ES105")


def test_ten_thousand_nested_brackets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "evalspec 1\nfinetune {\n  seeds = " + "[" * 10_000 + "]" * 10_000 + "\n}\n"
    assert_fails_with(spec(tmp_path, text), capsys, "ES108")


def test_fifty_thousand_item_list_is_fast(tmp_path: Path) -> None:
    seeds = ", ".join(str(i) for i in range(50_000))
    text = (f"evalspec 1\n{VALID_TAIL}\nfinetune {{\n  seeds = [{seeds}]\n"
            "  stage s {\n    epochs = 1\n    lr = 1e-3\n  }\n}\n\nmetrics {\n  accuracy\n}\n")
    path = spec(tmp_path, text)
    api.check(spec(tmp_path, "evalspec 1\n", "warm.evalspec"))  # build the parser once
    gc.collect()
    start = time.perf_counter()
    checked = api.check(path)
    elapsed = time.perf_counter() - start
    assert checked.ok, [d.message for d in checked.diagnostics]
    assert checked.validated is not None
    assert checked.validated.spec.finetune is not None
    assert len(checked.validated.spec.finetune.seeds) == 50_000
    print(f"50,000-item list: api.check took {elapsed:.2f} s")
    assert elapsed < 2.0, f"api.check took {elapsed:.2f} s"


def test_invalid_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = spec(tmp_path, b'evalspec 1\nreport {\n  title = "caf\xe9"\n}\n')
    output = assert_fails_with(path, capsys, "ES105")
    assert f"{path}:3:15:" in output


def test_directory_or_missing_path_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (tmp_path, tmp_path / "missing.evalspec"):
        exit_code, output = run_check(path, capsys)
        assert exit_code == 2
        assert str(path) in output


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e400", "-1e400", "1e-400"])
def test_non_finite_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            value: str) -> None:
    text = (f"evalspec 1\n{VALID_TAIL}\nfinetune {{\n  stage s {{\n    epochs = 1\n"
            f"    lr = {value}\n  }}\n}}\n\nmetrics {{\n  accuracy\n}}\n")
    exit_code, output = run_check(spec(tmp_path, text), capsys)
    assert exit_code == 1, output
    assert LOCATED.search(output), output
    assert ":15:" in output  # the `lr` line


def test_code_in_strings_stays_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    title = "{{ 7*7 }} <script>alert(1)</script> $(rm -rf /) `id` ${HOME} %s"
    text = (f'evalspec 1\n{VALID_TAIL}\n{FINETUNE}\nmetrics {{\n  accuracy\n}}\n\n'
            f'report {{\n  title = "{title}"\n  out = "$(touch {tmp_path}/pwned)"\n}}\n')
    path = spec(tmp_path, text)
    exit_code, _ = run_check(path, capsys)
    assert exit_code == 0
    checked = api.check(path)
    assert checked.validated is not None
    report = checked.validated.spec.report
    assert report.title == title
    assert report.out == f"$(touch {tmp_path}/pwned)"
    assert not (tmp_path / "pwned").exists()


def test_code_in_a_data_path_is_only_a_missing_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ('evalspec 1\ntask t {\n  type = text_classification\n'
            f'  data = csv("$(touch {tmp_path}/pwned).csv", text = "{{{{ 7*7 }}}}", '
            'label = "<script>")\n}\n'
            f'model m {{\n  source = path("{(DATA / "models" / "tiny").as_posix()}")\n}}\n'
            f'{FINETUNE}metrics {{\n  accuracy\n}}\n')
    path = spec(tmp_path, text)
    assert codes(path) == ["ES401"]
    output = assert_fails_with(path, capsys, "ES401")
    assert f"$(touch {tmp_path}/pwned).csv" in output
    assert not (tmp_path / "pwned").exists()


def test_unknown_function_is_never_called(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    text = (f'evalspec 1\n{VALID_TAIL}\nmodel evil {{\n  source = os_system("touch {marker}")\n}}\n'
            f'model evil2 {{\n  source = __import__("os")\n}}\n\nmetrics {{\n  accuracy\n}}\n')
    path = spec(tmp_path, text)
    assert codes(path) == ["ES204", "ES204"]
    output = assert_fails_with(path, capsys, "ES204")
    assert "unknown model source `os_system`" in output
    assert not marker.exists()
