"""A task's data, read and checked before any training: sources → labels → splits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples, Loaded, TaskData
from evalspec.execute.data.problems import Problems
from evalspec.execute.data.sources import own_fingerprints, read_source
from evalspec.execute.data.splits import holdout
from evalspec.execute.data.tags import declared_tags, inferred_tags, is_tag, to_iob2
from evalspec.execute.data.transcripts import characters, normalize
from evalspec.execute.events import Event
from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.tasks import TASK_TYPES, TaskType
from evalspec.validate.model import Task

SPLITS = ("train", "validation", "test")


def load_task_data(task: Task, base_dir: Path,
                   progress: Callable[[Event], None] = lambda event: None) -> TaskData:
    """Read, check and split a task's data; paths are relative to `base_dir`, the spec's
    folder. Every bad row found (up to five shown) is one RunError, raised before training.
    Each source read is a `read` event to `progress`: how many rows (sentences, images, …)
    it gave.

    Labels are the declared `labels` in their order, else the sorted values seen in the
    training data (with `data` + `split`: in all of `data`). A label declared as
    `label(VALUE, NAME)` is matched in the data by its value and goes by its name in every
    split and extra set (after splitting: naming labels moves no example). Token
    classification reads its tags as IOB2 (`tags.to_iob2`: other schemes converted, stray
    `I-` repaired) and counts the tags changed per split; its `labels` may be entity types
    (`tags.declared_tags`); inferred, its tags are those of every split
    (`tags.inferred_tags`). Speech reads its transcripts under the task's `normalize` rule;
    its labels are the characters of the training transcripts (what CTC spells with).
    `split` is stratified only for classification (regression, token classification and
    speech ignore `stratify`). Explicit splits are used as given."""
    kind = TASK_TYPES[task.type]
    problems = Problems()
    if task.data is not None:
        explicit = [name for name in SPLITS if getattr(task, name) is not None]
        if explicit:
            raise RunError(f"both `data` and `{explicit[0]}` are given; use `data` with "
                           "`split`, or explicit `train`, `validation` and `test`", "ES311")
        whole, changed = _read(task, task.data, kind, base_dir, problems, progress)
        labels = _labels(task, kind, whole, [], problems)
        problems.raise_if_any()
        stratify = task.split.stratify and kind.facts.stratify
        train, validation, test = holdout(whole, task.split, stratify)
        repairs = {name: _changed(part, changed) for name, part
                   in zip(SPLITS, (train, validation, test), strict=True)}
    else:
        if task.train is None or task.test is None:
            raise RunError("a task needs `data` (divided by `split`) or explicit `train` and "
                           "`test` sources", "ES311")
        read = {name: _read(task, source, kind, base_dir, problems, progress) for name in SPLITS
                if (source := getattr(task, name)) is not None}
        (train, _), (test, _) = read["train"], read["test"]
        validation = read["validation"][0] if "validation" in read else None
        labels = _labels(task, kind, train, [p for p in (validation, test) if p], problems)
        problems.raise_if_any()
        repairs = {name: _changed(loaded, changed) for name, (loaded, changed) in read.items()}
    extra = _extra_sets(task, kind, labels, base_dir, progress)
    fingerprints = {k: v for part in (train, validation, test) if part
                    for k, v in part.fingerprints.items()}
    names = _names(task, kind)
    return TaskData(_named(train.examples, names),
                    _named(validation.examples, names) if validation else None,
                    _named(test.examples, names), labels, fingerprints,
                    {name: count for name, count in repairs.items() if count},
                    {name: _named(loaded.examples, names) for name, loaded in extra.items()},
                    {name: loaded.fingerprints for name, loaded in extra.items()})


def unread_fingerprints(task: Task, base_dir: Path
                        ) -> tuple[dict[str, str], dict[str, dict[str, str]]] | None:
    """The fingerprints `load_task_data` records — of the splits' sources, and of each extra
    set — computed without reading the data (`sources.own_fingerprints`); None when a
    source's are known only by reading it, or a path is missing or refused (reading
    reports that)."""
    named = [task.data] if task.data is not None else \
        [source for name in SPLITS if (source := getattr(task, name)) is not None]
    try:
        splits = [own_fingerprints(source, base_dir) for source in named]
        extra = {name: own_fingerprints(source, base_dir)
                 for name, source in task.evaluate.items()}
    except (RunError, OSError):
        return None
    if any(found is None for found in splits) or any(f is None for f in extra.values()):
        return None
    return ({k: v for found in splits if found for k, v in found.items()},
            {name: found for name, found in extra.items() if found is not None})


def _extra_sets(task: Task, kind: TaskType, labels: list[str], base_dir: Path,
                progress: Callable[[Event], None]) -> dict[str, Loaded]:
    """The task's extra evaluation sets, read like its splits; a label (or tag) outside the
    task's set is a problem, since the trained heads know only those."""
    problems = Problems()
    extra = {name: _read(task, source, kind, base_dir, problems, progress)[0]
             for name, source in task.evaluate.items()}
    if kind.facts.declares_labels:
        token = kind.facts.labels == "tags"
        allowed = _accepted(task, kind, labels)
        for name, loaded in extra.items():
            for location, target in zip(loaded.locations, loaded.examples.targets, strict=True):
                unknown = sorted(set(_values([target], token)) - allowed)
                if unknown:
                    problems.add(location, f"{'tag' if token else 'label'} `{unknown[0]}` is "
                                 f"not among the task's ({_shown(task, labels)}); the extra set "
                                 f"`{name}` is scored with the task's labels: fix the row, or "
                                 "add it to `labels`")
    problems.raise_if_any()
    return extra


def _read(task: Task, source: Any, kind: TaskType, base_dir: Path, problems: Problems,
          progress: Callable[[Event], None]) -> tuple[Loaded, dict[str, int]]:
    """The source's examples (tags as IOB2, transcripts normalised) and, by location, how
    many tags were changed."""
    loaded = read_source(source, kind, base_dir, problems)
    progress({"kind": "read", "file": loaded.origin, "count": len(loaded),
              "unit": DATA_SOURCES[source.fn].counted})
    if not len(loaded) and not problems:
        raise RunError(f"{loaded.origin}: no examples; add data rows", "ES408")
    if kind.facts.labels == "characters":
        return _normalized(loaded, task), {}
    if kind.facts.labels != "tags":
        return loaded, {}
    return _as_iob2(loaded, problems)


def _normalized(loaded: Loaded, task: Task) -> Loaded:
    targets = [normalize(t, task.normalize) if isinstance(t, str) else t
               for t in loaded.examples.targets]
    examples = Examples(loaded.examples.ids, loaded.examples.inputs, targets)
    return Loaded(loaded.origin, examples, loaded.locations, loaded.fingerprints)


def _as_iob2(loaded: Loaded, problems: Problems) -> tuple[Loaded, dict[str, int]]:
    """Tags rewritten as IOB2; a value that is no IOB tag goes to `problems`."""
    targets: list[object] = []
    changed: dict[str, int] = {}
    for location, tags in zip(loaded.locations, loaded.examples.targets, strict=True):
        bad = next((i for i, tag in enumerate(tags or []) if tag and not is_tag(tag)), None)
        if bad is not None:
            problems.add(location, f"tag `{tags[bad]}` (token {bad + 1}) is not an IOB tag; "
                         "write `O`, or `B-`, `I-` (or `E-`, `S-`) and the entity type, as "
                         "in `B-PER`")
        if not isinstance(tags, list) or bad is not None:
            targets.append(tags)
            continue
        iob2, count = to_iob2(tags)
        targets.append(iob2)
        if count:
            changed[location] = count
    examples = Examples(loaded.examples.ids, loaded.examples.inputs, targets)
    return Loaded(loaded.origin, examples, loaded.locations, loaded.fingerprints), changed


def _changed(part: Loaded | None, changed: dict[str, int]) -> int:
    """How many of the part's tags were changed when read as IOB2."""
    return sum(changed.get(location, 0) for location in part.locations) if part else 0


def _labels(task: Task, kind: TaskType, train: Loaded, others: list[Loaded],
            problems: Problems) -> list[str]:
    """The label (or tag) set; values outside it go to `problems`."""
    if kind.facts.labels == "none":
        return []
    if kind.facts.labels == "characters":
        return characters(t for t in train.examples.targets if isinstance(t, str))
    token = kind.facts.labels == "tags"
    what = "tag" if token else "label"
    declared = task.label_names()
    if declared:
        labels, checked = _declared(declared, token), [train, *others]
        add = "its entity type" if any(not is_tag(label) for label in declared) \
            and token else "it"
        fix = f"is not among the declared labels ({_shown(task, labels)}); add {add} to " \
              "`labels` or fix the row"
    elif token:
        labels, checked = inferred_tags(_values(part.examples.targets, token)
                                        for part in (train, *others)), []
        fix = ""
    else:
        checked = others
        labels = sorted({value for value in _values(train.examples.targets, token)})
        fix = f"does not occur in the training data ({train.origin}); declare it in " \
              "`labels` or add training examples of it"
    allowed = _accepted(task, kind, labels)
    for part in checked:
        for location, target in zip(part.locations, part.examples.targets, strict=True):
            unknown = sorted(set(_values([target], token)) - allowed)
            if unknown:
                problems.add(location, f"{what} `{unknown[0]}` {fix}")
    return labels


def _accepted(task: Task, kind: TaskType, labels: list[str]) -> set[str]:
    """The label values the data may hold: a classification task's declared values (a
    `label(VALUE, NAME)` by its value), else the labels themselves."""
    declared = task.declared()
    if declared and kind.facts.labels == "classes":
        return {value for value, _ in declared}
    return set(labels)


def _shown(task: Task, labels: list[str]) -> str:
    """The labels as the spec declares them: a named one as `VALUE as NAME`."""
    declared = task.declared()
    if not declared or all(value == name for value, name in declared):
        return ", ".join(labels)
    return ", ".join(value if value == name else f"{value} as {name}"
                     for value, name in declared)


def _names(task: Task, kind: TaskType) -> dict[str, str]:
    """Value in the data → name, for the classes declared as `label(VALUE, NAME)`."""
    if kind.facts.labels != "classes":
        return {}
    return {value: name for value, name in task.declared() or () if value != name}


def _named(examples: Examples, names: dict[str, str]) -> Examples:
    """The examples with each named label value replaced by its name."""
    if not names:
        return examples
    return Examples(examples.ids, examples.inputs,
                    [names.get(target, target) for target in examples.targets])


def _declared(labels: list[str], token: bool) -> list[str]:
    """The declared labels; a token task's expanded to its tag set."""
    if not token:
        return list(labels)
    try:
        return declared_tags(labels)
    except ValueError as error:
        raise RunError(str(error), "ES312") from None


def _values(targets: list[object], token: bool) -> list[str]:
    """Label strings of `targets` (tags of every sentence when `token`), skipping blanks."""
    if token:
        return [tag for tags in targets if isinstance(tags, list) for tag in tags if tag]
    return [target for target in targets if isinstance(target, str)]
