"""Example sentences of a token task: the test sentences on which the candidates' entities
stray most from the gold and from each other, every entity marked, each model's first seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalspec.metrics.entities import Entity, lenient_entities
from evalspec.report import spans
from evalspec.report.numbers import visible
from evalspec.report.page import Example, Reading, Segment
from evalspec.results.schema import Cell, Task

COUNT = 5


@dataclass(frozen=True)
class Sentence:
    """One test sentence: its id, words, gold entities and each model's entities."""

    id: str
    words: list[str]
    gold: frozenset[Entity]
    predicted: dict[str, frozenset[Entity]]


def _first_cell(task: Task, cells: Sequence[Cell], model: str) -> Cell | None:
    seeds = task.models[model].seeds if model in task.models else []
    mine = sorted((c for c in cells if c.model == model),
                  key=lambda c: (seeds.index(c.seed) if c.seed in seeds else len(seeds), c.seed))
    return mine[0] if mine else None


def _entities(value: Any, length: int) -> frozenset[Entity] | None:
    """The entities of a row's tags as the default entity metrics read them; None when the
    tags are not a list of IOB tags as long as the sentence (a damaged file)."""
    if not isinstance(value, list) or len(value) != length:
        return None
    try:
        return frozenset(lenient_entities([str(tag) for tag in value]))
    except ValueError:
        return None


def _sentences(base: list[dict[str, Any]], rows: Mapping[str, Mapping[str, dict[str, Any]]]
               ) -> list[Sentence]:
    """The sentences every model has predicted, with words and tags of matching lengths,
    in the order of the first model's predictions file."""
    found = []
    for row in base:
        words = row.get("words")
        if not isinstance(words, list):
            continue
        gold = _entities(row.get("true"), len(words))
        predicted = {m: _entities(by_id.get(str(row.get("id")), {}).get("pred"), len(words))
                     for m, by_id in rows.items()}
        if gold is None or any(p is None for p in predicted.values()):
            continue
        found.append(Sentence(str(row.get("id")), [str(w) for w in words], gold,
                              {m: p or frozenset() for m, p in predicted.items()}))
    return found


def chosen(sentences: Sequence[Sentence], models: Sequence[str], count: int = COUNT
           ) -> list[Sentence]:
    """Up to `count` sentences: where the models' entities differ most from the gold and
    from each other first, ties in sentence order; none without any entity."""
    picked = spans.most_disputed([(s.gold, [s.predicted[m] for m in models])
                                  for s in sentences], count)
    return [sentences[i] for i in picked]


def _text(words: Sequence[str], first: int, last: int) -> str:
    return " ".join(visible(w) for w in words[first:last + 1])


def _why(entity: Entity, gold: frozenset[Entity], words: Sequence[str]) -> str:
    kind, first, last = entity
    same = next((g for g in gold if g[1:] == (first, last)), None)
    if same is not None:
        return f"wrong type: the gold has {visible(same[0])}"
    near = sorted(g for g in gold if g[1] <= last and first <= g[2])
    if near:
        what = "wrong boundaries" if all(g[0] == kind for g in near) \
            else "wrong type and boundaries"
        return f"{what}: the gold has " + ", ".join(
            f"[{_text(words, g[1], g[2])}]{visible(g[0])}" for g in near)
    return "no entity here in the gold"


SIGNS = {"correct": "✓", "wrong": "✗"}


def _segments(words: Sequence[str], marks: Mapping[tuple[int, int], tuple[str, str, str]]
              ) -> tuple[Segment, ...]:
    """The sentence as runs; `marks` gives each entity's (kind, type, note) by its span."""
    found = []
    for first, last, mark in spans.runs(len(words), marks):
        kind, type_, note = mark or ("", "", "")
        found.append(Segment(_text(words, first, last), kind, type_, note, SIGNS.get(kind, "")))
    return tuple(found)


def _reading(sentence: Sentence, model: str, colour: str, sub: str) -> Reading:
    words, gold = sentence.words, sentence.gold
    predicted = sentence.predicted[model]
    marks = {(first, last): (("correct", visible(kind), "") if (kind, first, last) in gold
                             else ("wrong", visible(kind), _why((kind, first, last), gold, words)))
             for kind, first, last in predicted}
    missed = sorted(gold - predicted, key=lambda e: (e[1], e[2], e[0]))
    right = len(predicted & gold)
    summary = f"{right} correct, {len(predicted) - right} wrong, {len(missed)} missed"
    return Reading(visible(model), colour, sub, _segments(words, marks),
                   tuple(Segment(_text(words, e[1], e[2]), "missed", visible(e[0]))
                         for e in missed), summary)


FirstSeeds = tuple[dict[str, dict[str, dict[str, Any]]],
                   dict[str, tuple[Cell, list[dict[str, Any]]]], list[str]]


def first_seeds(task: Task, cells: Sequence[Cell], order: Sequence[str],
                predictions: Mapping[str, list[dict[str, Any]]]) -> FirstSeeds:
    """Per model in `order`, the predictions of its first seed: rows by id, the cell with
    its rows as stored, and notes for predictions that could not be read."""
    notes: list[str] = []
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    firsts: dict[str, tuple[Cell, list[dict[str, Any]]]] = {}
    for model in order:
        cell = _first_cell(task, cells, model)
        if cell is None:
            continue
        found = predictions.get(cell.predictions)
        if found is None:
            notes.append(f"predictions of {visible(model)} seed {cell.seed} "
                         f"({visible(cell.predictions)}) could not be read")
            continue
        rows[model] = {str(r.get("id")): r for r in found if isinstance(r, dict)}
        firsts[model] = (cell, found)
    return rows, firsts, notes


def examples(task: Task, cells: Sequence[Cell], order: Sequence[str],
             colours: Mapping[str, str], predictions: Mapping[str, list[dict[str, Any]]]
             ) -> tuple[tuple[Example, ...], list[str]]:
    """The example sentences, and notes for predictions that could not be read."""
    rows, firsts, notes = first_seeds(task, cells, order, predictions)
    if not rows:
        return (), notes
    base = next(iter(firsts.values()))[1]
    if not any(isinstance(r, dict) and isinstance(r.get("words"), list) for r in base):
        return (), [*notes, "the predictions hold no words (written by an older evalspec); "
                            "run the spec again to see example sentences"]
    models = list(rows)
    several = any(len(task.models[m].seeds) > 1 for m in models if m in task.models)
    shown: list[Example] = []
    for sentence in chosen(_sentences(base, rows), models):
        gold = _segments(sentence.words, {(first, last): ("gold", visible(kind), "")
                                          for kind, first, last in sentence.gold})
        shown.append(Example(visible(sentence.id), gold, tuple(
            _reading(sentence, m, colours[m], f"seed {firsts[m][0].seed}" if several else "")
            for m in models)))
    return tuple(shown), notes
