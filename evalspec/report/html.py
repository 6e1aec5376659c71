"""report.html: one self-contained file (inline CSS and SVG, no script, no requests)."""

from __future__ import annotations

from markupsafe import Markup

from evalspec.report import charts
from evalspec.report.page import Report
from evalspec.report.templates import environment


def drawings(report: Report) -> dict[str, Markup]:
    """Every chart of the report as inline SVG, by its id."""
    found: dict[str, Markup] = {}
    for task in report.tasks:
        for plot in task.plots:
            found[plot.id] = charts.plot(plot)
        if task.learning is not None:
            found[task.learning.id] = charts.learning(task.learning)
        if task.tradeoff is not None:
            found[task.tradeoff.id] = charts.tradeoff(task.tradeoff)
    return found


def render(report: Report) -> str:
    return environment().get_template("report.html.j2").render(report=report,
                                                               svgs=drawings(report))
