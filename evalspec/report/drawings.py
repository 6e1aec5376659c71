"""Charts drawn once: each figure's SVG is kept in the results folder (`.charts/`) by a
digest of its data and of the drawing code, so rendering a report again starts matplotlib
only for the figures that changed. A kept drawing is checked (`svg.inline`) like a new one:
the folder may come from someone else."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from markupsafe import Markup

from evalspec.atomic import write_text
from evalspec.report.svg import inline

FOLDER = ".charts"
CODE = Path(__file__).with_name("charts.py")


class Drawings:
    """The report's charts, drawn or taken from `folder/.charts` (None: always drawn,
    nothing kept)."""

    def __init__(self, folder: Path | None):
        self.folder = folder / FOLDER if folder is not None else None
        self.used: set[str] = set()
        self.drawn = 0  # how many charts matplotlib drew in this render
        self._code = hashlib.sha256(CODE.read_bytes()).hexdigest()

    def svg(self, figure: Any) -> Markup:
        """The figure as inline SVG."""
        key = _key(figure, self._code)
        self.used.add(key)
        kept = self._kept(key)
        if kept is not None:
            try:
                return inline(kept, figure.title)
            except ValueError:
                pass  # damaged or altered: drawn again
        from evalspec.report.charts import DRAW  # matplotlib: only for a new drawing

        drawn = DRAW[type(figure)](figure)
        self.drawn += 1
        shown = inline(drawn, figure.title)
        if self.folder is not None:
            write_text(self.folder / f"{key}.svg", drawn)
        return shown

    def prune(self) -> None:
        """Remove the kept drawings this render did not use (older versions of its charts)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.glob("*.svg"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)

    def _kept(self, key: str) -> str | None:
        if self.folder is None:
            return None
        try:
            return (self.folder / f"{key}.svg").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def _key(figure: Any, code: str) -> str:
    """What a drawing follows from: the figure's type and data, the drawing code (`code`,
    its digest) and the matplotlib that draws it."""
    facts = {"type": type(figure).__name__, "figure": asdict(figure), "code": code,
             "matplotlib": metadata.version("matplotlib")}
    text = json.dumps(facts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
