"""The JSON Schemas shipped in the package equal the models they describe."""

from __future__ import annotations

import json

import pytest

from evalspec.published import FOLDER, schemas, text


@pytest.mark.parametrize("name", sorted(schemas()))
def test_each_published_schema_equals_its_model(name: str) -> None:
    published = (FOLDER / name).read_text(encoding="utf-8")
    assert published == text(schemas()[name]), \
        f"evalspec/schemas/{name} is stale: run `python -m evalspec.published`"
    assert json.loads(published)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_spec_schema_describes_every_block() -> None:
    spec = schemas()["evalspec.schema.json"]
    assert set(spec["properties"]) == {"version", "tasks", "models", "finetune", "metrics",
                                       "report"}
    assert spec["required"] == ["version", "tasks", "models", "metrics"]
