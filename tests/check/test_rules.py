"""The rule list is complete and one-way, and the per-source tables cover the registries."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from evalspec import api
from evalspec.check import (
    RULES,
    data,
    evaluations,
    finetune,
    labels,
    metrics,
    models,
    report,
    tasks,
)
from evalspec.check.data_files import READERS
from evalspec.check.models import WEIGHTS
from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.models import MODEL_SOURCES

RULE_MODULES = (data, evaluations, finetune, labels, metrics, models, report, tasks)
CHECK = Path(data.__file__).parent


def test_every_rule_is_listed_once() -> None:
    defined = [f for module in RULE_MODULES for name, f in vars(module).items()
               if inspect.isfunction(f) and f.__module__ == module.__name__
               and not name.startswith("_") and list(inspect.signature(f).parameters) == ["ctx"]]
    assert sorted(f.__qualname__ for f in defined) == sorted(r.__qualname__ for r in RULES)
    assert len(set(RULES)) == len(RULES)


def test_rule_modules_never_import_the_rule_list() -> None:
    submodules = {p.stem for p in CHECK.glob("*.py")}
    for path in CHECK.glob("*.py"):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "evalspec.check":
                assert {a.name for a in node.names} <= submodules, path.name
            if isinstance(node, ast.Import):
                assert all(a.name != "evalspec.check" for a in node.names), path.name


def test_every_data_source_with_a_file_has_a_reader() -> None:
    assert set(READERS) == {n for n, s in DATA_SOURCES.items() if s.location is not None}


def test_every_local_model_source_has_its_weights_found() -> None:
    assert set(WEIGHTS) <= set(MODEL_SOURCES)
    assert {n for n, s in MODEL_SOURCES.items() if s.locate is not None} <= set(WEIGHTS)


def test_a_builtin_data_set_fits_only_the_tasks_it_can_feed(tmp_path: Path) -> None:
    spec = tmp_path / "spec.evalspec"
    spec.write_text(
        "evalspec 1\n"
        "task flowers {\n  type = image_classification\n  data = builtin(iris)\n}\n"
        'model m {\n  source = timm("resnet18", pretrained = false)\n}\n'
        "finetune {\n  stage s {\n    train  = all\n    epochs = 1\n    lr     = 1e-3\n  }\n}\n"
        "metrics {\n  accuracy\n}\n", encoding="utf-8")
    found = [(d.code, d.message) for d in api.check(spec).diagnostics]
    assert ("ES312", "`builtin(iris)` holds tabular classification data; task `flowers` is "
            "image_classification") in found
