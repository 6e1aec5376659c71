"""The committed results folder of a real tiny run (tests/data/tickets_run), the project
that made it (tests/data/project), and reading and writing its results.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
PROJECT = DATA / "project"
RUN = DATA / "tickets_run"


def load(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def save(folder: Path, document: dict[str, Any]) -> None:
    (folder / "results.json").write_text(json.dumps(document, indent=2, ensure_ascii=False),
                                         encoding="utf-8")
