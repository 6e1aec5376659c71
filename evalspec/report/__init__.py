"""Reports from a results file: results → view model → Jinja templates (HTML, Markdown).

Nothing here imports torch; a report can be re-rendered anywhere the results folder is.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from evalspec.atomic import write_text
from evalspec.results.schema import read

FILES = {"html": "report.html", "markdown": "report.md"}


def write(results: Path, formats: Iterable[str]) -> list[Path]:
    """Render the asked formats (`html`, `markdown`; `json` is the results file itself)
    beside `results`; returns the files written. Charts whose figures are unchanged since
    the last render are not drawn again (`drawings.Drawings`)."""
    from evalspec.report import html, markdown, view
    from evalspec.report.drawings import Drawings

    document = read(results)
    report = view.build(document, view.load_predictions(document, results.parent))
    drawings = Drawings(results.parent)
    renderers = {"html": lambda: html.render(report, drawings),
                 "markdown": lambda: markdown.render(report)}
    written = []
    for kind in dict.fromkeys(formats):
        if kind in renderers:
            path = results.parent / FILES[kind]
            write_text(path, renderers[kind]())
            path.chmod(0o644)  # reports are for sharing (temporary files start private)
            written.append(path)
    if "html" in formats:
        drawings.prune()
    return written
