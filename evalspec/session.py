"""One run's bookkeeping between execute and results: the plan with data fingerprints,
predictions and results written as each cell ends (a later failure loses nothing
finished), and the run log."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalspec.execute.data.examples import TaskData
from evalspec.execute.events import Event, describe
from evalspec.execute.options import RunOptions
from evalspec.outcome import CellOutcome
from evalspec.plan import Plan
from evalspec.results.store import RunFolder
from evalspec.source import SourceFile

if TYPE_CHECKING:  # the metrics code (and scikit-learn) loads only once a cell is scored
    from evalspec.results.scoring import ValidationScorer


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Session:
    def __init__(self, source: SourceFile, folder: RunFolder, options: RunOptions):
        self.source, self.folder = source, folder
        self._plan: Plan | None = None
        self.data: dict[str, TaskData] = {}
        self._notify = options.progress
        self.options = dataclasses.replace(options, progress=self.progress)
        self.started = _now()
        self.outcomes: list[CellOutcome] = []
        self.cells: list[dict[str, Any]] = []
        self.device = options.device
        self._cell_started = self.started
        self.prescreen: dict[str, dict[str, dict[str, Any]]] = {}
        self.stopped: list[dict[str, Any]] = []

    def progress(self, event: Event) -> None:
        if event.get("kind") == "cell":
            self.device = event["device"]
            self._cell_started = _now()
        line = describe(event)
        if line:
            self.folder.append_log(f"{_now()} {line.strip()}")
        self._notify(event)

    def begin(self, plan: Plan, data: dict[str, TaskData]) -> None:
        """The plan its cells come from, and the data each task was read from."""
        self._plan, self.data = plan, data

    def raced(self, record: dict[str, Any]) -> None:
        """A cell the race stopped: recorded, and its model left off the leaderboard."""
        self.stopped.append(record)
        self.folder.write_results(self._document(complete=False))

    def prescreened(self, scores: dict[str, dict[str, dict[str, Any]]]) -> None:
        """Every candidate's pre-screen scores, per task (recorded with the results)."""
        self.prescreen = scores

    @property
    def plan(self) -> Plan:
        assert self._plan is not None, "begin() the session first"
        return self._plan

    def validation_scorer(self) -> ValidationScorer:
        """Validation predictions → the task's metrics, for curves and early stopping."""
        from evalspec.results.scoring import ValidationScorer

        return ValidationScorer(self.plan.spec)

    def finish_cell(self, outcome: CellOutcome) -> None:
        """Write the cell's predictions and the results so far."""
        from evalspec.results import document

        cell = outcome.cell
        name = self.folder.predictions_name(cell.task, cell.model, cell.seed)
        self.folder.write_predictions(name, outcome.predictions.rows())
        files = {}
        for evaluation, predictions in outcome.evaluations.items():
            files[evaluation] = self.folder.predictions_name(cell.task, cell.model, cell.seed,
                                                             evaluation)
            self.folder.write_predictions(files[evaluation], predictions.rows())
        self.outcomes.append(outcome)
        self.cells.append(document.cell_record(self.plan.spec, outcome, name, files,
                                               started=self._cell_started, finished=_now()))
        self.folder.write_results(self._document(complete=False))

    def _document(self, complete: bool) -> dict[str, Any]:
        from evalspec.results import document

        return document.build(self.plan, self.source, self.data, self.outcomes, self.cells,
                              started=self.started, finished=_now() if complete else None,
                              device=self.device, prescreen=self.prescreen,
                              raced=self.stopped)

    def write_results(self) -> Path:
        self.folder.write_spec(self.source.path, self.source.text)
        self.folder.write_results(self._document(complete=True))
        self.progress({"kind": "done", "path": str(self.folder.results)})
        return self.folder.results
