"""The architecture holds: the import graph has no circle, each stage imports only what it
may, and no task-type or source-name branch lives outside the registries."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.models import MODEL_SOURCES
from evalspec.registry.tasks import FAMILIES, TASK_TYPES

PACKAGE = Path(__file__).resolve().parents[1] / "evalspec"
# A comparison of one of these attributes with a registered name is a branch on a task type,
# a family or a source: it belongs in the registry (which declares the facts) instead.
BRANCHING_ATTRIBUTES = {"type", "fn", "family", "name"}
REGISTERED = {*TASK_TYPES, *FAMILIES, *MODEL_SOURCES, *DATA_SOURCES}
MAY_NAME_THEM = ("registry/",)


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every evalspec module `name` imports, at the top or inside functions (lazy imports
    count: they run too)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def _type_checking_only(name: str) -> set[str]:
    """Imports made only for type annotations (`if TYPE_CHECKING:`): they never run."""
    tree = ast.parse(modules()[name].read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    names.add(inner.module)
                    names.update(f"{inner.module}.{a.name}" for a in inner.names)
    return names


def runtime_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {name: targets - _type_checking_only(name) for name, targets in graph.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, if there is any (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_import_graph_has_no_circle(graph: dict[str, set[str]]) -> None:
    # A package's __init__ re-exporting its own modules is not a circle between stages.
    edges = {name: {t for t in targets if not name.startswith(t + ".")}
             for name, targets in runtime_graph(graph).items()}
    assert cycle(edges) is None


@pytest.mark.parametrize(("stage", "forbidden"), [
    ("evalspec.results", ("evalspec.execute", "evalspec.report", "evalspec.cli")),
    ("evalspec.report", ("evalspec.execute", "evalspec.cli")),
    ("evalspec.metrics", ("evalspec.execute", "evalspec.results", "evalspec.report")),
    ("evalspec.check", ("evalspec.execute", "evalspec.results", "evalspec.report")),
    ("evalspec.registry", ("evalspec.check", "evalspec.execute", "evalspec.results",
                           "evalspec.report", "evalspec.cli", "evalspec.validate")),
    ("evalspec.plan", ("evalspec.execute", "evalspec.results", "evalspec.report")),
    ("evalspec.prescreen", ("evalspec.execute", "evalspec.results", "evalspec.report")),
    ("evalspec.execute", ("evalspec.results", "evalspec.report", "evalspec.cli")),
])
def test_each_stage_imports_only_what_it_may(graph: dict[str, set[str]], stage: str,
                                             forbidden: tuple[str, ...]) -> None:
    wrong = sorted(f"{name} → {target}" for name, targets in runtime_graph(graph).items()
                   if name == stage or name.startswith(stage + ".")
                   for target in targets if target.startswith(forbidden))
    assert wrong == []


def _branches(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(isinstance(s, ast.Attribute) and s.attr in BRANCHING_ATTRIBUTES
                   for s in sides):
            continue
        for side in sides:
            values = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
            named = [v.value for v in values
                     if isinstance(v, ast.Constant) and v.value in REGISTERED]
            if named:
                yield f"{path.relative_to(PACKAGE)}:{node.lineno} compares with {named}"


def test_no_task_type_or_source_name_branch_outside_the_registries() -> None:
    found = [branch for name, path in modules().items()
             if not path.relative_to(PACKAGE).as_posix().startswith(MAY_NAME_THEM)
             for branch in _branches(path)]
    assert found == []


def test_the_checks_themselves_find_what_they_look_for(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    written = tmp_path / "sample.py"
    written.write_text('if task.type == "regression" or source.fn in ("hf", "timm"):\n'
                       '    pass\nif device.type == "cuda":\n    pass\n')
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path)
    assert [b.split(" ", 1)[1] for b in _branches(written)] == [
        "compares with ['regression']", "compares with ['hf', 'timm']"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_the_architecture_doc_names_only_files_that_exist() -> None:
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_/]+(?:\.py|/))(?:::\w+)?`", doc))
    def exists(written: str) -> bool:
        if "/" not in written.rstrip("/"):  # a bare file name: somewhere in the package
            return any(PACKAGE.rglob(written))
        return (PACKAGE / written).exists() or (PACKAGE.parent / written).exists()

    missing = sorted(n for n in named if "NAME" not in n and not exists(n))
    assert len(named) > 20
    assert missing == []
