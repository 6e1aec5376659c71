"""The report's view of a race: the cells it stopped, against which leader, and how
significant the gap was when it stopped them."""

from __future__ import annotations

from collections.abc import Mapping

from evalspec.report import numbers as fmt
from evalspec.report.numbers import visible
from evalspec.report.page import Column, Row, Table, Value
from evalspec.report.significance import RACE_FLOOR
from evalspec.results.schema import Task


def stopped(task: Task, colours: Mapping[str, str]) -> Table | None:
    """One row per stopped cell; None when the task did not race or nothing was stopped."""
    if task.race is None or not task.race.stopped:
        return None
    columns = (Column("stopped after", "validated epochs"),
               Column("its value", "validation"), Column("leader", numeric=False),
               Column("leader's value", "validation"), Column("p", "paired bootstrap"))
    rows = tuple(Row(visible(s.model), colours.get(s.model, ""), (
        Value(f"{s.epochs}"), Value(fmt.number(s.value), visible(s.metric)),
        Value(visible(s.leader)), Value(fmt.number(s.leader_value)),
        Value(RACE_FLOOR.text(s.p_value))), f"seed {s.seed}") for s in task.race.stopped)
    return Table(columns, rows)


def note(task: Task) -> str:
    """What the race did, in one sentence."""
    if task.race is None:
        return ""
    level = fmt.percent(task.race.level)
    what = f"Candidates raced: each trained against the best finished candidate of the same " \
        f"seed and was stopped, after at least {task.race.after} validated epoch" \
        f"{'s' if task.race.after != 1 else ''}, once its validation primary metric was worse " \
        f"with paired-bootstrap p < {1 - task.race.level:.2g} ({level} level)."
    if not task.race.stopped:
        return what + " None was stopped."
    return what + " Stopped models are not ranked: their training did not finish."
