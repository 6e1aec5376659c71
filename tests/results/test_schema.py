"""results.json has a versioned schema that describes exactly what a run writes."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from evalspec.cli import main
from evalspec.errors import UsageError
from evalspec.results.schema import SCHEMA_VERSION, ResultsDocument, json_schema, read
from tests.committed import RUN, load, save
from tests.report.ner import NER_RUN


def test_the_committed_run_round_trips_exactly() -> None:
    document = load(RUN)
    assert document["schema_version"] == SCHEMA_VERSION
    parsed = ResultsDocument.model_validate(document)
    assert parsed.model_dump(mode="json") == document  # no field missing, none invented


def _descriptions(schema: dict[str, Any]) -> list[str]:
    """Properties without a description, anywhere in the schema."""
    missing = []
    for name, definition in [("", schema), *schema.get("$defs", {}).items()]:
        for key, prop in definition.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{name}.{key}")
    return missing


def test_the_json_schema_documents_every_field() -> None:
    schema = json_schema()
    assert set(schema["required"]) == set(ResultsDocument.model_fields)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert _descriptions(schema) == []


def test_every_field_is_in_docs_results_md() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "results.md").read_text("utf-8")
    schema = json_schema()
    names = set(schema["properties"])
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {}))
    assert sorted(n for n in names if f"`{n}`" not in page) == []


def test_schema_command_prints_the_results_schema() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["schema", "--results"]) == 0
    assert json.loads(out.getvalue()) == json_schema()


@pytest.mark.parametrize("change", [
    lambda d: d.update(schema_version=1),
    lambda d: d.update(surprise=True),
    lambda d: d["cells"][0]["test"]["f1"].update(value="high"),
    lambda d: d["tasks"]["tickets"].pop("sizes"),
])
def test_foreign_or_older_files_are_one_line_errors(change: Any, run_folder: Path) -> None:
    document = copy.deepcopy(load(run_folder))
    change(document)
    save(run_folder, document)
    with pytest.raises(UsageError) as caught:
        read(run_folder / "results.json")
    assert "\n" not in str(caught.value)


def test_nan_is_not_a_number_the_schema_accepts(run_folder: Path) -> None:
    text = (run_folder / "results.json").read_text("utf-8")
    text = text.replace('"train_loss": ', '"train_loss": NaN, "x": ', 1)
    (run_folder / "results.json").write_text(text, "utf-8")
    with pytest.raises(UsageError):
        read(run_folder / "results.json")


def test_the_committed_ner_run_round_trips_exactly() -> None:
    document = load(NER_RUN)
    assert document["tasks"]["entities"]["tag_repairs"]
    assert ResultsDocument.model_validate(document).model_dump(mode="json") == document


def test_a_file_without_tag_repairs_reads_as_none_repaired(run_folder: Path) -> None:
    document = load(run_folder)
    for task in document["tasks"].values():
        del task["tag_repairs"]
    save(run_folder, document)
    assert all(t.tag_repairs == {} for t in read(run_folder / "results.json").tasks.values())
