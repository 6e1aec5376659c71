"""Label rules: declared labels and the labels in the data agree (ES404), and a token
task's `labels` are entity types or IOB2 tags (ES312).

With inferred labels, the meaning checks that need the label set (ES302, ES308, ES312) run
here, on the labels the data holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from evalspec.check import data_files as files
from evalspec.check.context import SOURCE_ROLES, Context, fits, labels_of
from evalspec.check.paths import usable
from evalspec.diagnostics import Diagnostic, Severity, did_you_mean, one_of
from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import Label, Task

SHOWN_ROWS = 3  # offending rows named in a hint
IOB_TAG = re.compile(r"[BIESLU]-\S+")  # a prefixed tag, as `execute/data/tags.py` reads it
IOB2_PREFIX = {"E": "I", "L": "I", "S": "B", "U": "B"}  # what such a tag is read as


def token_labels_take_one_form(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: a token task's `labels` are entity types (`PER`, standing for `O`, `B-PER`
    and `I-PER`) or IOB2 tags (`O`, `B-PER`, `I-PER`), never a mix, and never E-/S-/L-/U-
    tags (the data's tags are read as IOB2)."""
    for name, task in ctx.spec.tasks.items():
        if TASK_TYPES[task.type].facts.labels != "tags" or not task.labels:
            continue
        named = next((i for i, entry in enumerate(task.labels) if isinstance(entry, Label)),
                     None)
        if named is not None:
            yield Diagnostic(
                "ES312", f"`label(…)` names classes; the labels of task `{name}` are IOB tags",
                ctx.spans.value(("tasks", name, "labels", named)),
                "list entity types or tags as they are in the data, e.g. `[\"PER\", \"ORG\"]`")
            continue
        labels = [label for label in task.labels if isinstance(label, str)]
        tags = [i for i, label in enumerate(labels) if IOB_TAG.fullmatch(label)]
        types = [i for i, label in enumerate(labels) if label != "O" and i not in tags]
        if tags and types:
            yield Diagnostic(
                "ES312", f"`labels` of task `{name}` mixes entity types (`{labels[types[0]]}`) "
                f"and tags (`{labels[tags[0]]}`)",
                ctx.spans.value(("tasks", name, "labels", max(tags[0], types[0]))),
                f"list the entity types alone (`[\"{labels[types[0]]}\", …]` stands for `O`, "
                f"`B-{labels[types[0]]}` and `I-{labels[types[0]]}`), or every tag")
            continue
        for i in (i for i in tags if labels[i][0] in IOB2_PREFIX):
            read = f"{IOB2_PREFIX[labels[i][0]]}{labels[i][1:]}"
            yield Diagnostic(
                "ES312", f"`{labels[i]}` is not an IOB2 tag; task `{name}` reads its tags as "
                f"IOB2 (`{labels[i]}` as `{read}`)", ctx.spans.value(("tasks", name, "labels", i)),
                f"declare `{read}`, or the entity types alone")


def _observed(ctx: Context, task: Task, source: Any) -> files.Observed | None:
    """Label cells of a table, class folders of a folder source, or None when not knowable."""
    found = usable(ctx.base_dir, source)
    if found is None:
        return None
    columns = source.named_columns() if DATA_SOURCES[source.fn].tabular else {}
    try:
        return files.READERS[source.fn].labels(found, source,
                                               columns.get(TASK_TYPES[task.type].target))
    except files.Unreadable:
        return None


def labels_match_data(ctx: Context) -> Iterator[Diagnostic]:
    """ES404: declared labels and the label values in the data agree (never-seen: warning);
    with inferred labels, the ES302/ES308/ES312 checks that need the label set."""
    for name, task in ctx.spec.tasks.items():
        if TASK_TYPES[task.type].facts.labels != "classes":
            continue
        seen: dict[str, None] = {}
        complete = True
        values = [value for value, _ in task.declared() or ()]
        for role in SOURCE_ROLES:
            source = getattr(task, role)
            if source is None:
                continue
            observed = _observed(ctx, task, source)
            if observed is None:
                complete = False
                continue
            seen.update((v, None) for v in _values(observed) if v is not None)
            if task.labels is not None:
                yield from _unknown_labels(ctx, ("tasks", name, "labels"), values, source,
                                           observed)
        if not complete or not seen:
            yield from _builtin_classes(ctx, name, task)
        elif task.labels is not None:
            yield from _unused_labels(ctx, name, task, list(seen))
        else:
            yield from _inferred(ctx, name, task, sorted(seen))
        known = values if task.labels is not None else list(seen) if complete else None
        for extra, source in task.evaluate.items():
            observed = _observed(ctx, task, source)
            if known is not None and observed is not None:
                yield from _unknown_labels(ctx, ("tasks", name, "evaluate", extra), known,
                                           source, observed)


def _values(observed: files.Observed) -> list[str | None]:
    return [c if isinstance(c, str) else c.value for c in observed]


def _unknown_labels(ctx: Context, at: tuple[str, ...], known: list[str], source: Any,
                    observed: files.Observed) -> Iterator[Diagnostic]:
    """ES404 at `at` (`labels`, or an extra set) for the data's values outside `known`."""
    declared = set(known)
    span = ctx.spans.value(at)
    if DATA_SOURCES[source.fn].layout == "folder":
        extra = [c for c in observed if isinstance(c, str) and c not in declared]
        if extra:
            listed = ", ".join(f'"{c}"' for c in extra)
            yield Diagnostic(
                "ES404", f"class folder{'s' if len(extra) > 1 else ''} {listed} in "
                f"`{source.dir}` {'are' if len(extra) > 1 else 'is'} not among `labels`", span,
                f"add {listed} to `labels`, or move {'them' if len(extra) > 1 else 'it'} out "
                f"of `{source.dir}`")
        return
    bad = [c for c in observed if isinstance(c, files.LabelCell) and c.value not in declared]
    if not bad:
        return
    values = list(dict.fromkeys("(missing)" if c.value is None else f'"{c.value}"' for c in bad))
    rows = ", ".join(f"{source.path}:{c.row}" for c in bad[:SHOWN_ROWS])
    more = f" and {len(bad) - SHOWN_ROWS} more" if len(bad) > SHOWN_ROWS else ""
    shown = ", ".join(values[:5]) + (", …" if len(values) > 5 else "")
    yield Diagnostic(
        "ES404", f"label{'s' if len(values) > 1 else ''} {shown} in `{source.path}` "
        f"{'are' if len(values) > 1 else 'is'} not among `labels`", span,
        f"add {shown} to `labels`, or fix the rows: {rows}{more}")


def _unused_labels(ctx: Context, name: str, task: Task, seen: list[str]) -> Iterator[Diagnostic]:
    for i, (value, label) in enumerate(task.declared() or ()):
        if value not in seen:
            what = f'label "{value}"' if value == label else \
                f'label value "{value}" (named "{label}")'
            yield Diagnostic(
                "ES404", f"{what} never occurs in the data of task `{name}`",
                ctx.spans.value(("tasks", name, "labels", i, "value")),
                did_you_mean(value, seen) or "remove it, or check the label column",
                severity=Severity.WARNING)


def _inferred(ctx: Context, name: str, task: Task, labels: list[str]) -> Iterator[Diagnostic]:
    shown = ", ".join(f'"{v}"' for v in labels[:5]) + (", …" if len(labels) > 5 else "")
    yield from _binary_average(ctx, name, task, len(labels), f" in its data ({shown})")
    if task.positive is None:
        return
    if len(labels) > 2:
        yield Diagnostic(
            "ES312", f"`positive` applies to tasks with two labels; the data of `{name}` has "
            f"{len(labels)} ({shown})", ctx.spans.key(("tasks", name, "positive")),
            "remove `positive`; with more labels every class counts")
    elif task.positive not in labels:
        yield Diagnostic(
            "ES308", f'`positive` is "{task.positive}", which never occurs in the label column',
            ctx.spans.value(("tasks", name, "positive")),
            did_you_mean(task.positive, labels) or f"use one of {one_of(labels)}")


def _builtin_classes(ctx: Context, name: str, task: Task) -> Iterator[Diagnostic]:
    source = task.data or task.train
    if (task.labels is None and source is not None
            and DATA_SOURCES[source.fn].layout == "dataset"):
        data = BUILTIN_DATASETS.get(source.name)
        if data is not None and data.classes is not None:
            yield from _binary_average(ctx, name, task, data.classes,
                                       f" (`{source.fn}({data.name})`)")


def _binary_average(ctx: Context, name: str, task: Task, count: int,
                    where: str) -> Iterator[Diagnostic]:
    if count <= 2 or labels_of(task) is not None:
        return
    for i, entry in enumerate(ctx.spec.metrics.entries):
        if getattr(entry.metric, "average", None) == "binary" and fits(entry.metric.fn, task):
            yield Diagnostic(
                "ES302", f"`average = binary` needs two labels; task `{name}` has {count}{where}",
                ctx.spans.value(("metrics", "entries", i, "metric", "average")),
                "use `average = macro` (or `micro`, `weighted`) for more than two labels")
