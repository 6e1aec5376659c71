"""Token tasks record how many gold tags reading the data as IOB2 changed, per split, as the
data reader counted them; rescoring keeps the record and the reports show it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalspec import api
from evalspec.execute.data.loading import load_task_data
from evalspec.results.schema import read
from tests import tiny
from tests.committed import load
from tests.report.ner import NER_PROJECT, NER_RUN

REPAIRS = {"train": 11, "validation": 2, "test": 10}


def test_the_committed_ner_run_records_what_the_reader_counts() -> None:
    spec = api.load(NER_PROJECT / "ner.evalspec").validated
    assert spec is not None
    data = load_task_data(spec.spec.tasks["entities"], NER_PROJECT)
    assert data.tag_repairs == REPAIRS == load(NER_RUN)["tasks"]["entities"]["tag_repairs"]
    assert (NER_RUN / "ner.evalspec").read_text() == (NER_PROJECT / "ner.evalspec").read_text()


def ner_spec(metrics: str) -> str:
    return tiny.spec(
        tiny.task(tiny.call("conll", tiny.quoted("ner.conll")), name="entities",
                  type="token_classification", split=tiny.holdout("25%", "15%", seed=2)),
        tiny.model("lstm", tiny.scratch("lstm", hidden=8), max_length=16),
        finetune=tiny.finetune(tiny.full(epochs=1, lr="1e-2"), batch_size=16),
        metrics=metrics, report=tiny.report("json", "markdown"))


@pytest.mark.slow
def test_a_ner_run_records_tag_repairs_and_rescoring_keeps_them(tmp_path: Path) -> None:
    shutil.copy(NER_PROJECT / "ner.conll", tmp_path / "ner.conll")
    spec = tiny.write(tmp_path, ner_spec(tiny.metrics("entity_f1")), "ner.evalspec")
    assert tiny.run(spec, tmp_path / "out", cache=tmp_path / "cache") == 0
    results = tmp_path / "out" / "results.json"
    assert read(results).tasks["entities"].tag_repairs == REPAIRS
    spec.write_text(ner_spec(tiny.metrics("entity_f1", "entity_recall")), encoding="utf-8")
    api.report(results, ("markdown",))
    again = json.loads(results.read_text(encoding="utf-8"))
    assert "entity_recall" in again["cells"][0]["test"]
    assert again["tasks"]["entities"]["tag_repairs"] == REPAIRS
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "Tag repairs (gold tags changed when the data was read as IOB2): train 11, " \
           "validation 2, test 10." in markdown
