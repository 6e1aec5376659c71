"""The rule registry: one small function per rule, each owning its diagnostic codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec.diagnostics import Diagnostic
from evalspec.validate.model import Spec, Task
from evalspec.validate.spans import SpanIndex

SOURCE_ROLES = ("data", "train", "validation", "test")


@dataclass(frozen=True)
class Context:
    """What a rule sees: the spec, where its values were written, and the spec's folder."""

    spec: Spec
    spans: SpanIndex
    base_dir: Path

    def task_sources(self) -> Iterator[tuple[str, Task, str, Any]]:
        """(task name, task, role, source) for every data source the tasks name."""
        for name, task in self.spec.tasks.items():
            for role in SOURCE_ROLES:
                source = getattr(task, role)
                if source is not None:
                    yield name, task, role, source


Rule = Callable[[Context], Iterable[Diagnostic]]
RULES: list[Rule] = []


def rule(function: Rule) -> Rule:
    """Register a rule; rules run in registration order."""
    RULES.append(function)
    return function


def run_rules(context: Context) -> list[Diagnostic]:
    # Importing the rule modules fills RULES.
    from evalspec.check import (  # noqa: F401
        labels,
        model_fit,
        models,
        resolve,
        semantic,
        settings,
    )

    found: list[Diagnostic] = []
    for function in RULES:
        found.extend(function(context))
    return found
