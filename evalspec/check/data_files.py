"""How the check reads each data source's file or folder: just enough, stdlib only.

A header, a first record, a label column, the class folders: never pandas, pyarrow or torch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeAlias

from evalspec.diagnostics import did_you_mean, one_of
from evalspec.headers import NO_HEADER, first_row_is_data, repeated_column
from evalspec.validate.model import Conll, Csv, Delimited

MAX_SCAN_BYTES = 64 * 1024 * 1024  # label columns of larger files are checked at run time
MISSING = None  # a record without the label field


class Unreadable(Exception):
    """The file cannot be read as the source says; the message says why, in one line."""


def _text(path: Path):  # type: ignore[no-untyped-def]
    return path.open(encoding="utf-8-sig", newline="")


def _decode_error(path: Path, error: UnicodeDecodeError) -> Unreadable:
    """Name the first line that is not UTF-8 (the error itself only knows a chunk offset)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return Unreadable(f"`{path.name}` line {number} is not UTF-8 text")
    return Unreadable(f"`{path.name}` is not UTF-8 text: {error.reason}")


def _records(handle: Iterator[str], source: Delimited) -> Iterator[list[str]]:
    """The records of a CSV or TSV file that hold more than whitespace, split as the source
    says."""
    return (record for record in csv.reader(handle, **source.dialect())
            if any(field.strip() for field in record))


def delimited_first(path: Path, source: Delimited) -> list[str]:
    """The first row of a CSV or TSV file (its header, unless `header = false`)."""
    kind = source.fn.upper()
    try:
        with _text(path) as handle:
            first = next(_records(handle, source), None)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except (csv.Error, OSError) as error:
        raise Unreadable(f"`{path.name}` cannot be read as {kind}: {error}") from None
    if first is None:
        raise Unreadable(f"`{path.name}` is empty: a {kind} source needs "
                         + ("a header row" if source.header else "rows"))
    if source.header:
        repeated = repeated_column(first)
        if repeated:
            raise Unreadable(f"`{path.name}`: {repeated}")
    return first


@dataclass(frozen=True)
class Misquote:
    """Where reading `"` as the start of a quoted field joins what the file's lines keep
    apart: the first row whose quoted field runs on over lines (`end` > `line`) or swallows a
    delimiter (`fields` read, `split` at each delimiter), and the file's rows and lines."""

    line: int
    end: int
    fields: int
    split: int
    rows: int  # data rows, as read
    lines: int  # non-blank lines holding data


def misquoted(path: Path, source: Delimited) -> Misquote | None:
    """The first row that quoting reads otherwise than its lines (a field running on to
    later lines, or one holding a delimiter where splitting the line at each one gives the
    row the header's width); None when quotes and lines agree, or the file is too large to
    scan or unreadable (its other checks say so)."""
    held: list[str] = []  # the physical lines of the record being read

    def lines(handle: Iterator[str]) -> Iterator[str]:
        for line in handle:
            held.append(line)
            yield line

    first: Misquote | None = None
    width, rows, data_lines = None, 0, 0
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            return None
        with _text(path) as handle:
            reader = csv.reader(lines(handle), **source.dialect())
            for record in reader:
                own, held[:] = list(held), []
                if not record:
                    continue
                start = reader.line_num - len(own) + 1
                split = len(own[0].rstrip("\r\n").split(source.separator))
                named = width is None and source.header
                if width is None:
                    width = len(source.names(record))
                if not named:
                    rows += 1
                    data_lines += sum(1 for line in own if line.strip())
                if first is None and (len(own) > 1 or len(record) != split == width):
                    first = Misquote(start, reader.line_num, len(record), split, 0, 0)
    except (UnicodeDecodeError, csv.Error, OSError):
        return None
    return None if first is None else replace(first, rows=rows, lines=data_lines)


def jsonl_first(path: Path) -> dict[str, object]:
    """The first record of a JSON Lines file; it must be an object."""
    try:
        with _text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    return _record(path, number, line)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except OSError as error:
        raise Unreadable(f"`{path.name}` cannot be read: {error.strerror}") from None
    raise Unreadable(f"`{path.name}` is empty: a JSON Lines source needs one object per line")


def _record(path: Path, number: int, line: str) -> dict[str, object]:
    try:
        record = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        raise Unreadable(f"`{path.name}` line {number} is not JSON: {error.msg} "
                         f"(column {error.colno})") from None
    if not isinstance(record, dict):
        raise Unreadable(f"`{path.name}` line {number} is not a JSON object `{{…}}`")
    return record


def parquet_magic(path: Path) -> None:
    """A Parquet file starts and ends with `PAR1`; its columns are checked at run time."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            handle.seek(max(0, path.stat().st_size - 4))
            tail = handle.read(4)
    except OSError as error:
        raise Unreadable(f"`{path.name}` cannot be read: {error.strerror}") from None
    if head != b"PAR1" or tail != b"PAR1":
        raise Unreadable(f"`{path.name}` is not a Parquet file")


def conll_first(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, columns) of the lines of a CoNLL file's first sentence, as
    `Conll.first_sentence` reads them (the run reads its layout from the same lines)."""
    try:
        with _text(path) as handle:
            first = Conll.first_sentence(line.rstrip("\r\n") for line in handle)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except OSError as error:
        raise Unreadable(f"`{path.name}` cannot be read: {error.strerror}") from None
    if not first:
        raise Unreadable(f"`{path.name}` holds no tokens")
    return first


def class_folders(path: Path) -> list[str]:
    """Sub-folder names of an `images(…)`/`audio(…)` folder: the classes."""
    try:
        return sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as error:
        raise Unreadable(f"`{path.name}` cannot be listed: {error.strerror}") from None


@dataclass(frozen=True)
class LabelCell:
    row: int  # as counted in the file: the CSV header is row 1, a JSONL record is its line
    value: str | None  # None: the record has no such field


def _delimited_cells(path: Path, column: str, source: Delimited) -> Iterator[LabelCell]:
    """Each data row's value in `column`, at the physical line where the row starts."""
    with _text(path) as handle:
        reader = csv.reader(handle, **source.dialect())
        start, index = 1, None
        for record in reader:
            if any(field.strip() for field in record):
                if index is None:
                    index = source.names(record).index(column)
                    if source.header:
                        start = reader.line_num + 1
                        continue
                yield LabelCell(start, record[index] if index < len(record) else None)
            start = reader.line_num + 1


def _jsonl_cells(path: Path, column: str) -> Iterator[LabelCell]:
    with _text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            value = _record(path, number, line).get(column, MISSING)
            if value is not None and not isinstance(value, str):
                value = json.dumps(value)
            yield LabelCell(number, value)


# --------------------------------------------------------------------------- readers
@dataclass(frozen=True)
class Misnamed:
    """A column (or column index) the source names that its file does not hold: ES403."""

    keyword: str  # the argument that names it
    message: str
    hint: str


Observed: TypeAlias = list[LabelCell] | list[str]  # a table's label cells, or a folder's classes


class Reader:
    """How the check reads one data source's file or folder; by default, nothing in it."""

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        """What the source names that its file lacks; raises Unreadable."""
        return []

    def labels(self, found: Path, source: Any, column: str | None) -> Observed | None:
        """The labels the data holds (a table: in `column`); None when not knowable here."""
        return None


class Header(Reader):
    """A table whose column names the check reads; `where` says where they are."""

    def where(self, source: Any) -> str:
        raise NotImplementedError

    def header(self, found: Path, source: Any) -> list[str]:
        raise NotImplementedError

    def rows(self, path: Path, column: str, source: Any) -> Iterator[LabelCell]:
        raise NotImplementedError

    def misread(self, header: list[str], source: Any) -> str | None:
        """Why the header may have been read wrong, as a hint; None when it looks right."""
        return None

    def not_a_header(self, header: list[str], source: Any) -> str | None:
        """Why the column names read seem to be data instead; None when they look right."""
        return None

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        header = self.header(found, source)
        missing = [(k, c) for k, c in source.named_columns().items() if c not in header]
        reason = self.not_a_header(header, source) if missing else None
        if reason:
            keyword, column = missing[0]
            return [Misnamed(keyword, f"column `{column}` not found in `{source.path}`: "
                             f"{reason}", NO_HEADER)]
        where = f"{self.where(source)} `{source.path}`"
        return [Misnamed(keyword, f"column `{column}` not found in {where}",
                         self.misread(header, source) or did_you_mean(column, header)
                         or f"columns are {one_of(header)}")
                for keyword, column in missing]

    def labels(self, found: Path, source: Any, column: str | None) -> Observed | None:
        if column is None or column not in self.header(found, source):
            return None
        return list(label_cells(found, source, column))


class DelimitedReader(Header):
    """CSV and TSV: the first row names the columns, unless `header = false`."""

    def where(self, source: Any) -> str:
        return "the header of" if source.header else "the columns of"

    def header(self, found: Path, source: Any) -> list[str]:
        return source.names(delimited_first(found, source))

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        width = len(delimited_first(found, source))
        if source.header or source.columns is None or len(source.columns) == width:
            return super().problems(found, source)
        return [Misnamed("columns", f"`columns` names {len(source.columns)} columns, but the "
                         f"first row of `{source.path}` has {width}",
                         f"name each of the {width} columns, in order")]

    def rows(self, path: Path, column: str, source: Any) -> Iterator[LabelCell]:
        return _delimited_cells(path, column, source)

    def misread(self, header: list[str], source: Any) -> str | None:
        if len(header) == 1 and isinstance(source, Csv):
            for sep in (";", "\t", "|", ","):
                if sep != source.delimiter and sep in header[0]:
                    shown = "\\t" if sep == "\t" else sep
                    return f'the header reads as one column; set `delimiter = "{shown}"`'
        return None

    def not_a_header(self, header: list[str], source: Any) -> str | None:
        return first_row_is_data(header) if source.header else None


class JsonlReader(Header):
    def where(self, source: Any) -> str:
        return "the first record of"

    def header(self, found: Path, source: Any) -> list[str]:
        return list(jsonl_first(found))

    def rows(self, path: Path, column: str, source: Any) -> Iterator[LabelCell]:
        return _jsonl_cells(path, column)


class ParquetReader(Reader):
    """Only its magic bytes: its columns are checked at run time."""

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        parquet_magic(found)
        return []


class FolderReader(Reader):
    """A folder whose sub-folders are the classes."""

    def classes(self, found: Path, source: Any) -> list[str]:
        classes = class_folders(found)
        if not classes:
            raise Unreadable(f"`{source.dir}` has no class sub-folders")
        return classes

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        self.classes(found, source)
        return []

    def labels(self, found: Path, source: Any, column: str | None) -> Observed | None:
        return self.classes(found, source)


class ConllReader(Reader):
    """Token and tag columns by index (given, or from the layout of the first sentence),
    within the width of the first token line, and not the same column."""

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        first = conll_first(found)
        line, columns = first[0]
        width = len(columns)
        plural = "s" if width != 1 else ""
        token, tag = source.columns(first)
        wrong = [Misnamed(key, f"`{key} = {index}` is out of range: line {line} of "
                          f"`{source.path}` has {width} column{plural}",
                          f"use a column index from 0 to {width - 1}")
                 for key, index in (("tokens", token), ("tags", tag))
                 if not -width <= index < width]
        if not wrong and token == tag % width:
            wrong.append(Misnamed("tags", f"line {line} of `{source.path}` has {width} "
                                  f"column{plural}: the tokens and the tags would be column "
                                  f"{token}", "write each token and its tag on one line, "
                                  "separated by a tab, or set `tokens` and `tags`"))
        return wrong


# Every data source with a file or folder, by name: how the check reads it.
READERS: dict[str, Reader] = {"csv": DelimitedReader(), "tsv": DelimitedReader(),
                              "jsonl": JsonlReader(),
                              "parquet": ParquetReader(), "images": FolderReader(),
                              "audio": FolderReader(), "conll": ConllReader()}


def label_cells(path: Path, source: Any, column: str) -> Iterator[LabelCell]:
    """Every value of a table's label column; raises Unreadable when the file is too big to
    scan."""
    table = READERS[source.fn]
    assert isinstance(table, Header), f"`{source.fn}(…)` has no label column"
    if path.stat().st_size > MAX_SCAN_BYTES:
        raise Unreadable(f"`{path.name}` is larger than {MAX_SCAN_BYTES >> 20} MiB")
    try:
        yield from table.rows(path, column, source)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except csv.Error as error:
        raise Unreadable(f"`{path.name}` cannot be read as CSV: {error}") from None
