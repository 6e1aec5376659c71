"""Reading just enough of a data file to check a spec: headers, first records, label columns.

Only the standard library: the check never imports pandas, pyarrow or torch.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_SCAN_BYTES = 64 * 1024 * 1024  # label columns of larger files are checked at run time
MAX_LISTING = 2000  # sibling names considered for "did you mean"
MISSING = None  # a record without the label field


class Unreadable(Exception):
    """The file cannot be read as the source says; the message says why, in one line."""


def resolve(base_dir: Path, written: str) -> Path:
    """A path as written in the spec, relative to the spec file's folder."""
    path = Path(written)
    return path if path.is_absolute() else base_dir / path


def suggest_path(base_dir: Path, written: str) -> str | None:
    """The written path with its first missing part replaced by the closest existing name."""
    parts = Path(written).parts
    folder = Path(parts[0]) if Path(written).is_absolute() else base_dir
    for index, part in enumerate(parts):
        if Path(written).is_absolute() and index == 0:
            continue
        if (folder / part).exists():
            folder = folder / part
            continue
        try:
            names = sorted(itertools.islice((p.name for p in folder.iterdir()), MAX_LISTING))
        except OSError:
            return None
        close = difflib.get_close_matches(part, names, n=1, cutoff=0.5)
        if not close:
            return None
        return str(Path(*parts[:index], close[0], *parts[index + 1:]))
    return None


def beside_working_dir(base_dir: Path, written: str) -> str | None:
    """The path relative to the spec folder when the file exists relative to the working dir."""
    if Path(written).is_absolute():
        return None
    cwd = Path.cwd()
    if (cwd / written).exists() and cwd.resolve() != base_dir.resolve():
        return os.path.relpath(cwd / written, base_dir)
    return None


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


def conll_width(path: Path) -> tuple[int, int]:
    """(line number, number of fields) of the first token line of a CoNLL file."""
    try:
        with _text(path) as handle:
            for number, line in enumerate(handle, start=1):
                fields = line.split()
                if fields and not fields[0].startswith("-DOCSTART-"):
                    return number, len(fields)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except OSError as error:
        raise Unreadable(f"`{path.name}` cannot be read: {error.strerror}") from None
    raise Unreadable(f"`{path.name}` holds no tokens")


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


def label_cells(path: Path, fn: str, column: str, delimiter: str = ",") -> Iterator[LabelCell]:
    """Every value of the label column; raises Unreadable when the file is too big to scan."""
    if path.stat().st_size > MAX_SCAN_BYTES:
        raise Unreadable(f"`{path.name}` is larger than {MAX_SCAN_BYTES >> 20} MiB")
    try:
        if fn == "csv":
            yield from _csv_cells(path, column, delimiter)
        else:
            yield from _jsonl_cells(path, column)
    except UnicodeDecodeError as error:
        raise _decode_error(path, error) from None
    except csv.Error as error:
        raise Unreadable(f"`{path.name}` cannot be read as CSV: {error}") from None


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
