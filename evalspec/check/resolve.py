"""Resolution rules (ES401-ES403, ES408, ES409) for data: files, folders and columns exist.

Paths resolve against the spec file's folder, never the working directory. Files are read
with the standard library only: a header or a first record (labels: check/labels.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalspec.check import data_files as files
from evalspec.check.rules import Context, rule
from evalspec.diagnostics import Diagnostic, did_you_mean, one_of
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.source import Span

FILE_SOURCES = ("csv", "jsonl", "parquet", "conll")
FOLDER_SOURCES = ("images", "audio")
READ_HINTS = {"csv": "save it as UTF-8 CSV with a header row",
              "jsonl": "write one JSON object per line, in UTF-8",
              "parquet": "point at a Parquet file, or use `csv(…)`/`jsonl(…)`",
              "conll": "write one token per line, then its tags, in UTF-8",
              "images": "put each class's images in its own sub-folder",
              "audio": "put each class's clips in its own sub-folder"}


def path_key(source: Any) -> str | None:
    """The argument holding the source's file or folder, if it has one."""
    return "path" if source.fn in FILE_SOURCES else "dir" if source.fn in FOLDER_SOURCES else None


def locate(base_dir: Path, written: str, span: Span, code: str, what: str,
           want_dir: bool | None, reader: str = "it") -> Iterator[Diagnostic]:
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
            "ES402", f"`{written}` is {other}, but {reader} reads {kind}", span,
            f"point at {kind}" + (" with one sub-folder per class" if want_dir else ""))


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
                              want_dir=key == "dir", reader=f"`{source.fn}(…)`")


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
            key = "dir" if source.fn in FOLDER_SOURCES else "path"
            yield Diagnostic("ES408", str(error), ctx.spans.value((*path, key)),
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
