"""A real (tiny) run writes a results file the schema accepts, with its provenance, and the
reports its spec asks for; `evalspec run` prints their paths."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from evalspec.cli import main
from evalspec.results.schema import ResultsDocument, read
from tests import tiny
from tests.committed import PROJECT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    project = tmp_path_factory.mktemp("project")
    for name in ("tickets.csv", "tickets_forum.csv"):
        shutil.copy(PROJECT / name, project / name)
    spec = (PROJECT / "tickets.evalspec").read_text(encoding="utf-8")
    spec = spec.replace("seeds      = [0, 1]", "seeds      = [0]")
    spec = re.sub(r"epochs(\s*)= \d+", r"epochs\1= 1", spec)
    spec = spec.replace("formats = [html, markdown, json]", "formats = [markdown, json]")
    (project / "tickets.evalspec").write_text(spec, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(tiny.arguments(project / "tickets.evalspec", project / "out"))
    assert code == 0
    return project / "out", out.getvalue()


def test_run_writes_what_the_spec_asks_and_says_so(finished: tuple[Path, str]) -> None:
    folder, printed = finished
    assert f"wrote {folder / 'results.json'}" in printed
    assert f"wrote {folder / 'report.md'}" in printed
    assert (folder / "report.md").exists() and not (folder / "report.html").exists()


def test_run_results_match_the_schema_exactly(finished: tuple[Path, str]) -> None:
    folder, _ = finished
    raw = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert ResultsDocument.model_validate(raw).model_dump(mode="json") == raw


def test_run_records_provenance(finished: tuple[Path, str]) -> None:
    folder, _ = finished
    document = read(folder / "results.json")
    assert document.complete and document.finished and document.started <= document.finished
    assert document.environment.device == "cpu" and document.environment.device_name
    assert document.seeds == [0]
    task = document.tasks["tickets"]
    assert task.sizes.model_dump() == {"train": 144, "validation": 36, "test": 60}
    assert task.split is not None and task.split.seed == 3
    [(name, digest)] = task.fingerprints.items()
    assert name.endswith("tickets.csv") and re.fullmatch(r"[0-9a-f]{64}", digest)
    for cell in document.cells:
        assert cell.started <= cell.finished
        assert cell.preprocessing.max_length == 16 and cell.preprocessing.image_size is None
        assert cell.identity.revision is None  # not a hub model
        assert (folder / cell.predictions).exists()
