"""report.html: one self-contained file (inline CSS and SVG, no script, no requests)."""

from __future__ import annotations

from markupsafe import Markup

from evalspec.report.drawings import Drawings
from evalspec.report.page import Report
from evalspec.report.templates import environment


def svgs(report: Report, drawings: Drawings) -> dict[str, Markup]:
    """Every chart of the report as inline SVG, by its id."""
    found: dict[str, Markup] = {}
    for task in report.tasks:
        for figure in (*task.plots, task.learning, task.tradeoff):
            if figure is not None:
                found[figure.id] = drawings.svg(figure)
    return found


def render(report: Report, drawings: Drawings) -> str:
    return environment().get_template("report.html.j2").render(
        report=report, svgs=svgs(report, drawings))
