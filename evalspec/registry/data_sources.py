"""Data sources as data: how each `data = …` call lays out its examples and which task
types can read it (the readers live in execute/data/sources.py, the checks in check/)."""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.registry.base import Registry


@dataclass(frozen=True)
class DataSource:
    name: str
    layout: str  # table (named columns) | folder (a sub-folder per class) | file | dataset
    location: str | None  # the argument naming its file or folder: path | dir | None
    task_types: frozenset[str] | None  # the only task types it fits; None: every one
    read_hint: str = ""  # how to fix a file it cannot read
    counted: str = "row"  # what one example of it is, as a run reports how many it read

    @property
    def tabular(self) -> bool:
        """Rows whose columns the keywords (`text = "…"`, `label = "…"`) name."""
        return self.layout == "table"


DATA_SOURCES: Registry[DataSource] = Registry("data source")
for _source in (
        DataSource("csv", "table", "path", None, "save it as UTF-8 CSV with a header row"),
        DataSource("tsv", "table", "path", None,
                   "save it as UTF-8 text, one row per line, fields separated by tabs"),
        DataSource("jsonl", "table", "path", None, "write one JSON object per line, in UTF-8"),
        DataSource("parquet", "table", "path", None,
                   "point at a Parquet file, or use `csv(…)`/`jsonl(…)`"),
        DataSource("hf_dataset", "table", None, None),
        DataSource("images", "folder", "dir", frozenset({"image_classification"}),
                   "put each class's images in its own sub-folder", "image"),
        DataSource("audio", "folder", "dir", frozenset({"audio_classification"}),
                   "put each class's clips in its own sub-folder", "clip"),
        DataSource("conll", "file", "path", frozenset({"token_classification"}),
                   "write one token per line, then its tags, in UTF-8", "sentence"),
        DataSource("builtin", "dataset", None, None, counted="example"),
):
    DATA_SOURCES.add(_source)

TABULAR_SOURCES = tuple(n for n, s in DATA_SOURCES.items() if s.tabular)
