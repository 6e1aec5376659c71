"""Token tasks in reports: the per-type table reads the entity metric's detail, example
sentences are the most disputed ones with every entity marked, tag repairs are shown; a
classification report has none of these."""

from __future__ import annotations

import copy
import statistics
from typing import Any

import pytest

from evalspec.metrics.entities import lenient_entities
from evalspec.report import numbers, view
from evalspec.report.page import Report, Segment, TaskView
from evalspec.results.schema import ResultsDocument
from tests.committed import RUN, load
from tests.report.ner import NER_RUN, rows

MEASURES = ("precision", "recall", "f1")


@pytest.fixture(scope="module")
def original() -> dict[str, Any]:
    return load(NER_RUN)


def build(document: dict[str, Any], predictions: bool = True) -> Report:
    parsed = ResultsDocument.model_validate(document)
    return view.build(parsed, view.load_predictions(parsed, NER_RUN) if predictions else {})


def task_view(document: dict[str, Any]) -> TaskView:
    [task] = build(document).tasks
    return task


# ------------------------------------------------------------------------------ entity types
def test_per_type_numbers_are_the_primary_metrics_detail_over_seeds(
        original: dict[str, Any]) -> None:
    table = task_view(original).entity_types
    assert table is not None and table.metric == "entity_f1"
    assert "entity_f1" in table.caption and "mode = default" in table.caption
    task = original["tasks"]["entities"]
    order = [row["model"] for row in task["leaderboard"]]
    assert [m.label for m in table.models] == order == ["tiny_gru", "tiny_lstm"]
    assert [m.sub for m in table.models] == ["2 seeds", "2 seeds"]
    assert [row.name for row in table.rows] == ["LOC", "ORG", "PER"]
    for row in table.rows:
        for model, scores in zip(order, row.scores, strict=True):
            seeds = [s["detail"]["per_type"][row.name]
                     for s in task["models"][model]["metrics"]["entity_f1"]["per_seed"]]
            assert row.support == str(seeds[0]["support"])
            for measure in MEASURES:
                values = [s[measure] for s in seeds]
                shown = getattr(scores, measure)
                assert shown.text == numbers.number(statistics.fmean(values))
                assert shown.detail == f"± {numbers.number(statistics.stdev(values))}"


def test_the_best_model_per_type_is_marked(original: dict[str, Any]) -> None:
    table = task_view(original).entity_types
    assert table is not None
    for row in table.rows:
        for measure in MEASURES:
            values = [float(getattr(s, measure).text) for s in row.scores]
            marked = [getattr(s, measure).best for s in row.scores]
            assert marked == [v == max(values) for v in values], (row.name, measure)


def test_one_seed_shows_the_detail_itself(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    for summary in document["tasks"]["entities"]["models"].values():
        summary["seeds"] = summary["seeds"][:1]
        for metric in summary["metrics"].values():
            metric["per_seed"] = metric["per_seed"][:1]
    table = task_view(document).entity_types
    assert table is not None and "seeds" not in table.caption
    first = document["tasks"]["entities"]["models"]["tiny_gru"]["metrics"]["entity_f1"]
    loc = first["per_seed"][0]["detail"]["per_type"]["LOC"]
    assert (table.rows[0].scores[0].f1.text, table.rows[0].scores[0].f1.detail) == \
        (numbers.number(loc["f1"]), "")


def test_without_summary_detail_the_first_seeds_cell_is_read(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    for summary in document["tasks"]["entities"]["models"].values():
        for metric in summary["metrics"].values():
            for value in metric["per_seed"]:
                value["detail"] = None
    table = task_view(document).entity_types
    assert table is not None and [m.sub for m in table.models] == ["seed 0", "seed 0"]
    cell = next(c for c in document["cells"] if c["model"] == "tiny_lstm" and c["seed"] == 0)
    per_type = cell["test"]["entity_f1"]["detail"]["per_type"]
    assert [r.scores[1].recall.text for r in table.rows] == \
        [numbers.number(per_type[k]["recall"]) for k in ("LOC", "ORG", "PER")]


@pytest.mark.parametrize(("primary", "metric", "mode"), [
    ("strict_f1", "strict_f1", "strict"),  # an entity metric as primary: its own mode
    ("token_accuracy", "entity_f1", "default"),  # else the first entity metric declared
])
def test_the_table_follows_the_primary_metric(original: dict[str, Any], primary: str,
                                              metric: str, mode: str) -> None:
    document = copy.deepcopy(original)
    document["primary"] = primary
    table = task_view(document).entity_types
    assert table is not None and table.metric == metric
    assert f"as {metric} reads them (mode = {mode})" in table.caption
    strict = document["tasks"]["entities"]["models"]["tiny_gru"]["metrics"][metric]
    values = [s["detail"]["per_type"]["PER"]["f1"] for s in strict["per_seed"]]
    assert table.rows[2].scores[0].f1.text == numbers.number(statistics.fmean(values))


def test_an_undefined_value_says_why_and_on_which_seed(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    summary = document["tasks"]["entities"]["models"]["tiny_lstm"]["metrics"]["entity_f1"]
    summary["per_seed"][1]["detail"]["per_type"]["ORG"]["precision"] = None
    table = task_view(document).entity_types
    assert table is not None
    shown = table.rows[1].scores[1].precision
    assert (shown.text, shown.undefined, shown.best) == ("—", "none predicted on seed 1", False)


def test_no_entity_metric_no_table(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    for holder in [*document["cells"], *document["tasks"]["entities"]["models"].values()]:
        metrics = holder.get("test") or holder["metrics"]
        for name in ("entity_f1", "entity_precision", "entity_recall", "strict_f1"):
            metrics.pop(name)
    document["primary"] = "token_accuracy"
    document["tasks"]["entities"]["leaderboard"] = []
    assert task_view(document).entity_types is None


# ------------------------------------------------------------------------------ examples
def _text(segments: tuple[Segment, ...]) -> str:
    return " ".join(s.text for s in segments)


def test_examples_are_the_most_disputed_sentences(original: dict[str, Any]) -> None:
    task = task_view(original)
    assert [e.id for e in task.examples] == ["ner.conll:234", "ner.conll:1043", "ner.conll:1403",
                                             "ner.conll:94", "ner.conll:984"]
    first = {c["model"]: {r["id"]: r for r in rows(NER_RUN, c)} for c in original["cells"]
             if c["seed"] == 0}
    for example in task.examples:
        row = first["tiny_gru"][example.id]
        assert _text(example.gold) == " ".join(row["words"])
        assert [(s.text, s.type) for s in example.gold if s.kind] == \
            [(" ".join(row["words"][a:b + 1]), kind)
             for kind, a, b in sorted(lenient_entities(row["true"]), key=lambda e: e[1])]
        for reading in example.readings:
            mine = first[reading.model][example.id]
            gold = lenient_entities(mine["true"])
            predicted = sorted(lenient_entities(mine["pred"]), key=lambda e: e[1])
            assert _text(reading.segments) == " ".join(row["words"])
            marked = [(s.kind, s.type) for s in reading.segments if s.kind]
            assert marked == [("correct" if e in gold else "wrong", e[0]) for e in predicted]
            assert [(s.text, s.type) for s in reading.missed] == \
                [(" ".join(row["words"][a:b + 1]), k)
                 for k, a, b in sorted(gold - set(predicted), key=lambda e: e[1])]
            assert reading.sub == "seed 0"


def test_an_example_says_what_went_wrong(original: dict[str, Any]) -> None:
    example = task_view(original).examples[4]  # Hooli and <Acme> signed a deal in New York
    gru, lstm = example.readings
    assert gru.model == "tiny_gru" and gru.summary == "2 correct, 1 wrong, 1 missed"
    hooli = gru.segments[0]
    assert (hooli.text, hooli.kind, hooli.type, hooli.sign) == ("Hooli", "wrong", "LOC", "✗")
    assert hooli.note == "wrong type: the gold has ORG"
    new = next(s for s in lstm.segments if s.text == "New")
    assert new.note == "wrong boundaries: the gold has [New York]LOC"
    assert [s.kind for s in gru.missed] == ["missed"]


def test_sentences_without_any_entity_are_never_examples(original: dict[str, Any]) -> None:
    document = copy.deepcopy(original)
    report = build(document)
    shown = {e.id for e in report.tasks[0].examples}
    empty = {r["id"] for c in original["cells"] for r in rows(NER_RUN, c)
             if not lenient_entities(r["true"]) and not lenient_entities(r["pred"])}
    assert empty and not shown & empty


def test_unreadable_predictions_are_noted_and_the_rest_still_shown(
        original: dict[str, Any]) -> None:
    parsed = ResultsDocument.model_validate(original)
    found = view.load_predictions(parsed, NER_RUN)
    lstm = next(c.predictions for c in parsed.cells if c.model == "tiny_lstm" and c.seed == 0)
    del found[lstm]
    [task] = view.build(parsed, found).tasks
    assert task.notes == (f"predictions of tiny_lstm seed 0 ({lstm}) could not be read",)
    assert task.examples and all([r.model for r in e.readings] == ["tiny_gru"]
                                 for e in task.examples)
    [task] = view.build(parsed, {}).tasks
    assert task.examples == () and len(task.notes) == 2


def test_predictions_without_words_give_a_note(original: dict[str, Any]) -> None:
    parsed = ResultsDocument.model_validate(original)
    found = {name: [{k: v for k, v in r.items() if k != "words"} for r in table]
             for name, table in view.load_predictions(parsed, NER_RUN).items()}
    [task] = view.build(parsed, found).tasks
    assert task.examples == ()
    assert task.notes == ("the predictions hold no words (written by an older evalspec); run "
                          "the spec again to see example sentences",)


# ------------------------------------------------------------------------------ facts, families
def test_tag_repairs_are_among_the_facts(original: dict[str, Any]) -> None:
    assert original["tasks"]["entities"]["tag_repairs"] == {"train": 11, "validation": 2,
                                                            "test": 10}
    assert task_view(original).repairs == "train 11, validation 2, test 10"
    document = copy.deepcopy(original)
    document["tasks"]["entities"]["tag_repairs"] = {"test": 1}
    assert task_view(document).repairs == "test 1"
    del document["tasks"]["entities"]["tag_repairs"]  # an older file
    assert task_view(document).repairs == ""


def test_a_token_split_is_not_called_stratified(original: dict[str, Any]) -> None:
    assert original["tasks"]["entities"]["split"]["stratify"] is True
    assert task_view(original).split == "holdout: 25% test, 15% validation, seed 2"


def test_classification_reports_have_no_token_sections() -> None:
    document = ResultsDocument.model_validate(load(RUN))
    [task] = view.build(document, view.load_predictions(document, RUN)).tasks
    assert (task.entity_types, task.examples, task.repairs) == (None, (), "")
    assert task.confusions and task.plots
    [token] = build(load(NER_RUN)).tasks
    assert (token.confusions, token.plots) == ((), ())
