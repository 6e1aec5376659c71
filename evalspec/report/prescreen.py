"""The report's view of a pre-screen: every candidate's frozen-feature scores and rank, the
final rank of those fine-tuned and why the others were not, and how far each score's
ranking agreed with the final one."""

from __future__ import annotations

from collections.abc import Mapping

from evalspec.report import numbers as fmt
from evalspec.report.numbers import visible
from evalspec.report.page import Column, Row, Table, Value
from evalspec.results.schema import Task

NAMES = {"logme": "LogME", "linear_probe": "linear probe"}


def table(task: Task, colours: Mapping[str, str]) -> Table | None:
    """Rows in pre-screen rank order; the ranking score's column marked primary."""
    screen = task.prescreen
    if screen is None:
        return None
    final = {row.model: row.rank for row in task.leaderboard}
    columns = (Column("LogME", "evidence per example", screen.method == "logme"),
               Column("linear probe", f"{screen.folds}-fold CV "
                      + ("accuracy" if task.labels else "R²"), screen.method == "linear_probe"),
               Column("pre-screen rank", NAMES[screen.method]),
               Column("final rank", "after fine-tuning", numeric=False))
    rows = []
    ordered = sorted(screen.candidates.items(), key=lambda item: item[1].rank)
    for model, found in ordered:
        probe = found.linear_probe
        outcome = Value(f"{final[model]}" if model in final else "—", "" if found.fine_tuned
                        else visible(found.reason or ""))
        rows.append(Row(visible(model), colours.get(model, ""), (
            Value(fmt.number(found.logme), f"{found.dimensions:,} features",
                  found.rank == 1 and screen.method == "logme"),
            Value(fmt.number(probe.mean), f"± {fmt.number(probe.sd)}",
                  found.rank == 1 and screen.method == "linear_probe"),
            Value(f"{found.rank}"), outcome)))
    return Table(columns, tuple(rows))


def agreement(task: Task) -> str:
    """`Kendall τ with the final ranking: LogME 0.667, linear probe 1.000 (4 models).`"""
    screen = task.prescreen
    if screen is None:
        return ""
    found = [f"{NAMES[m]} {fmt.number(a.tau)}" for m, a in screen.agreement.items()
             if a.tau is not None]
    if not found:
        return "Kendall τ with the final ranking needs two or more fine-tuned models."
    models = max(a.models for a in screen.agreement.values())
    return f"Kendall τ with the final ranking: {', '.join(found)} (over {models} fine-tuned " \
        "models; 1 means the same order)."
