"""One run's bookkeeping: the plan with data fingerprints, predictions and results written
as each cell ends (a later failure loses nothing finished), and the run log."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np

from evalspec.execute.events import Event, describe
from evalspec.execute.options import RunOptions
from evalspec.execute.predictions import Predictions
from evalspec.plan import Plan, build_plan
from evalspec.results import document, scoring
from evalspec.results.store import RunFolder
from evalspec.source import SourceFile
from evalspec.validate.model import Spec


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Session:
    def __init__(self, source: SourceFile, folder: RunFolder, options: RunOptions):
        self.source, self.folder = source, folder
        self._notify = options.progress
        self.options = dataclasses.replace(options, progress=self.progress)
        self.started = _now()
        self.outcomes: list[Any] = []
        self.cells: list[dict[str, Any]] = []
        self.device = options.device
        self._cell_started = self.started
        self._plan: Plan | None = None
        self._data: dict[str, Any] = {}

    def progress(self, event: Event) -> None:
        if event.get("kind") == "cell":
            self.device = event["device"]
            self._cell_started = _now()
        line = describe(event)
        if line:
            self.folder.append_log(f"{_now()} {line.strip()}")
        self._notify(event)

    def plan_for(self, spec: Spec, data: dict[str, Any] | None = None) -> Plan:
        fingerprints = {name: d.fingerprints for name, d in (data or {}).items()}
        self._plan = build_plan(spec, self.source.directory, fingerprints)
        self._data = data or {}
        return self._plan

    def validation_scorer(self, plan: Plan) -> Any:
        """Decoded validation outputs → the task's metrics, for curves and early stopping."""
        def validation_scores(task: str, outputs: np.ndarray,
                              examples: Any) -> dict[str, float | None]:
            labels = self._data[task].labels
            predictions = Predictions(examples.ids, list(examples.targets), labels,
                                      probabilities=outputs if labels else None,
                                      values=None if labels else outputs)
            return {name: value.value
                    for name, value in scoring.score(plan.spec, task, predictions).items()}

        return validation_scores

    def finish_cell(self, outcome: Any) -> None:
        """Write the cell's predictions and the results so far."""
        assert self._plan is not None
        cell = outcome.cell
        name = self.folder.predictions_name(cell.task, cell.model, cell.seed)
        self.folder.write_predictions(name, outcome.predictions.rows())
        self.outcomes.append(outcome)
        self.cells.append(document.cell_record(self._plan.spec, outcome, name,
                                               started=self._cell_started, finished=_now()))
        self.folder.write_results(self._document(complete=False))

    def _document(self, complete: bool) -> dict[str, Any]:
        assert self._plan is not None
        return document.build(self._plan, self.source, self._data, self.outcomes, self.cells,
                              started=self.started, finished=_now() if complete else None,
                              device=self.device)

    def write_results(self, plan: Plan, data: dict[str, Any]) -> Any:
        self.folder.write_spec(self.source.path.rsplit("/", 1)[-1], self.source.text)
        self.folder.write_results(self._document(complete=True))
        self.progress({"kind": "done", "path": str(self.folder.results)})
        return self.folder.results
