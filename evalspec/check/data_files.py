"""How the check reads each data source's file or folder: just enough, stdlib only.

A header, a first record, a label column, the class folders: never pandas, pyarrow or torch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from evalspec.diagnostics import did_you_mean, one_of
from evalspec.headers import repeated_column
from evalspec.validate.model import Conll

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


def csv_header(path: Path, delimiter: str) -> list[str]:
    """The header row of a CSV file."""
    try:
        with _text(path) as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except (csv.Error, OSError) as error:
        raise Unreadable(f"`{path.name}` cannot be read as CSV: {error}") from None
    if not header or not any(h.strip() for h in header):
        raise Unreadable(f"`{path.name}` is empty: a CSV source needs a header row")
    repeated = repeated_column(header)
    if repeated:
        raise Unreadable(f"`{path.name}`: {repeated}")
    return header


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


def _csv_cells(path: Path, column: str, delimiter: str) -> Iterator[LabelCell]:
    with _text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, [])
        index = header.index(column)
        start = reader.line_num + 1
        for record in reader:
            if any(field.strip() for field in record):
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

    where = ""

    def header(self, found: Path, source: Any) -> list[str]:
        raise NotImplementedError

    def rows(self, path: Path, column: str, delimiter: str) -> Iterator[LabelCell]:
        raise NotImplementedError

    def delimiter(self, source: Any) -> str:
        return ","

    def misread(self, header: list[str], source: Any) -> str | None:
        """Why the header may have been read wrong, as a hint; None when it looks right."""
        return None

    def problems(self, found: Path, source: Any) -> list[Misnamed]:
        header = self.header(found, source)
        where = f"{self.where} `{source.path}`"
        return [Misnamed(keyword, f"column `{column}` not found in {where}",
                         self.misread(header, source) or did_you_mean(column, header)
                         or f"columns are {one_of(header)}")
                for keyword, column in source.columns().items() if column not in header]

    def labels(self, found: Path, source: Any, column: str | None) -> Observed | None:
        if column is None or column not in self.header(found, source):
            return None
        return list(label_cells(found, source.fn, column, self.delimiter(source)))


class CsvReader(Header):
    where = "the header of"

    def header(self, found: Path, source: Any) -> list[str]:
        return csv_header(found, self.delimiter(source))

    def rows(self, path: Path, column: str, delimiter: str) -> Iterator[LabelCell]:
        return _csv_cells(path, column, delimiter)

    def delimiter(self, source: Any) -> str:
        return str(source.delimiter)

    def misread(self, header: list[str], source: Any) -> str | None:
        if len(header) == 1:
            for sep in (";", "\t", "|", ","):
                if sep != source.delimiter and sep in header[0]:
                    shown = "\\t" if sep == "\t" else sep
                    return f'the header reads as one column; set `delimiter = "{shown}"`'
        return None


class JsonlReader(Header):
    where = "the first record of"

    def header(self, found: Path, source: Any) -> list[str]:
        return list(jsonl_first(found))

    def rows(self, path: Path, column: str, delimiter: str) -> Iterator[LabelCell]:
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
READERS: dict[str, Reader] = {"csv": CsvReader(), "jsonl": JsonlReader(),
                              "parquet": ParquetReader(), "images": FolderReader(),
                              "audio": FolderReader(), "conll": ConllReader()}


def label_cells(path: Path, fn: str, column: str, delimiter: str = ",") -> Iterator[LabelCell]:
    """Every value of a table's label column; raises Unreadable when the file is too big to
    scan."""
    table = READERS[fn]
    assert isinstance(table, Header), f"`{fn}(…)` has no label column"
    if path.stat().st_size > MAX_SCAN_BYTES:
        raise Unreadable(f"`{path.name}` is larger than {MAX_SCAN_BYTES >> 20} MiB")
    try:
        yield from table.rows(path, column, delimiter)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except csv.Error as error:
        raise Unreadable(f"`{path.name}` cannot be read as CSV: {error}") from None
