"""Tabular rows (CSV, JSON Lines, Parquet, Hugging Face datasets) → examples.

How columns are chosen:
- Each column keyword the task needs (its inputs `text`, `text_pair`, `image`, `audio` or
  `tokens`, and its target `label`, `target`, `tags` or `transcript`) reads the column the
  source names for it, else a column of the same name. The `id` column is read only when
  named; without it an example's id is its location, `file:row`.
- Tabular features: a `regression` task without a text, image or audio column, and a
  `text_classification` task without a text column, read every other column whose non-empty
  values are all numbers, in header order, as one float32 matrix (`inputs["features"]`).
  Columns named by any keyword, a column called `id` and non-numeric columns are left out.
- Image and audio paths are relative to the data file's folder.
- Bad cells are collected, not raised one by one (see `Problems`): an empty text, label or
  id, a target that is not a finite number, a missing or unreadable image or audio file
  (headers only: a silent clip is found when it is decoded), an empty token or tag list (or
  an empty item in one), token and tag lists of different lengths, a duplicate id, an empty
  feature value.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples, Loaded
from evalspec.execute.data.fingerprints import files_sha256
from evalspec.execute.data.media import audio_problem, image_problem
from evalspec.execute.data.problems import Problems
from evalspec.registry.tasks import TaskType
from evalspec.validate.model import Columns

MEDIA_INPUTS = ("text", "text_pair", "image", "audio")


@dataclass(frozen=True)
class Table:
    """Rows as read from one source; `rows` pairs each row's location with its values."""

    fn: str  # the source function (`csv`, `jsonl`, …), for hints
    origin: str  # the path or name as the spec wrote it
    header: list[str]
    rows: list[tuple[str, dict[str, Any]]]
    media_dir: Path  # where relative image and audio paths start
    decoders: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


class BadCell(ValueError):
    """One cell's problem, with its fix."""


def table_examples(table: Table, source: Columns, task: TaskType, problems: Problems) -> Loaded:
    """The examples of `table` for `task`; bad cells go to `problems`."""
    columns = _columns(table, source, task)
    convert = {keyword: _converter(keyword, column, table.media_dir)
               for keyword, column in columns.items()}
    input_keys = [k for k in columns if k not in (task.target, "id")]
    inputs: dict[str, Any] = {k: [] for k in input_keys}
    ids: list[str] = []
    targets: list[Any] = []
    first_seen: dict[str, str] = {}
    for location, values in table.rows:
        row = _convert_row(location, values, columns, convert, table.decoders, problems)
        tokens, tags = row.get("tokens"), row.get("tags")
        if tokens is not None and tags is not None and len(tokens) != len(tags):
            problems.add(location, f"{len(tokens)} tokens but {len(tags)} tags; give one tag "
                         "per token")
        example_id = row.get("id") or location
        if example_id in first_seen:
            problems.add(location, f"duplicate id `{example_id}` (also at "
                         f"{first_seen[example_id]}); ids must be unique")
        first_seen.setdefault(example_id, location)
        ids.append(example_id)
        targets.append(row[task.target])
        for key in input_keys:
            inputs[key].append(row[key])
    if not input_keys:
        inputs["features"] = _features(table, source, problems)
    locations = [location for location, _ in table.rows]
    return Loaded(table.origin, Examples(ids, inputs, targets), locations,
                  _media_fingerprints(table, inputs, problems))


def _convert_row(location: str, values: dict[str, Any], columns: dict[str, str],
                 convert: dict[str, Callable[[Any], Any]],
                 decoders: dict[str, Callable[[Any], Any]], problems: Problems) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for keyword, column in columns.items():
        value = values.get(column)
        decode = decoders.get(column)
        try:
            row[keyword] = convert[keyword](decode(value) if decode and value is not None
                                            else value)
        except BadCell as bad:
            problems.add(location, str(bad))
            row[keyword] = None
    return row


def _columns(table: Table, source: Columns, task: TaskType) -> dict[str, str]:
    """Keyword → column for what the task reads; a named column that is absent is an error."""
    named = source.named_columns()
    for keyword, column in named.items():
        if column not in table.header:
            close = difflib.get_close_matches(column, table.header, n=1)
            hint = (f"did you mean `{close[0]}`?" if close
                    else f"the columns are {', '.join(table.header[:12])}")
            raise RunError(f"{table.origin}: no column `{column}` (named by `{keyword}`); "
                           f"{hint}", "ES403")
    columns: dict[str, str] = {}
    for keyword in (*_inputs(task, named, table.header), task.target):
        column = named.get(keyword, keyword)
        if column not in table.header:
            raise RunError(f"{table.origin}: no `{keyword}` column for a {task.name} task; "
                           f"name it: `{table.fn}(…, {keyword} = \"COLUMN\")`", "ES403")
        columns[keyword] = column
    if "id" in named:
        columns["id"] = named["id"]
    return columns


def _inputs(task: TaskType, named: dict[str, str], header: list[str]) -> tuple[str, ...]:
    """The input keywords to read; empty means tabular features."""
    if task.modality == "columns":  # the columns named decide
        given = tuple(k for k in MEDIA_INPUTS if k in named)
        return given or (("text",) if "text" in header else ())
    if task.features_fallback and "text" not in named and "text" not in header:
        return ()
    return task.inputs


def _converter(keyword: str, column: str, media_dir: Path) -> Callable[[Any], Any]:
    if keyword == "label":
        return lambda value: _label(value, column)
    if keyword == "target":
        return lambda value: _number(value, column)
    if keyword in ("tokens", "tags"):
        return lambda value: _sequence(value, keyword, column)
    if keyword == "transcript":
        return lambda value: _transcript(value, column)
    if keyword == "image":
        return lambda value: _image(value, column, media_dir)
    if keyword == "audio":
        return lambda value: _audio(value, column, media_dir)
    return lambda value: _text(value, keyword, column)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, keyword: str, column: str) -> str:
    if _empty(value):
        raise BadCell(f"empty {keyword} in column `{column}`; fill it in or remove the row")
    return value if isinstance(value, str) else str(value)


def _label(value: Any, column: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value, "label", column)


def _to_float(value: Any) -> float:
    """A number from a number or a numeric string; anything else raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | np.number):
        raise ValueError(value)
    return float(value)


def _number(value: Any, column: str) -> float:
    if _empty(value):
        raise BadCell(f"empty target in column `{column}`; fill in a number or remove the row")
    try:
        number = _to_float(value)
    except ValueError:
        raise BadCell(f"target `{value}` in column `{column}` is not a number; fix it or "
                      "remove the row") from None
    if not math.isfinite(number):
        raise BadCell(f"target `{value}` in column `{column}` is not a finite number")
    return number


def _sequence(value: Any, keyword: str, column: str) -> list[str]:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple):
        raise BadCell(f"{keyword} in column `{column}` must be a list or a space-separated "
                      "string")
    if not value:
        raise BadCell(f"empty {keyword} in column `{column}`; fill it in or remove the row")
    items = ["" if item is None else str(item) for item in value]
    empty = next((i for i, item in enumerate(items) if not item.strip()), None)
    if empty is not None:
        raise BadCell(f"{keyword} in column `{column}`: item {empty + 1} is empty; fill it in "
                      "or remove it")
    return items


def _transcript(value: Any, column: str) -> str:
    if value is None:
        raise BadCell(f"missing transcript in column `{column}`; fill it in or remove the row")
    return value if isinstance(value, str) else str(value)


def _image(value: Any, column: str, media_dir: Path) -> Any:
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "convert") and hasattr(value, "size"):  # a PIL image (Hugging Face)
        return np.asarray(value.convert("RGB"))
    return _media_file(value, "image", column, media_dir, image_problem)


def _audio(value: Any, column: str, media_dir: Path) -> str:
    if isinstance(value, dict):  # a Hugging Face Audio cell
        value = value.get("path")
    return _media_file(value, "audio", column, media_dir, audio_problem)


def _media_file(value: Any, kind: str, column: str, media_dir: Path,
                problem_of: Callable[[Path], str | None]) -> str:
    """The path of an image or audio file that exists and opens (`problem_of` says)."""
    written = _text(value, f"{kind} path", column)
    path = media_dir / written
    if not path.is_file():
        raise BadCell(f"{kind} file `{written}` not found in {media_dir}; paths are relative "
                      "to the data file's folder")
    problem = problem_of(path)
    if problem:
        raise BadCell(f"{kind} `{written}`: {problem}")
    return str(path)


def _media_fingerprints(table: Table, inputs: dict[str, Any],
                        problems: Problems) -> dict[str, str]:
    """One sha256 over the image or audio files a table names (when they all exist)."""
    found: dict[str, str] = {}
    for kind in ("image", "audio"):
        paths = {Path(p) for p in inputs.get(kind, []) if isinstance(p, str)}
        if paths and not problems:
            found[f"{table.origin} ({kind} files)"] = files_sha256(table.media_dir, paths)
    return found


def _features(table: Table, source: Columns, problems: Problems) -> np.ndarray:
    """Every numeric column not named by a keyword, as a float32 (rows, columns) matrix."""
    skip = set(source.named_columns().values()) | {"id"}
    chosen: list[tuple[str, list[float | None]]] = []
    for column in table.header:
        parsed = None if column in skip else _numeric([v.get(column) for _, v in table.rows])
        if parsed is not None:
            chosen.append((column, parsed))
    if not chosen:
        raise RunError(f"{table.origin}: no numeric feature columns; name a text column "
                       f"(`{table.fn}(…, text = \"COLUMN\")`) or add numeric columns", "ES403")
    matrix = np.zeros((len(table.rows), len(chosen)), dtype=np.float32)
    for j, (column, parsed) in enumerate(chosen):
        for i, number in enumerate(parsed):
            if number is None or not math.isfinite(number):
                what = "empty" if number is None else f"`{number}`"
                problems.add(table.rows[i][0], f"feature column `{column}` is {what}; fill in "
                             "a number or remove the row")
            else:
                matrix[i, j] = number
    return matrix


def _numeric(values: list[Any]) -> list[float | None] | None:
    """The column as numbers (None where empty), or None when any value is not a number."""
    parsed: list[float | None] = []
    for value in values:
        if _empty(value):
            parsed.append(None)
            continue
        try:
            parsed.append(_to_float(value))
        except ValueError:
            return None
    return parsed if any(number is not None for number in parsed) else None
