"""The wheel carries the grammar and templates: installed outside the checkout, `check` and
`report` work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.committed import RUN

ROOT = Path(__file__).resolve().parents[1]


def run_installed(script: str, work: Path, site: Path) -> None:
    """Run a Python script in WORK against the wheel installed in SITE alone: it succeeds,
    and the path it prints first lies inside SITE."""
    done = subprocess.run([sys.executable, "-c", script], cwd=work,
                          env={**os.environ, "PYTHONPATH": str(site)},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0].startswith(str(site))


def test_wheel_installs_and_checks_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(wheels)], check=True)
    wheel = next(wheels.glob("evalspec-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "evalspec/_grammar/evalspec.lark" in names
    for template in ("report.html.j2", "report.md.j2", "_parts.html.j2", "report.css"):
        assert f"evalspec/_templates/{template}" in names
    assert "evalspec/py.typed" in names
    assert {"evalspec/schemas/evalspec.schema.json", "evalspec/schemas/results.schema.json"} \
        <= set(names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "specs" / "digits.evalspec", work / "digits.evalspec")
    run_installed("import evalspec, sys; from evalspec.cli import main; "
                  "print(evalspec.__file__); sys.exit(main(['check', 'digits.evalspec']))",
                  work, site)
    shutil.copytree(RUN, work / "run")
    run_installed("import sys; from evalspec.assets import templates_dir; "
                  "print(templates_dir()); from evalspec.cli import main; "
                  "sys.exit(main(['report', 'run/results.json']))", work, site)
    assert (work / "run" / "report.html").exists() and (work / "run" / "report.md").exists()
