"""The report's view model: plain frozen dataclasses, every string already formatted.

`view.build` fills them from a results document; templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.report import figures


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Value:
    """A table cell: the number as shown, a smaller second line, and whether it is the best."""

    text: str
    detail: str = ""
    best: bool = False
    undefined: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    note: str = ""  # direction arrow, unit or definition
    primary: bool = False
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    colour: str
    values: tuple[Value, ...]
    sub: str = ""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Verdict:
    """Which model to pick on one task, and how sure we are.

    kind: `clear` (one model significantly best), `tied` (several not significantly
    different), `single` (one candidate), `none` (no ranking; `reason` says why)."""

    kind: str
    pick: str
    metric: str
    value: str
    interval: str
    level: str
    alpha: str
    others: tuple[str, ...]  # clear: the significantly worse; tied: those tied with `pick`
    p_value: str  # clear: the largest p among the worse; tied: the smallest among the tied
    cheapest: str
    cheapest_by: str
    reason: str


@dataclass(frozen=True)
class Bar:
    """An interval drawn across a shared scale: CSS offsets as percentages."""

    left: str
    width: str
    mark: str


@dataclass(frozen=True)
class Place:
    rank: int
    model: str
    colour: str
    value: str
    interval: str
    bar: Bar | None
    p_value: str
    tied: bool
    mcnemar: tuple[str, ...]  # per seed pair: "seed 0  12 : 3  p 0.035"
    undefined: str


@dataclass(frozen=True)
class Leaderboard:
    metric: str
    direction: str
    level: str
    low: str
    high: str
    rows: tuple[Place, ...]


@dataclass(frozen=True)
class ConfusionCell:
    count: str
    shade: str  # background opacity, 0.00 … 1.00
    dark: bool  # white text on a dark cell
    diagonal: bool
    zero: bool  # drawn faint, so the mistakes stand out


@dataclass(frozen=True)
class Confusion:
    model: str
    colour: str
    note: str
    labels: tuple[str, ...]
    rows: tuple[tuple[ConfusionCell, ...], ...]


@dataclass(frozen=True)
class TaskView:
    name: str
    anchor: str
    type: str
    labels: tuple[str, ...]
    positive: str
    sizes: tuple[Fact, ...]
    split: str
    fingerprints: tuple[Fact, ...]
    verdict: Verdict
    leaderboard: Leaderboard | None
    metrics: Table
    cost: Table
    seeds: Table
    confusions: tuple[Confusion, ...]
    plots: tuple[figures.Plot, ...]
    learning: figures.Learning | None
    tradeoff: figures.Tradeoff | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Provenance:
    facts: tuple[Fact, ...]
    versions: tuple[Fact, ...]
    cells: Table


@dataclass(frozen=True)
class Report:
    title: str
    complete: bool
    byline: tuple[Fact, ...]
    tasks: tuple[TaskView, ...]
    glossary: tuple[Fact, ...]
    spec_path: str
    spec_text: str
    spec_sha256: str
    provenance: Provenance
    generator: str
