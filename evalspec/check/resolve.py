"""Resolution rules (ES4xx) for data: files, folders, columns and labels the spec names exist.

Paths resolve against the spec file's folder, never the working directory. Files are read
with the standard library only (a header, a first record, a label column).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalspec.check import data_files as files
from evalspec.check.rules import Context, rule
from evalspec.check.semantic import fits, labels_of
from evalspec.diagnostics import Diagnostic, Severity, did_you_mean, one_of
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.source import Span
from evalspec.validate.model import Task

FILE_SOURCES = ("csv", "jsonl", "parquet", "conll")
FOLDER_SOURCES = ("images", "audio")
READ_HINTS = {"csv": "save it as UTF-8 CSV with a header row",
              "jsonl": "write one JSON object per line, in UTF-8",
              "parquet": "point at a Parquet file, or use `csv(…)`/`jsonl(…)`",
              "conll": "write one token per line, then its tags, in UTF-8",
              "images": "put each class's images in its own sub-folder",
              "audio": "put each class's clips in its own sub-folder"}
SHOWN_ROWS = 3


def path_key(source: Any) -> str | None:
    """The argument holding the source's file or folder, if it has one."""
    return "path" if source.fn in FILE_SOURCES else "dir" if source.fn in FOLDER_SOURCES else None


def locate(base_dir: Path, written: str, span: Span, code: str, what: str,
           want_dir: bool | None) -> Iterator[Diagnostic]:
    """`code` (ES401/ES405) when the path is missing; ES402 when it is a folder for a file or
    the reverse (`want_dir` None: either will do)."""
    found = files.resolve(base_dir, written)
    if not found.exists():
        near = files.suggest_path(base_dir, written)
        beside = files.beside_working_dir(base_dir, written)
        if beside:
            hint = f"paths are relative to the spec file, not the working directory: `{beside}`"
        else:
            hint = (f"did you mean `{near}`? " if near else "") + f"(looked for {found})"
        yield Diagnostic(code, f"{what} `{written}` not found", span, hint)
    elif want_dir is not None and found.is_dir() != want_dir:
        kind, other = ("a folder", "a file") if want_dir else ("a file", "a folder")
        yield Diagnostic(
            "ES402", f"`{written}` is {other}; {what} must be {kind}", span,
            f"point at {kind}: {found}")


def usable(ctx: Context, source: Any) -> Path | None:
    """The source's resolved path when it exists and is the right kind, else None."""
    key = path_key(source)
    if key is None:
        return None
    found = files.resolve(ctx.base_dir, getattr(source, key))
    return found if found.exists() and found.is_dir() == (key == "dir") else None


@rule
def data_paths_exist(ctx: Context) -> Iterator[Diagnostic]:
    """ES401, ES402: every data file and folder exists, relative to the spec file."""
    for name, _task, role, source in ctx.task_sources():
        key = path_key(source)
        if key is not None:
            what = "data folder" if key == "dir" else "data file"
            yield from locate(ctx.base_dir, getattr(source, key),
                              ctx.spans.value(("tasks", name, role, key)), "ES401", what,
                              want_dir=key == "dir")


@rule
def builtin_known(ctx: Context) -> Iterator[Diagnostic]:
    """ES409: `builtin(name)` names one of the data sets that ship with evalspec's packages."""
    for name, _task, role, source in ctx.task_sources():
        if source.fn == "builtin" and source.name not in BUILTIN_DATASETS:
            yield Diagnostic(
                "ES409", f"unknown built-in data set `{source.name}`",
                ctx.spans.value(("tasks", name, role, "name")),
                did_you_mean(source.name, BUILTIN_DATASETS)
                or f"built-in data sets are {one_of(BUILTIN_DATASETS)}")


@rule
def data_readable(ctx: Context) -> Iterator[Diagnostic]:
    """ES408: the file reads as its source says; ES403: the columns it names exist."""
    for name, _task, role, source in ctx.task_sources():
        found = usable(ctx, source)
        if found is None:
            continue
        path = ("tasks", name, role)
        try:
            yield from _columns(ctx, path, source, found)
        except files.Unreadable as error:
            yield Diagnostic("ES408", str(error), ctx.spans.value((*path, path_key(source))),
                             READ_HINTS[source.fn])


def _columns(ctx: Context, path: tuple[str, ...], source: Any,
             found: Path) -> Iterator[Diagnostic]:
    if source.fn == "parquet":
        files.parquet_magic(found)
    elif source.fn in FOLDER_SOURCES:
        if not files.class_folders(found):
            raise files.Unreadable(f"`{source.dir}` has no class sub-folders")
    elif source.fn == "conll":
        yield from _conll_columns(ctx, path, source, found)
    else:
        if source.fn == "csv":
            header = files.csv_header(found, source.delimiter)
            where = f"the header of `{source.path}`"
        else:
            header = list(files.jsonl_first(found))
            where = f"the first record of `{source.path}`"
        for keyword, column in source.columns().items():
            if column not in header:
                yield Diagnostic(
                    "ES403", f"column `{column}` not found in {where}",
                    ctx.spans.value((*path, keyword)), _column_hint(column, header, source))


def _column_hint(column: str, header: list[str], source: Any) -> str:
    if source.fn == "csv" and len(header) == 1:
        for sep in (";", "\t", "|", ","):
            if sep != source.delimiter and sep in header[0]:
                shown = "\\t" if sep == "\t" else sep
                return f'the header reads as one column; set `delimiter = "{shown}"`'
    return did_you_mean(column, header) or f"columns are {one_of(header)}"


def _conll_columns(ctx: Context, path: tuple[str, ...], source: Any,
                   found: Path) -> Iterator[Diagnostic]:
    line, width = files.conll_width(found)
    for key in ("token_column", "tag_column"):
        index = getattr(source, key)
        if not -width <= index < width:
            yield Diagnostic(
                "ES403", f"`{key} = {index}` is out of range: line {line} of `{source.path}` "
                f"has {width} column{'s' if width != 1 else ''}",
                ctx.spans.value((*path, key)), f"use a column index from 0 to {width - 1}")


# --------------------------------------------------------------------------- labels
def _observed(ctx: Context, source: Any) -> list[files.LabelCell] | list[str] | None:
    """Label cells of a table, class folders of a folder source, or None when not knowable."""
    found = usable(ctx, source)
    if found is None:
        return None
    try:
        if source.fn in FOLDER_SOURCES:
            return files.class_folders(found) or None
        column = source.columns().get("label") if source.fn in ("csv", "jsonl") else None
        if column is None:
            return None
        header = (files.csv_header(found, source.delimiter) if source.fn == "csv"
                  else list(files.jsonl_first(found)))
        if column not in header:
            return None
        return list(files.label_cells(found, source.fn, column, getattr(source, "delimiter", ",")))
    except files.Unreadable:
        return None


@rule
def labels_match_data(ctx: Context) -> Iterator[Diagnostic]:
    """ES404: declared labels and the label values in the data agree (never-seen: warning);
    with inferred labels, the ES302/ES308/ES312 checks that need the label set."""
    for name, task in ctx.spec.tasks.items():
        if TASK_TYPES[task.type].family != "classification":
            continue
        seen: dict[str, None] = {}
        complete = True
        for role in ("data", "train", "validation", "test"):
            source = getattr(task, role)
            if source is None:
                continue
            observed = _observed(ctx, source)
            if observed is None:
                complete = False
                continue
            values = [c if isinstance(c, str) else c.value for c in observed]
            seen.update((v, None) for v in values if v is not None)
            if task.labels is not None:
                yield from _unknown_labels(ctx, name, task, source, observed)
        if not complete or not seen:
            yield from _builtin_classes(ctx, name, task)
        elif task.labels is not None:
            yield from _unused_labels(ctx, name, task, list(seen))
        else:
            yield from _inferred(ctx, name, task, sorted(seen))


def _unknown_labels(ctx: Context, name: str, task: Task, source: Any,
                    observed: list[files.LabelCell] | list[str]) -> Iterator[Diagnostic]:
    declared = set(task.labels or ())
    span = ctx.spans.value(("tasks", name, "labels"))
    if source.fn in FOLDER_SOURCES:
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
        f"add to `labels`, or fix the rows: {rows}{more}")


def _unused_labels(ctx: Context, name: str, task: Task, seen: list[str]) -> Iterator[Diagnostic]:
    for i, label in enumerate(task.labels or ()):
        if label not in seen:
            yield Diagnostic(
                "ES404", f'label "{label}" never occurs in the data of task `{name}`',
                ctx.spans.value(("tasks", name, "labels", i)),
                did_you_mean(label, seen) or "remove it, or check the label column",
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
            did_you_mean(task.positive, labels) or f"the labels are {one_of(labels)}")


def _builtin_classes(ctx: Context, name: str, task: Task) -> Iterator[Diagnostic]:
    source = task.data or task.train
    if task.labels is None and source is not None and source.fn == "builtin":
        data = BUILTIN_DATASETS.get(source.name)
        if data is not None and data.classes is not None:
            yield from _binary_average(ctx, name, task, data.classes,
                                       f" (`builtin({data.name})`)")


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
