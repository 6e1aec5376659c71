"""report.md: GitHub-flavoured Markdown: verdict, leaderboard, key numbers, provenance."""

from __future__ import annotations

from evalspec.report.page import Report
from evalspec.report.templates import environment


def render(report: Report) -> str:
    return environment().get_template("report.md.j2").render(report=report)
