"""The report's view of why a winner wins on a classification task: precision, recall and
F1 per class with intervals, and the test examples the models disagree on most."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalspec.report import numbers as fmt
from evalspec.report import tables
from evalspec.report.numbers import visible
from evalspec.report.page import (
    Candidate,
    Disagreement,
    EntityType,
    EntityTypes,
    Fact,
    Guess,
    TypeScores,
    Value,
)
from evalspec.results.schema import SeedSummary, Task

MEASURES = ("precision", "recall", "f1")


def per_class(task: Task, order: Sequence[str], colours: Mapping[str, str]) -> EntityTypes | None:
    """Rows: classes in label order; per model its one-vs-rest precision, recall and F1
    (mean ± sd over seeds) with the pooled interval; the best model of each marked."""
    models = [m for m in order if m in task.per_class]
    if not models:
        return None
    several = any(len(task.models[m].seeds) > 1 for m in models if m in task.models)
    rows = []
    for label in task.labels:
        scores = {m: task.per_class[m].get(label) for m in models}
        best = {k: tables.best_of([getattr(s, k).mean if s else None for s in scores.values()],
                                  True) for k in MEASURES}
        support = next((s.support for s in scores.values() if s), 0)
        rows.append(EntityType(visible(label), f"{support:,}", tuple(
            TypeScores(visible(m), *(_value(getattr(s, k), i in best[k]) if s else
                                     Value(fmt.MISSING) for k in MEASURES))
            for i, (m, s) in enumerate(scores.items()))))
    caption = "Each class against the rest (the class as positive) on the test split" + \
        ("; mean ± standard deviation over each model's seeds, with the interval pooled "
         "over seeds" if several else ", with its interval") + "."
    return EntityTypes("per class", caption,
                       tuple(Candidate(visible(m), colours[m]) for m in models), tuple(rows))


def _value(summary: SeedSummary, best: bool) -> Value:
    if summary.mean is None:
        return Value(fmt.MISSING, undefined=visible(summary.undefined or ""))
    sd = f" ± {fmt.number(summary.sd)}" if summary.sd is not None else ""
    return Value(fmt.number(summary.mean) + sd,
                 fmt.span(summary.interval.low, summary.interval.high), best)


def disagreements(task: Task, order: Sequence[str],
                  colours: Mapping[str, str]) -> tuple[Disagreement, ...]:
    """The recorded disagreements, each model's guess in the models' order."""
    shown = []
    for row in task.disagreements:
        texts = tuple(Fact(visible(column), visible(value)) for column, value in row.input.items()
                      if column != "image")
        image = row.input.get("image", "")
        guesses = tuple(Guess(visible(m), colours[m], visible(row.predictions[m].pred),
                              f"{row.predictions[m].confidence:.2f}",
                              row.predictions[m].pred == row.true)
                        for m in order if m in row.predictions)
        shown.append(Disagreement(visible(row.id), texts,
                                  image if image.startswith("data:image/png;base64,") else "",
                                  visible(row.true), guesses))
    return tuple(shown)
