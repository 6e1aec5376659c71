"""`evalspec fmt`: one canonical layout, comments and blank-line groups kept, idempotent, the
same validated spec; `--check` and `--diff` write nothing; text that does not parse is never
written."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalspec.cli.main import main
from evalspec.parse import parse
from evalspec.parse.layout import layout
from evalspec.parse.parser import layout_tokens
from evalspec.source import SourceFile
from evalspec.validate import validate

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(path for folder in ("specs", "tests/data/project", "tests/data/ner_project")
               for path in (ROOT / folder).glob("*.evalspec") if path.is_file())
CASES = sorted((ROOT / "tests" / "check" / "cases").glob("*.evalspec"))
WORDY = {"NAME", "NUMBER", "PERCENT", "STRING", "TRUE", "FALSE", "EVALSPEC"}
OPENERS, CLOSERS = {"LPAR", "LSQB"}, {"RPAR", "RSQB"}


def laid_out(text: str) -> str:
    return layout(SourceFile("t.evalspec", text))


def meaning(text: str) -> object:
    """The validated spec, without spans; None when it does not validate."""
    tree, errors = parse(SourceFile("t.evalspec", text))
    assert tree is not None and not errors, errors
    validated, _ = validate(tree)
    return validated.spec.model_dump() if validated is not None else None


def fmt(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["fmt", *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_every_spec_in_the_repo_is_laid_out_canonically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert laid_out(text) == text  # `evalspec fmt --check` passes on the repo's own specs


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_the_layout_of_every_parsing_case_is_idempotent_and_means_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if parse(SourceFile(str(path), text))[1]:
        pytest.skip("does not parse: fmt refuses it")
    once = laid_out(text)
    assert laid_out(once) == once
    assert meaning(once) == meaning(text)


def test_the_canonical_layout() -> None:
    written = (
        "# about this spec\n"
        "evalspec 1\n"
        "task   t {\n"
        "      type=text_classification   # what it is\n"
        '  data = csv( "d.csv",text="s",label = "l" )\n'
        "\n\n\n"
        "  split = holdout( test=20% , seed=1)\n"
        "  # before the block\n"
        "  evaluate { other = csv(\"o.csv\", text = \"s\", label = \"l\") }\n"
        "}\n"
        "model m { source = scratch(mlp) }\n"
        "metrics {\n"
        "  accuracy\n"
        "  primary = accuracy\n"
        "  confidence = bootstrap(n = 100,\n"
        "      level = 90%  # narrower\n"
        "  )\n"
        "}\n")
    assert laid_out(written) == (
        "# about this spec\n"
        "evalspec 1\n"
        "\n"
        "task t {\n"
        "  type = text_classification  # what it is\n"
        '  data = csv("d.csv", text = "s", label = "l")\n'
        "\n"
        "  split = holdout(test = 20%, seed = 1)\n"
        "\n"
        "  # before the block\n"
        "  evaluate {\n"
        '    other = csv("o.csv", text = "s", label = "l")\n'
        "  }\n"
        "}\n"
        "\n"
        "model m {\n"
        "  source = scratch(mlp)\n"
        "}\n"
        "\n"
        "metrics {\n"
        "  accuracy\n"
        "  primary    = accuracy\n"
        "  confidence = bootstrap(\n"
        "    n = 100,\n"
        "    level = 90%,  # narrower\n"
        "  )\n"
        "}\n")
    assert meaning(laid_out(written)) == meaning(written)


# ------------------------------------------------------------------ generated layouts
def relayout(text: str, draw: st.DrawFn) -> tuple[str, bool]:
    """The spec's tokens written out again with drawn spacing and indentation, and (when
    drawn) comments, blank lines and line breaks inside brackets: a new text with the same
    meaning. Also whether only horizontal spacing changed."""
    tokens = layout_tokens(SourceFile("t.evalspec", text))
    out: list[str] = []
    depth = 0  # inside ( ) or [ ]
    spacing_only = True
    previous = None
    for token in tokens:
        kind = token.type
        if kind == "_NL":
            if depth == 0 and draw(st.integers(0, 5)) == 0:
                out.append(f"  # note {draw(st.text('abc xyz=[]{}#', max_size=8))}")
                spacing_only = False
            extra = draw(st.integers(0, 4)) == 0
            spacing_only = spacing_only and not extra
            out.append("\n" * (2 if extra else 1) + " " * draw(st.integers(0, 6)))
            previous = None
            continue
        if previous is not None:
            tight = previous not in WORDY or kind not in WORDY
            out.append(" " * draw(st.integers(0 if tight else 1, 3)))
        out.append(token.value)
        if kind in OPENERS:
            depth += 1
        elif kind in CLOSERS:
            depth -= 1
        if depth and kind in ({"COMMA"} | OPENERS) and draw(st.integers(0, 3)) == 0:
            comment = f"  # inside {draw(st.sampled_from(['a', 'b)', '[c']))}" \
                if draw(st.booleans()) else ""
            out.append(comment + "\n" + " " * draw(st.integers(0, 6)))
            spacing_only = False
        previous = kind
    return "".join(out), spacing_only


@st.composite
def respaced(draw: st.DrawFn) -> tuple[str, str, bool]:
    original = draw(st.sampled_from(SPECS)).read_text(encoding="utf-8")
    text, spacing_only = relayout(original, draw)
    return original, text, spacing_only


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(respaced())
def test_a_generated_layout_is_laid_out_idempotently_with_the_same_meaning(
        case: tuple[str, str, bool]) -> None:
    original, text, spacing_only = case
    once = laid_out(text)
    assert laid_out(once) == once
    assert meaning(once) == meaning(original)
    if spacing_only:  # the canonical layout does not depend on spacing
        assert once == laid_out(original)


# ------------------------------------------------------------------ the command
def test_check_and_diff_write_nothing_and_exit_1_when_a_file_would_change(
        tmp_path: Path) -> None:
    spec = tmp_path / "a.evalspec"
    spec.write_text(SPECS[0].read_text(encoding="utf-8").replace("\n  ", "\n    ", 3))
    before = spec.read_text()
    code, _, err = fmt("--check", str(spec))
    assert (code, spec.read_text()) == (1, before)
    assert f"would reformat {spec}" in err
    code, out, _ = fmt("--diff", str(spec))
    assert (code, spec.read_text()) == (1, before)
    assert out.startswith(f"--- {spec} (as written)\n+++ {spec} (formatted)\n@@")
    assert fmt(str(spec))[0] == 0
    assert spec.read_text() == laid_out(before)
    code, _, err = fmt("--check", str(spec))
    assert code == 0 and "0 files would be reformatted, 1 left unchanged" in err


def test_a_file_that_does_not_parse_is_reported_and_never_written(tmp_path: Path) -> None:
    broken, good = tmp_path / "broken.evalspec", tmp_path / "good.evalspec"
    broken.write_text("evalspec 1\ntask x {\n  type =\n}\n")
    good.write_text(SPECS[0].read_text(encoding="utf-8").replace("\n  ", "\n      ", 2))
    code, out, err = fmt(str(broken), str(good))
    assert code == 1
    assert f"{broken}:3:9: error[ES102]" in out
    assert broken.read_text() == "evalspec 1\ntask x {\n  type =\n}\n"
    assert good.read_text() == laid_out(good.read_text())  # the other file is still done
    assert "1 not formatted (syntax errors)" in err
