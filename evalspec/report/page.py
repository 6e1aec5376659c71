"""The report's view model: plain frozen dataclasses, every string already formatted.

`view.build` fills them from a results document; templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evalspec.report import figures

if TYPE_CHECKING:
    from evalspec.report.transcripts import Transcript


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
    change: str = ""  # the change from the test split, on an extra set or perturbation


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
    p_value: str  # the deciding (Holm-adjusted) p in words, "p = 0.545" or "p ≤ 0.002":
    # clear: the largest among the worse; tied: the smallest among the tied
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
    p_adjusted: str  # Holm-adjusted over the comparisons with the first: it decides `tied`


@dataclass(frozen=True)
class Leaderboard:
    metric: str
    direction: str
    level: str
    low: str
    high: str
    rows: tuple[Place, ...]
    adjusted: bool  # two or more comparisons with the first: the Holm-adjusted p is shown
    floor: str  # what `p ≤ …` means, when a p-value is at the bootstrap's floor


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
class Candidate:
    """A model as a column heading: name, colour chip, and a note under it."""

    label: str
    colour: str
    sub: str = ""


@dataclass(frozen=True)
class TypeScores:
    """One model's precision, recall and F1 on one entity type (or class)."""

    model: str
    precision: Value
    recall: Value
    f1: Value


@dataclass(frozen=True)
class EntityType:
    name: str
    support: str  # true entities of the type (examples of the class) in the test split
    scores: tuple[TypeScores, ...]  # one per model, in the models' order


@dataclass(frozen=True)
class EntityTypes:
    """Per entity type (or class) × model: precision, recall and F1 (entity types: from one
    entity metric's detail; classes: one-vs-rest, with intervals)."""

    metric: str
    caption: str
    models: tuple[Candidate, ...]
    rows: tuple[EntityType, ...]


@dataclass(frozen=True)
class Segment:
    """A run of a sentence's words: plain (`kind` empty) or one entity, whose `kind` is
    `gold`, `correct` (predicted and in the gold), `wrong` (predicted, not in the gold) or
    `missed` (in the gold, not predicted)."""

    text: str
    kind: str = ""
    type: str = ""
    note: str = ""  # why a wrong entity is wrong
    sign: str = ""  # ✓ correct, ✗ wrong


@dataclass(frozen=True)
class Reading:
    """One model's tags of an example sentence, as marked runs, and the gold it missed."""

    model: str
    colour: str
    sub: str
    segments: tuple[Segment, ...]
    missed: tuple[Segment, ...]
    summary: str  # "2 correct, 1 wrong, 1 missed"


@dataclass(frozen=True)
class Example:
    id: str
    gold: tuple[Segment, ...]
    readings: tuple[Reading, ...]


@dataclass(frozen=True)
class Evaluated:
    """An extra set or a perturbed test split: each model's metrics there, the change of
    each from the test split, and which model's primary metric fell least."""

    name: str
    kind: str  # "extra set" | "perturbation"
    description: str  # its source or perturbation call
    size: str
    table: Table
    robust: str  # "bigru, Δ -0.012 (…)", or empty when undefined
    ranking: str  # the leaderboard there: "minilm 0.824 · scratch 0.572 (p 0.002 vs first)"


@dataclass(frozen=True)
class Guess:
    """One model's prediction of a shown example."""

    model: str
    colour: str
    label: str
    confidence: str
    right: bool


@dataclass(frozen=True)
class Disagreement:
    """A test example the models disagree on: its inputs (text, or an image thumbnail),
    its truth and each model's guess."""

    id: str
    texts: tuple[Fact, ...]
    image: str  # a data: URI, or empty
    truth: str
    guesses: tuple[Guess, ...]


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
    entity_types: EntityTypes | None = None
    examples: tuple[Example, ...] = ()
    repairs: str = ""  # token tasks: gold tags changed per split, "train 3, test 1"
    transcripts: tuple[Transcript, ...] = ()  # speech tasks: example utterances
    beyond: Table | None = None  # the primary metric on the test split and every evaluation
    evaluated: tuple[Evaluated, ...] = ()  # extra sets, then perturbations
    per_class: EntityTypes | None = None  # classification: precision, recall, F1 per class
    disagreements: tuple[Disagreement, ...] = ()
    prescreen: Table | None = None  # every candidate's frozen-feature scores and ranks
    agreement: str = ""  # Kendall τ of the pre-screen with the final ranking
    raced: Table | None = None  # the cells a race stopped
    race: str = ""  # what the race did, in a sentence
    one_seed: str = ""  # one training seed: what that leaves unmeasured
    beyond_floor: str = ""  # what `p ≤ …` beyond the test split means, when one is shown


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
    tagged: bool = False  # a task shows entity types or examples: their styles are included
