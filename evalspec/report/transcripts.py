"""Example transcripts of a speech task: the test utterances on which the candidates' word
error counts differ most, with the reference and each model's hypothesis, first seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalspec.metrics.speech import edit_distance
from evalspec.report.numbers import visible
from evalspec.report.sentences import first_seeds
from evalspec.results.schema import Cell, Task

COUNT = 6


@dataclass(frozen=True)
class Utterance:
    """One test utterance as read from the predictions: id, reference, each model's text."""

    id: str
    reference: str
    hypotheses: dict[str, str]


@dataclass(frozen=True)
class Hypothesis:
    """One model's transcript of an utterance, formatted for the page."""

    model: str
    colour: str
    sub: str
    text: str
    summary: str  # "2 word edits"


@dataclass(frozen=True)
class Transcript:
    id: str
    reference: str
    hypotheses: tuple[Hypothesis, ...]


def word_edits(reference: str, hypothesis: str) -> int:
    return edit_distance(reference.split(), hypothesis.split())


def _utterances(base: list[dict[str, Any]], rows: Mapping[str, Mapping[str, dict[str, Any]]]
                ) -> list[Utterance]:
    """The utterances every model has transcribed (strings both), in the first model's order."""
    found = []
    for row in base:
        if not isinstance(row, dict) or not isinstance(row.get("true"), str):
            continue
        key = str(row.get("id"))
        hypotheses = {m: by_id.get(key, {}).get("pred") for m, by_id in rows.items()}
        if all(isinstance(h, str) for h in hypotheses.values()):
            found.append(Utterance(key, row["true"],
                                   {m: str(h) for m, h in hypotheses.items()}))
    return found


def chosen(utterances: Sequence[Utterance], models: Sequence[str], count: int = COUNT
           ) -> list[Utterance]:
    """Up to `count` utterances: the widest spread of the models' word edit counts first,
    ties by id."""
    def key(utterance: Utterance) -> tuple[int, str]:
        edits = [word_edits(utterance.reference, utterance.hypotheses[m]) for m in models]
        return (-(max(edits) - min(edits)) if edits else 0, utterance.id)
    return sorted(utterances, key=key)[:count]


def _summary(edits: int) -> str:
    return f"{edits} word edit{'' if edits == 1 else 's'}"


def transcripts(task: Task, cells: Sequence[Cell], order: Sequence[str],
                colours: Mapping[str, str], predictions: Mapping[str, list[dict[str, Any]]]
                ) -> tuple[tuple[Transcript, ...], list[str]]:
    """The example transcripts, and notes for predictions that could not be read."""
    rows, firsts, notes = first_seeds(task, cells, order, predictions)
    if not rows:
        return (), notes
    base = next(iter(firsts.values()))[1]
    models = list(rows)
    several = any(len(task.models[m].seeds) > 1 for m in models if m in task.models)
    shown = tuple(
        Transcript(visible(u.id), visible(u.reference), tuple(
            Hypothesis(visible(m), colours[m], f"seed {firsts[m][0].seed}" if several else "",
                       visible(u.hypotheses[m]),
                       _summary(word_edits(u.reference, u.hypotheses[m])))
            for m in models))
        for u in chosen(_utterances(base, rows), models))
    return shown, notes
