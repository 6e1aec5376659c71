"""Tiny specs for end-to-end tests: composed from their blocks with the suite's usual
defaults, written into a folder and run on the CPU, through the command line or `api.run`.

    tiny.spec(tiny.task(tiny.reviews(data_dir / "reviews.csv")),
              tiny.model("lstm", tiny.scratch("lstm", hidden=16), max_length=32))

is a `sentiment` task over the review CSV (holdout: 25% test, 25% validation, seed 0), one
model, a `probe` stage (head, 1 epoch, lr 1e-2) and `accuracy`. Setting values are spec
source as written (`"1e-3"`, `"linear(warmup = 25%)"`), except paths (quoted), lists and
tuples (`[a, b]`) and numbers; a setting given as None is left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT / "specs" / "data" / "movie_reviews.csv"  # 1200 labelled movie snippets

Results: TypeAlias = dict[str, Any]
Value: TypeAlias = "str | int | float | Path | Sequence[Value] | None"


# ------------------------------------------------------------------ spec source
def quoted(text: Path | str) -> str:
    """A spec string literal."""
    return json.dumps(str(text))


def source(value: Value) -> str:
    """A Python value as spec source."""
    if isinstance(value, Path):
        return quoted(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(source(v) for v in value) + "]"
    return str(value)


def call(fn: str, *args: Value, **kwargs: Value) -> str:
    """`fn(arg, key = value)`."""
    parts = [source(a) for a in args] + [f"{k} = {source(v)}" for k, v in kwargs.items()]
    return f"{fn}({', '.join(parts)})"


def settings(**values: Value) -> list[str]:
    """`key = value` lines, aligned; None values left out."""
    given = {k: v for k, v in values.items() if v is not None}
    width = max(map(len, given), default=0)
    return [f"{key.ljust(width)} = {source(value)}" for key, value in given.items()]


def block(head: str, *lines: str) -> str:
    """`head { … }` around lines (nested blocks included), indented."""
    body = "".join(f"  {line}\n" for part in lines for line in part.splitlines())
    return f"{head} {{\n{body}}}"


# ------------------------------------------------------------------ data sources
def csv(path: Path | str, **columns: str) -> str:
    """`csv("path", text = "…", …)`: column names quoted."""
    return call("csv", quoted(path), **{k: quoted(v) for k, v in columns.items()})


def reviews(path: Path | str) -> str:
    """The review CSV's sentences and labels, by id."""
    return csv(path, text="sentence", label="label", id="id")


def builtin(name: str) -> str:
    return call("builtin", quoted(name))


def holdout(test: str = "25%", validation: str = "25%", seed: int = 0) -> str:
    return call("holdout", test=test, validation=validation, seed=seed)


# ------------------------------------------------------------------ blocks
def task(data: str | None = None, *, name: str = "sentiment",
         type: str = "text_classification", split: str | None = holdout(),
         sections: Sequence[str] = (), **more: Value) -> str:
    """A task block: type, data, the other settings, the split, then `sections` (blocks
    such as `evaluate { … }`)."""
    return block(f"task {name}", *settings(type=type, data=data, **more, split=split),
                 *sections)


def section(kind: str, **entries: str) -> str:
    """`evaluate { name = source … }` or `perturb { name = call … }`."""
    return block(kind, *settings(**entries))


def model(name: str, source: str, **more: Value) -> str:
    return block(f"model {name}", *settings(source=source, **more))


def scratch(arch: str, **more: Value) -> str:
    """`scratch(arch, layers = …)`: a model built from scratch."""
    return call("scratch", arch, **more)


def path(folder: Path | str, **more: str) -> str:
    """`path("folder", arch = "…")`: local weights; string settings quoted."""
    return call("path", quoted(folder), **{k: quoted(v) for k, v in more.items()})


def stage(name: str, **more: Value) -> str:
    return block(f"stage {name}", *settings(**more))


def probe(epochs: int = 1, lr: str = "1e-2", **more: Value) -> str:
    """Stage `probe`: the head alone."""
    return stage("probe", train="head", epochs=epochs, lr=lr, **more)


def full(epochs: int = 1, lr: str = "1e-3", **more: Value) -> str:
    """Stage `full`: every weight."""
    return stage("full", train="all", epochs=epochs, lr=lr, **more)


def finetune(*stages: str, **more: Value) -> str:
    """Settings, then the stages (a lone `probe` if none is given)."""
    return block("finetune", *settings(**more), *(stages or (probe(),)))


def metrics(*names: str, **more: Value) -> str:
    """Metric lines (`accuracy` if none is given), then named metrics and settings."""
    return block("metrics", *(names or ("accuracy",)), *settings(**more))


def report(*formats: str) -> str:
    return block("report", *settings(formats=formats))


def spec(task: str, *models: str, finetune: str | None = finetune(),
         metrics: str = metrics(), report: str | None = None) -> str:
    """A whole spec file: version line, task, models, finetune, metrics, report."""
    blocks = (task, *models, finetune, metrics, report)
    return "evalspec 1\n" + "".join(f"{b}\n" for b in blocks if b is not None)


# ------------------------------------------------------------------ running
def write(folder: Path, text: str, name: str = "test.evalspec") -> Path:
    """FOLDER/NAME holding the spec text."""
    spec_file = folder / name
    spec_file.write_text(text, encoding="utf-8")
    return spec_file


def arguments(spec: Path, out: Path, *flags: str, cache: Path | None = None) -> list[str]:
    """`evalspec run` on the CPU into OUT (with its own cache folder when given)."""
    cache_dir = ["--cache-dir", str(cache)] if cache is not None else []
    return ["run", str(spec), "--device", "cpu", "--out", str(out), *cache_dir, *flags]


def run(spec: Path, out: Path, *flags: str, cache: Path | None = None) -> int:
    """`evalspec run` in this process; its exit code."""
    from evalspec.cli.main import main

    return main(arguments(spec, out, *flags, cache=cache))


def run_api(spec: Path, out: Path, **options: Any) -> Results:
    """`api.run` on the CPU; the results document it wrote."""
    from evalspec import api
    from evalspec.execute.options import RunOptions

    written = api.run(spec, RunOptions(device="cpu", **options), out)
    found = getattr(written, "results", written)  # api.run returns what it wrote
    assert found == out / "results.json"
    return results(out)


def results(out: Path) -> Results:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def predictions(out: Path, cell: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a cell's predictions file."""
    return [json.loads(line) for line in
            (out / cell["predictions"]).read_text(encoding="utf-8").splitlines()]
