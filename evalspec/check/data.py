"""Data rules (ES306, ES312, ES313, ES401-ES403, ES408-ES410): each source fits its task, names
the columns it needs, and its file or folder exists and reads as the source says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evalspec.check import data_files as files
from evalspec.check.context import Context
from evalspec.check.paths import locate, usable
from evalspec.diagnostics import Diagnostic, Related, Severity, did_you_mean, one_of
from evalspec.registry.data_sources import DATA_SOURCES, TABULAR_SOURCES
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import Csv, Delimited, Task

ANSWER_COLUMNS = {t.target for t in TASK_TYPES.values()}
ANY_TASK = "id"  # the column keyword every task type may use


# --------------------------------------------------------------------------- meaning
def _source_fits(task: Task, source: Any) -> bool:
    facts = DATA_SOURCES[source.fn]
    if facts.task_types is not None:
        return task.type in facts.task_types
    if facts.layout == "dataset" and source.name in BUILTIN_DATASETS:
        return BUILTIN_DATASETS[source.name].fits(TASK_TYPES[task.type])
    return True


def source_fits_task(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `images(…)`, `audio(…)`, `conll(…)` and `builtin(…)` fit only some task types."""
    for name, task, where, source in ctx.task_sources():
        if _source_fits(task, source):
            continue
        readers = [n for n, s in DATA_SOURCES.items()
                   if s.task_types is not None and task.type in s.task_types]
        facts = DATA_SOURCES[source.fn]
        if facts.task_types is None:  # a built-in data set: it says what it holds
            data = BUILTIN_DATASETS[source.name]
            what = f"`{source.fn}({source.name})` holds {data.modality} {data.family} data"
        else:
            what = f"`{source.fn}(…)` is data for {' or '.join(sorted(facts.task_types))} tasks"
        yield Diagnostic(
            "ES312", f"{what}; task `{name}` is {task.type}",
            ctx.spans.value((*where, "fn")),
            f"a {task.type} task reads {one_of([*TABULAR_SOURCES, *readers])}, or change `type`")


def source_names_columns(ctx: Context) -> Iterator[Diagnostic]:
    """ES313: a table names the columns its task needs; ES312: columns the task cannot use."""
    for _name, task, where, source in ctx.task_sources():
        if not DATA_SOURCES[source.fn].tabular:
            continue
        kind = TASK_TYPES[task.type]
        given = source.named_columns()
        missing = [c for c in (*kind.inputs, kind.target) if c not in given]
        if missing:
            listed = " and ".join(f"`{c}`" for c in missing)
            yield Diagnostic(
                "ES313", f"`{source.fn}(…)` does not name the {listed} column"
                f"{'s' if len(missing) > 1 else ''} a {task.type} task needs",
                ctx.spans.value((*where, "fn")),
                "add " + ", ".join(f'`{c} = "…"`' for c in missing)
                + f" naming the column{'s' if len(missing) > 1 else ''} in the file")
        allowed = {*kind.inputs, kind.target, ANY_TASK, *kind.optional_inputs}
        for column in given:
            if column in allowed:
                continue
            if column in ANSWER_COLUMNS:
                hint = f"a {task.type} task reads its answer from `{kind.target} = …`"
            else:
                hint = did_you_mean(column, allowed) or f"remove `{column} = …`"
            yield Diagnostic(
                "ES312", f"a {task.type} task does not use a `{column}` column",
                ctx.spans.key((*where, column)), hint)


# --------------------------------------------------------------------------- resolution
def data_paths_exist(ctx: Context) -> Iterator[Diagnostic]:
    """ES401, ES402: every data file and folder exists, relative to the spec file."""
    for _name, _task, where, source in ctx.task_sources():
        facts = DATA_SOURCES[source.fn]
        if facts.location is None:
            continue
        folder = facts.layout == "folder"
        yield from locate(ctx.base_dir, getattr(source, facts.location),
                          ctx.spans.value((*where, facts.location)), "ES401",
                          "data folder" if folder else "data file", want_dir=folder,
                          reader=f"`{source.fn}(…)`")


def builtin_known(ctx: Context) -> Iterator[Diagnostic]:
    """ES409: `builtin(name)` names one of the data sets that ship with evalspec's packages."""
    for _name, _task, where, source in ctx.task_sources():
        if DATA_SOURCES[source.fn].layout == "dataset" and source.name not in BUILTIN_DATASETS:
            yield Diagnostic(
                "ES409", f"unknown built-in data set `{source.name}`",
                ctx.spans.value((*where, "name")),
                did_you_mean(source.name, BUILTIN_DATASETS)
                or f"built-in data sets are {one_of(BUILTIN_DATASETS)}")


def data_readable(ctx: Context) -> Iterator[Diagnostic]:
    """ES408: the file reads as its source says; ES403: the columns it names exist."""
    for _name, _task, where, source in ctx.task_sources():
        facts = DATA_SOURCES[source.fn]
        found = usable(ctx.base_dir, source)
        if found is None or facts.location is None:
            continue
        try:
            problems = files.READERS[source.fn].problems(found, source)
        except files.Unreadable as error:
            yield Diagnostic("ES408", str(error), ctx.spans.value((*where, facts.location)),
                             facts.read_hint)
            continue
        for problem in problems:
            yield Diagnostic("ES403", problem.message,
                             ctx.spans.value((*where, problem.keyword)), problem.hint)


def header_settings_fit(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: `columns` names the columns of a file without a header; ES306: a column
    declared twice."""
    for _name, _task, where, source in ctx.task_sources():
        if not isinstance(source, Delimited) or source.columns is None:
            continue
        if source.header:
            yield Diagnostic(
                "ES312", "`columns` names the columns of a file without a header row",
                ctx.spans.key((*where, "columns")),
                "add `header = false` if the first row is data; else remove `columns`: the "
                "header names the columns")
        first: dict[str, int] = {}
        for i, column in enumerate(source.columns):
            if column in first:
                yield Diagnostic(
                    "ES306", f"column `{column}` is declared twice", ctx.spans.value(
                        (*where, "columns", i)), "give each column its own name",
                    related=(Related(ctx.spans.value((*where, "columns", first[column])),
                                     "first declared here"),))
            first.setdefault(column, i)


def quotes_match_lines(ctx: Context) -> Iterator[Diagnostic]:
    """ES410 (warning): a CSV file read with quotes (the default) in which a quoted field
    runs on over lines or swallows a delimiter: rows lost into one text, often a TSV-style
    file whose `"` is an ordinary character. Writing `quoting = csv` says the quotes are
    meant."""
    for _name, _task, where, source in ctx.task_sources():
        if not isinstance(source, Delimited) or source.quoting != "csv" \
                or "quoting" in source.model_fields_set:
            continue
        found = usable(ctx.base_dir, source)
        misquote = files.misquoted(found, source) if found is not None else None
        if misquote is None:
            continue
        at = f"{source.path}:{misquote.line}"
        if misquote.end > misquote.line:
            what = (f"{at}: a quoted field runs on to line {misquote.end}, joining "
                    f"{misquote.end - misquote.line + 1} lines into one row")
        else:
            what = (f"{at}: a quoted field swallows a delimiter: the row reads as "
                    f"{misquote.fields} field{'s' if misquote.fields != 1 else ''}, split at "
                    f"each delimiter its line has {misquote.split}, the table's width")
        tsv = " or read it with `tsv(…)`" if isinstance(source, Csv) and \
            source.delimiter == "\t" else ""
        yield Diagnostic(
            "ES410", f"{what} (the file's {misquote.lines:,} lines of data read as "
            f"{misquote.rows:,} rows)", ctx.spans.value(where),
            f'if `"` is an ordinary character in this file, add `quoting = none`{tsv}; if the '
            "quotes are meant, add `quoting = csv`", severity=Severity.WARNING)
