"""The output folder of a run: results.json, predictions, a copy of the spec, the run log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec.atomic import unwritable, write_text
from evalspec.results.files import write_json, write_jsonl

RESULTS = "results.json"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


@dataclass(frozen=True)
class RunFolder:
    """Where one spec's run writes; every file is written atomically."""

    root: Path

    @property
    def results(self) -> Path:
        return self.root / RESULTS

    def predictions_name(self, task: str, model: str, seed: int,
                         evaluation: str | None = None) -> str:
        """The test split's predictions file, or (`evaluation`) an extra set's or
        perturbation's."""
        stem = f"{_safe(task)}__{_safe(model)}__seed{seed}"
        return f"predictions/{stem}.jsonl" if evaluation is None else \
            f"predictions/{stem}__{_safe(evaluation)}.jsonl"

    def write_predictions(self, name: str, rows: list[dict[str, Any]]) -> None:
        write_jsonl(self.root / name, rows)

    def write_spec(self, spec_path: str, text: str) -> None:
        """The spec's copy, under its own file name."""
        write_text(self.root / _safe(Path(spec_path).name), text)

    def write_results(self, document: dict[str, Any]) -> None:
        write_json(self.results, document)

    def append_log(self, line: str) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with (self.root / "run.log").open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError as error:
            raise unwritable(self.root / "run.log", error) from None


def output_folder(spec_path: Path, configured: str | None, override: Path | None) -> RunFolder:
    """`--out`, else the report block's `out` relative to the spec, else
    `reports/<spec name>` beside the spec."""
    if override is not None:
        return RunFolder(override)
    base = spec_path.resolve().parent
    return RunFolder(base / (configured or f"reports/{spec_path.stem}"))
