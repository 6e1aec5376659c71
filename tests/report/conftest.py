"""Shared fixtures: a committed results folder from a real tiny run, and helpers to read
rendered reports as text."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
RUN = DATA / "tickets_run"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A private copy of the committed results folder (results.json + predictions)."""
    folder = tmp_path / "run"
    shutil.copytree(RUN, folder)
    return folder


def load(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def save(folder: Path, document: dict[str, Any]) -> None:
    (folder / "results.json").write_text(json.dumps(document, indent=2, ensure_ascii=False),
                                         encoding="utf-8")


class Page(HTMLParser):
    """An HTML page as the browser would see it: tags, attributes and text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.chunks: list[str] = []
        self._skip = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "style":
            self._skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())
