"""`evalspec report` re-renders from results.json without training."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

from evalspec.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_report_renders_both_formats_by_default(run_folder: Path) -> None:
    code, out, _ = run_cli("report", str(run_folder / "results.json"))
    assert code == 0
    assert out.splitlines() == [f"wrote {run_folder / 'report.html'}",
                                f"wrote {run_folder / 'report.md'}"]


def test_report_never_imports_torch(run_folder: Path) -> None:
    script = ("import sys; from evalspec.cli import main; "
              f"code = main(['report', {str(run_folder / 'results.json')!r}]); "
              "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_report_format_selects(run_folder: Path) -> None:
    code, out, _ = run_cli("report", str(run_folder / "results.json"), "--format", "markdown")
    assert code == 0 and out.strip().endswith("report.md")
    assert not (run_folder / "report.html").exists()


def test_report_on_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run_cli("report", str(tmp_path / "nope.json"))
    assert code == 2 and "no such results file" in err
