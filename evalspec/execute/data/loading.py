"""A task's data, read and checked before any training: sources → labels → splits."""

from __future__ import annotations

from pathlib import Path

from evalspec.errors import RunError
from evalspec.execute.data.examples import Loaded, TaskData
from evalspec.execute.data.problems import Problems
from evalspec.execute.data.sources import read_source
from evalspec.execute.data.splits import holdout
from evalspec.registry.tasks import TASK_TYPES, TaskType
from evalspec.validate.model import Task

SPLITS = ("train", "validation", "test")


def load_task_data(task: Task, base_dir: Path) -> TaskData:
    """Read, check and split a task's data; paths are relative to `base_dir`, the spec's
    folder. Every bad row found (up to five shown) is one RunError, raised before training.

    Labels are the declared `labels` in their order, else the sorted values seen in the
    training data (with `data` + `split`: in all of `data`; token classification: the tags
    of every split). `split` is stratified only for classification (regression, token
    classification and speech ignore `stratify`). Explicit splits are used as given."""
    kind = TASK_TYPES[task.type]
    problems = Problems()
    if task.data is not None:
        explicit = [name for name in SPLITS if getattr(task, name) is not None]
        if explicit:
            raise RunError(f"both `data` and `{explicit[0]}` are given; use `data` with "
                           "`split`, or explicit `train`, `validation` and `test`", "ES311")
        whole = _read(task.data, kind, base_dir, problems)
        labels = _labels(task, kind, whole, [], problems)
        problems.raise_if_any()
        stratify = task.split.stratify and kind.facts.stratify
        train, validation, test = holdout(whole, task.split, stratify)
    else:
        if task.train is None or task.test is None:
            raise RunError("a task needs `data` (divided by `split`) or explicit `train` and "
                           "`test` sources", "ES311")
        train = _read(task.train, kind, base_dir, problems)
        validation = (_read(task.validation, kind, base_dir, problems)
                      if task.validation is not None else None)
        test = _read(task.test, kind, base_dir, problems)
        labels = _labels(task, kind, train, [p for p in (validation, test) if p], problems)
        problems.raise_if_any()
    fingerprints = {k: v for part in (train, validation, test) if part
                    for k, v in part.fingerprints.items()}
    return TaskData(train.examples, validation.examples if validation else None,
                    test.examples, labels, fingerprints)


def _read(source: object, kind: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    loaded = read_source(source, kind, base_dir, problems)
    if not len(loaded) and not problems:
        raise RunError(f"{loaded.origin}: no examples; add data rows", "ES408")
    return loaded


def _labels(task: Task, kind: TaskType, train: Loaded, others: list[Loaded],
            problems: Problems) -> list[str]:
    """The label (or tag) set; values outside it go to `problems`."""
    if kind.facts.labels == "none":
        return []
    token = kind.facts.labels == "tags"
    what = "tag" if token else "label"
    if task.labels:
        labels, checked = list(task.labels), [train, *others]
        fix = f"is not among the declared labels ({', '.join(labels)}); add it to `labels` " \
              "or fix the row"
    else:
        checked = [] if token else others
        seen = [train, *others] if token else [train]
        labels = sorted({value for part in seen for value in _values(part.examples.targets,
                                                                      token)})
        fix = f"does not occur in the training data ({train.origin}); declare it in " \
              "`labels` or add training examples of it"
    allowed = set(labels)
    for part in checked:
        for location, target in zip(part.locations, part.examples.targets, strict=True):
            unknown = sorted(set(_values([target], token)) - allowed)
            if unknown:
                problems.add(location, f"{what} `{unknown[0]}` {fix}")
    return labels


def _values(targets: list[object], token: bool) -> list[str]:
    """Label strings of `targets` (tags of every sentence when `token`), skipping blanks."""
    if token:
        return [tag for tags in targets if isinstance(tags, list) for tag in tags if tag]
    return [target for target in targets if isinstance(target, str)]
