"""report.md: GitHub-flavoured Markdown: verdict, leaderboard, key numbers, provenance."""

from __future__ import annotations

from evalspec.report.templates import environment
from evalspec.report.view import Report


def render(report: Report) -> str:
    return environment().get_template("report.md.j2").render(report=report)
