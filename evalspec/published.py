"""The JSON Schemas published with the package (`evalspec/schemas/`): of the validated spec
and of results.json. A test keeps the files equal to the models; `python -m
evalspec.published` writes them again after a model changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a spec as validation leaves it (see `evalspec schema`)."""
    from evalspec.validate.model import Spec

    return {"$schema": DIALECT, **Spec.model_json_schema()}


def schemas() -> dict[str, dict[str, Any]]:
    """Each published schema by its file name."""
    from evalspec.results.schema import json_schema

    return {"evalspec.schema.json": spec_schema(), "results.schema.json": json_schema()}


def text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    from evalspec.atomic import write_text

    for name, schema in schemas().items():
        write_text(FOLDER / name, text(schema))
        print(f"wrote {FOLDER / name}")
