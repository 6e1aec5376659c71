"""Reading each kind of data source into examples: one reader per source, in a registry.

Locations (and ids, when no `id` column is named) are `origin:row`, where origin is the path
as the spec wrote it: CSV and TSV rows count the header as row 1, so the first data row is
row 2 (row 1 with `header = false`; a quoted field's line breaks do not start a row);
JSON Lines and CoNLL count lines from 1 (a CoNLL sentence is named by its first token's
line); Parquet counts rows from 1; `hf_dataset` and `builtin` use the 0-based index, as
`dataset[i]` does; `images(dir)` and `audio(dir)` use the file's path inside the folder.
"""

from __future__ import annotations

import csv
import difflib
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples, Loaded
from evalspec.execute.data.fingerprints import file_sha256, files_sha256
from evalspec.execute.data.media import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    audio_problem,
    image_problem,
)
from evalspec.execute.data.problems import Problems
from evalspec.execute.data.rows import Table, table_examples
from evalspec.execute.data.tags import is_tag
from evalspec.headers import NO_HEADER, first_row_is_data, repeated_column
from evalspec.locations import FILE, FOLDER, MISSING, escapes, what_is
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.tasks import TaskType
from evalspec.validate.model import (
    Audio,
    Builtin,
    Conll,
    Csv,
    HfDataset,
    Images,
    Jsonl,
    Parquet,
    Tsv,
)

Reader = Callable[[Any, TaskType, Path, Problems], Loaded]
Fingerprint = Callable[[Any, Path], dict[str, str] | None]
READERS: dict[str, Reader] = {}
FINGERPRINTS: dict[str, Fingerprint] = {}


def reader(fn: str, fingerprint: Fingerprint) -> Callable[[Reader], Reader]:
    """Register the reader of the source function `fn`, and how to fingerprint the files it
    names without reading them (`own_fingerprints`)."""
    def register(function: Reader) -> Reader:
        READERS[fn], FINGERPRINTS[fn] = function, fingerprint
        return function
    return register


def read_source(source: Any, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    """Read one source for `task`; paths are relative to `base_dir` (the spec's folder)."""
    return READERS[source.fn](source, task, base_dir, problems)


def own_fingerprints(source: Any, base_dir: Path) -> dict[str, str] | None:
    """The fingerprints of the file, folder or package a source names, computed without
    parsing it: all that reading it records, less the image or audio files a table names
    (found only by reading the table). None for a hub data set, whose fingerprint comes
    from loading it. Raises RunError, as reading would, for a missing or refused path."""
    return FINGERPRINTS[source.fn](source, base_dir)


def _file_fingerprint(source: Csv | Tsv | Jsonl | Parquet | Conll,
                      base_dir: Path) -> dict[str, str]:
    return {_origin(source.path): file_sha256(_existing(base_dir, source.path))}


def _with_file(loaded: Loaded, own: dict[str, str]) -> Loaded:
    return Loaded(loaded.origin, loaded.examples, loaded.locations,
                  {**own, **loaded.fingerprints})


def _loaded_first(source: HfDataset, base_dir: Path) -> None:
    return None


def _origin(written: str) -> str:
    return PurePosixPath(written).as_posix()


def _existing(base_dir: Path, written: str, folder: bool = False) -> Path:
    path = base_dir / written
    kind = "folder" if folder else "file"
    outside = escapes(base_dir, written)
    if outside is not None:
        raise RunError(f"{_origin(written)}: is a link out of the spec's folder (to {outside});"
                       " write the path you mean itself", "ES402")
    found = what_is(path)
    if found == MISSING:
        raise RunError(f"{_origin(written)}: {kind} not found (looked for {path}); paths are "
                       "relative to the spec file's folder", "ES401")
    if found != (FOLDER if folder else FILE):
        shown = found if found not in (FILE, FOLDER) else f"a {found}"
        raise RunError(f"{_origin(written)}: is {shown}, expected a {kind}", "ES402")
    return path


def _read_text(path: Path, origin: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise RunError(f"{origin}: not UTF-8 text (byte {error.start}); save it as UTF-8",
                       "ES408") from None


def _needs_target(task: TaskType, target: str, source: str) -> None:
    if task.target != target:
        raise RunError(f"{source} gives a `{target}` for each example, but a {task.name} task "
                       f"needs a `{task.target}`; use a csv or jsonl source", "ES312")


@reader("tsv", _file_fingerprint)
@reader("csv", _file_fingerprint)
def _delimited(source: Csv | Tsv, task: TaskType, base_dir: Path,
               problems: Problems) -> Loaded:
    """Rows split at the delimiter, quoted fields read as `quoting` says; the first row
    names the columns, or with `header = false` is data (`Delimited.names`). A row with
    another number of fields goes to `problems`."""
    path, origin = _existing(base_dir, source.path), _origin(source.path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = [(number, record) for number, record
                       in enumerate(csv.reader(handle, **source.dialect()), start=1) if record]
    except UnicodeDecodeError as error:
        raise RunError(f"{origin}: not UTF-8 text (byte {error.start}); save it as UTF-8",
                       "ES408") from None
    except csv.Error as error:
        raise RunError(f"{origin}: not a valid {source.fn.upper()} file ({error})",
                       "ES408") from None
    if not records:
        raise RunError(f"{origin}: empty file; {_first_row(source)}", "ES408")
    header = source.names(records[0][1])
    repeated = repeated_column(header, "the header" if source.header else "`columns`")
    if repeated:
        raise RunError(f"{origin}: {repeated}", "ES408" if source.header else "ES306")
    _header_fits(source, origin, header)
    rows = []
    for number, record in records[1:] if source.header else records:
        location = f"{origin}:{number}"
        if len(record) != len(header):
            problems.add(location, f"{len(record)} fields but {_width(source)} "
                         f"{len(header)}; {_misread(source)}")
            continue
        rows.append((location, dict(zip(header, record, strict=True))))
    table = Table(source.fn, origin, header, rows, path.parent)
    return _with_file(table_examples(table, source, task, problems),
                      _file_fingerprint(source, base_dir))


def _first_row(source: Csv | Tsv) -> str:
    return "its first row must name the columns" if source.header else "add data rows"


def _width(source: Csv | Tsv) -> str:
    """What says how many fields a row has."""
    if source.header:
        return "the header has"
    return "`columns` names" if source.columns else "the first row has"


def _misread(source: Csv | Tsv) -> str:
    shown = "\\t" if source.separator == "\t" else source.separator
    quotes = "; if `\"` is an ordinary character, set `quoting = none`" \
        if source.quoting == "csv" else ""
    return f"check the delimiter `{shown}`{quotes}"


def _header_fits(source: Csv | Tsv, origin: str, header: list[str]) -> None:
    """A first row read as the header that lacks the named columns and looks like data is
    a file without a header: ES403, saying how to read it."""
    missing = [c for c in source.named_columns().values() if c not in header]
    reason = first_row_is_data(header) if source.header and missing else None
    if reason:
        raise RunError(f"{origin}: no column `{missing[0]}`: {reason}; {NO_HEADER}", "ES403")


@reader("jsonl", _file_fingerprint)
def _jsonl(source: Jsonl, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    path, origin = _existing(base_dir, source.path), _origin(source.path)
    header: dict[str, None] = {}
    rows = []
    for number, line in enumerate(_read_text(path, origin).splitlines(), start=1):
        if not line.strip():
            continue
        location = f"{origin}:{number}"
        try:
            values = json.loads(line)
        except json.JSONDecodeError as error:
            problems.add(location, f"not valid JSON ({error.msg}); one object per line")
            continue
        if not isinstance(values, dict):
            problems.add(location, "not a JSON object; write one `{\"key\": value}` per line")
            continue
        header.update(dict.fromkeys(values))
        rows.append((location, values))
    table = Table("jsonl", origin, list(header), rows, path.parent)
    return _with_file(table_examples(table, source, task, problems),
                      _file_fingerprint(source, base_dir))


@reader("parquet", _file_fingerprint)
def _parquet(source: Parquet, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    path, origin = _existing(base_dir, source.path), _origin(source.path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise RunError(f"{origin}: reading Parquet needs pyarrow; `pip install pyarrow`",
                       "ES407") from None
    try:
        data = pq.read_table(path)
    except Exception as error:  # noqa: BLE001 - pyarrow raises several kinds
        raise RunError(f"{origin}: not a readable Parquet file ({error})", "ES408") from None
    rows = [(f"{origin}:{i}", values) for i, values in enumerate(data.to_pylist(), start=1)]
    table = Table("parquet", origin, list(data.column_names), rows, path.parent)
    return _with_file(table_examples(table, source, task, problems),
                      _file_fingerprint(source, base_dir))


@reader("hf_dataset", _loaded_first)
def _hf_dataset(source: HfDataset, task: TaskType, base_dir: Path,
                problems: Problems) -> Loaded:
    named = f"hf_dataset(\"{source.name}\")"
    try:
        import datasets
    except ImportError:
        raise RunError(f"{named} needs the Hugging Face `datasets` library; "
                       "`pip install datasets`", "ES407") from None
    try:
        data = datasets.load_dataset(source.name, source.config, split=source.split)
    except Exception as error:  # noqa: BLE001 - hub, cache and builder errors alike
        raise RunError(f"{named}: cannot be loaded ({error}); check the name, `config` and "
                       "`split`, or download it first (offline, only the local cache is read)",
                       "ES408") from None
    origin = f"{source.name}[{source.split}]"
    rows = [(f"{origin}:{i}", dict(values)) for i, values in enumerate(data)]
    decoders = _class_label_decoders(getattr(data, "features", None) or {})
    table = Table("hf_dataset", origin, list(data.column_names), rows, base_dir, decoders)
    loaded = table_examples(table, source, task, problems)
    where = f"{source.name}/{source.config or 'default'}/{source.split}"
    return Loaded(loaded.origin, loaded.examples, loaded.locations,
                  {f"hf_dataset:{where}": getattr(data, "_fingerprint", None) or where,
                   **loaded.fingerprints})


def _class_label_decoders(features: Any) -> dict[str, Callable[[Any], Any]]:
    """Columns stored as class indices (`ClassLabel`, or a sequence of them) → names."""
    decoders: dict[str, Callable[[Any], Any]] = {}
    for column, feature in dict(features).items():
        inner = getattr(feature, "feature", None)
        if hasattr(feature, "int2str"):
            decoders[column] = feature.int2str
        elif inner is not None and hasattr(inner, "int2str"):
            decoders[column] = _each(inner.int2str)
    return decoders


def _each(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda values: [decode(value) for value in values]


IMAGE_FILES = (IMAGE_EXTENSIONS, "images")
AUDIO_FILES = (AUDIO_EXTENSIONS, "WAV or FLAC files")


def _class_folders(base_dir: Path, written: str, extensions: frozenset[str],
                   what: str) -> tuple[Path, list[tuple[str, Path]]]:
    """(root, [(class, file)]) for a folder with one sub-folder per class."""
    root, origin = _existing(base_dir, written, folder=True), _origin(written)
    classes = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    files = [(folder.name, path) for folder in classes for path in sorted(folder.rglob("*"))
             if path.suffix.lower() in extensions and path.is_file()
             and not any(part.startswith(".") for part in path.relative_to(root).parts)]
    if not files:
        raise RunError(f"{origin}: no {what} found; put them in one sub-folder per class "
                       f"({', '.join(sorted(extensions))})", "ES401")
    return root, files


def _folder_loaded(written: str, root: Path, files: list[tuple[str, Path]], key: str,
                   problems: Problems, check: Callable[[Path], str | None]) -> Loaded:
    origin = _origin(written)
    ids = [path.relative_to(root).as_posix() for _, path in files]
    for relative, (_, path) in zip(ids, files, strict=True):
        problem = check(path)
        if problem:
            problems.add(f"{origin}/{relative}", problem)
    examples = Examples(ids, {key: [str(path) for _, path in files]}, [c for c, _ in files])
    return Loaded(origin, examples, [f"{origin}/{i}" for i in ids],
                  _folder_digest(written, root, files))


def _folder_digest(written: str, root: Path, files: list[tuple[str, Path]]) -> dict[str, str]:
    return {_origin(written): files_sha256(root, [path for _, path in files])}


def _folder_fingerprint(kind: tuple[frozenset[str], str]) -> Fingerprint:
    def fingerprint(source: Images | Audio, base_dir: Path) -> dict[str, str]:
        return _folder_digest(source.dir, *_class_folders(base_dir, source.dir, *kind))
    return fingerprint


@reader("images", _folder_fingerprint(IMAGE_FILES))
def _images(source: Images, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    _needs_target(task, "label", "images(dir)")
    root, files = _class_folders(base_dir, source.dir, *IMAGE_FILES)
    return _folder_loaded(source.dir, root, files, "image", problems, image_problem)


@reader("audio", _folder_fingerprint(AUDIO_FILES))
def _audio(source: Audio, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    _needs_target(task, "label", "audio(dir)")
    root, files = _class_folders(base_dir, source.dir, *AUDIO_FILES)
    return _folder_loaded(source.dir, root, files, "audio", problems, audio_problem)


LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _Layout:
    """Where a CoNLL file's tokens and tags are: column indices, and how many columns every
    token line has (those of its first token line, `first`)."""

    token: int
    tag: int
    width: int
    first: str  # `file:line` of the first token line

    def token_line(self, line: str, columns: list[str]) -> bool:
        """A `#` line is a comment unless it has the token lines' columns and an IOB tag in
        its tag column (so a `#hashtag  O` token is kept)."""
        return not line.startswith("#") or (len(columns) == self.width
                                            and is_tag(columns[self.tag].strip()))


@reader("conll", _file_fingerprint)
def _conll(source: Conll, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    """One token per line; a blank line (or several, or a `-DOCSTART-` line) ends a
    sentence; `#` lines are comments (see `_Layout.token_line`). A sentence is named by its
    first token's line; a line with other columns than the first token line, or with an
    empty token or tag, goes to `problems`."""
    _needs_target(task, "tags", "conll(path)")
    path, origin = _existing(base_dir, source.path), _origin(source.path)
    lines = LINE_BREAK.split(_read_text(path, origin))
    layout = _conll_layout(source, origin, lines)
    sentences: list[tuple[str, list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    start = ""
    for number, line in enumerate([*lines, ""], start=1):
        columns = Conll.fields(line)
        if not columns or Conll.skipped(line):
            if tokens:
                sentences.append((start, tokens, tags))
            tokens, tags = [], []
            continue
        if not layout.token_line(line, columns):
            continue
        location = f"{origin}:{number}"
        start = start if tokens else location
        token, tag = _token_and_tag(columns, layout, location, problems)
        tokens.append(token)
        tags.append(tag)
    ids = [s for s, _, _ in sentences]
    examples = Examples(ids, {"tokens": [t for _, t, _ in sentences]},
                        [g for _, _, g in sentences])
    return Loaded(origin, examples, ids, _file_fingerprint(source, base_dir))


def _conll_layout(source: Conll, origin: str, lines: list[str]) -> _Layout:
    first = Conll.first_sentence(lines)
    if not first:
        raise RunError(f"{origin}: no sentences found; one token per line, a blank line "
                       "between sentences", "ES408")
    number, columns = first[0]
    width = len(columns)
    token, tag = source.columns(first)
    for key, index in (("tokens", token), ("tags", tag)):
        if not -width <= index < width:
            raise RunError(f"{origin}: `{key} = {index}` is out of range: line {number} has "
                           f"{width} column{'s' if width != 1 else ''}; use a column index "
                           f"from 0 to {width - 1}", "ES403")
    if token == tag % width:
        raise RunError(f"{origin}: line {number} has {width} column{'s' if width != 1 else ''}"
                       f" and the tokens and tags would be the same column ({token}); write "
                       "each token and its tag on one line, separated by a tab, or set "
                       "`tokens` and `tags`", "ES403")
    return _Layout(token, tag % width, width, f"{origin}:{number}")


def _token_and_tag(columns: list[str], layout: _Layout, location: str,
                   problems: Problems) -> tuple[str, str]:
    """The token and the tag of a token line ("" where the line lacks them)."""
    if len(columns) != layout.width:
        problems.add(location, f"{len(columns)} column{'s' if len(columns) != 1 else ''} but "
                     f"the first token line ({layout.first}) has {layout.width}; give every "
                     "token line the same columns (is a tag missing?)")
        return "", ""
    token, tag = columns[layout.token].strip(), columns[layout.tag].strip()
    for what, value, index in (("token", token, layout.token), ("tag", tag, layout.tag)):
        if not value:
            problems.add(location, f"empty {what} in column {index} (0-based); fill it in or "
                         f"set `{what}s` to the column that holds it")
    return token, tag


def _builtin_fingerprint(source: Builtin, base_dir: Path) -> dict[str, str]:
    """The package and version that provides the data set (read without importing it)."""
    try:
        provider = f"scikit-learn {metadata.version('scikit-learn')}"
    except metadata.PackageNotFoundError:
        raise RunError("builtin data sets need scikit-learn; `pip install scikit-learn`",
                       "ES407") from None
    return {f"builtin:{source.name}": provider}


@reader("builtin", _builtin_fingerprint)
def _builtin(source: Builtin, task: TaskType, base_dir: Path, problems: Problems) -> Loaded:
    """scikit-learn's small data sets; digits become uint8 images for image classification."""
    dataset = BUILTIN_DATASETS.get(source.name)
    if dataset is None:
        close = difflib.get_close_matches(source.name, BUILTIN_DATASETS, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"one of {', '.join(BUILTIN_DATASETS)}"
        raise RunError(f"builtin(\"{source.name}\"): unknown data set; {hint}", "ES409")
    if not dataset.readable_by(task):
        raise RunError(f"builtin(\"{source.name}\") is a {dataset.modality} {dataset.family} "
                       f"data set; it does not fit a {task.name} task", "ES312")
    bunch = _sklearn_load(dataset.loader)
    if task.modality == "image":
        inputs: dict[str, Any] = {"image": list(_to_uint8(bunch.images))}
    else:
        inputs = {"features": np.asarray(bunch.data, dtype=np.float32)}
    if dataset.classes is None:
        targets: list[Any] = [float(y) for y in bunch.target]
    else:
        targets = [str(bunch.target_names[y]) for y in bunch.target]
    ids = [f"{source.name}:{i}" for i in range(len(targets))]
    return Loaded(source.name, Examples(ids, inputs, targets), ids,
                  _builtin_fingerprint(source, base_dir))


def _sklearn_load(loader: str) -> Any:
    module_name, _, function = loader.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise RunError("builtin data sets need scikit-learn; `pip install scikit-learn`",
                       "ES407") from None
    return getattr(module, function)()


def _to_uint8(images: np.ndarray) -> np.ndarray:
    """scikit-learn's digits (0..16 floats) → 0..255 uint8."""
    return np.round(np.asarray(images, dtype=np.float64) * (255 / 16)).astype(np.uint8)
