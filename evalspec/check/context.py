"""What a rule sees: the spec, its spans and folder, and the task facts several rules share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import TASK_TYPES, TaskType
from evalspec.validate.model import Spec, Task
from evalspec.validate.spans import SpanIndex

SOURCE_ROLES = ("data", "train", "validation", "test")
SPLIT_EXAMPLE = "`split = holdout(test = 20%, validation = 10%)`"
FEATURES = "tabular"  # the input of a table read as numeric features
MEDIA = frozenset(t.modality for t in TASK_TYPES.values())  # column keywords naming an input


@dataclass(frozen=True)
class Context:
    """What a rule sees: the spec, where its values were written, and the spec's folder."""

    spec: Spec
    spans: SpanIndex
    base_dir: Path

    def task_sources(self) -> Iterator[tuple[str, Task, tuple[str | int, ...], Any]]:
        """(task name, task, where it is written, source) for every data source the tasks
        name: `data`, `train`, `validation`, `test`, then the extra evaluation sets."""
        for name, task in self.spec.tasks.items():
            for role in SOURCE_ROLES:
                source = getattr(task, role)
                if source is not None:
                    yield name, task, ("tasks", name, role), source
            for extra, source in task.evaluate.items():
                yield name, task, ("tasks", name, "evaluate", extra), source


def fits(metric_fn: str, task: Task) -> bool:
    """Whether the task's predictions give what the metric reads."""
    return task.type in METRICS[metric_fn].tasks


def labels_of(task: Task) -> list[str] | None:
    """The declared label names without duplicates, or None when labels are inferred."""
    names = task.label_names()
    return list(dict.fromkeys(names)) if names is not None else None


def task_modality(task: Task) -> str:
    """text, image, audio or tabular: what the task's examples carry. A built-in data set
    says so itself; a `columns` task (regression) reads the input its table names."""
    sources = [s for s in (task.data, task.train) if s is not None]
    dataset = next((s for s in sources if DATA_SOURCES[s.fn].layout == "dataset"), None)
    if dataset is not None and dataset.name in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[dataset.name].modality
    kind = TASK_TYPES[task.type]
    if kind.modality != "columns":
        return kind.modality
    named = {c for s in sources if DATA_SOURCES[s.fn].tabular for c in s.named_columns()}
    return _named_input(kind, named)


def _named_input(kind: TaskType, named: set[str]) -> str:
    """The last of the optional inputs (listed text first, image last) that the table names
    and that is an input of its own; none: numeric features."""
    inputs = [c for c in kind.optional_inputs if c in named and c in MEDIA]
    return inputs[-1] if inputs else FEATURES
