"""Runs a plan: data once per task, then every cell — from the cache when its digest is
there, else as a `CellJob` handed to a runner. torch and the model libraries load only when
a cell has to train, so a run whose every cell is cached starts in a fraction of the time."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from evalspec.errors import Interrupted
from evalspec.execute.cache import CellCache
from evalspec.execute.cell import (
    CellJob,
    Scorer,
    evaluate_kept,
    measure_untrained,
    missing_costs,
    prepare,
    quiet_libraries,
    run_cell,
    seed_everything,
)
from evalspec.execute.data.examples import TaskData
from evalspec.execute.eta import TimeLeft, Work
from evalspec.execute.events import Event, loading
from evalspec.execute.interrupt import stop_requests
from evalspec.execute.options import RunOptions
from evalspec.execute.race import Leader, RacedOut, better
from evalspec.outcome import CellOutcome, CellRef, Predictions
from evalspec.plan import Cell, Evaluation, Plan
from evalspec.validate.model import Spec


class Runner(Protocol):
    """Runs cell jobs and yields their outcomes as each ends (in any order). `batches`: it
    runs several at once, so `run_cells` hands it every cell to train together; `remote`:
    where jobs run when not in this process (for the progress line), else None."""

    batches: ClassVar[bool]
    remote: ClassVar[str | None]

    def run(self, jobs: Iterable[CellJob], progress: Callable[[Event], None],
            stop: Callable[[], bool]) -> Iterator[CellOutcome]: ...


@dataclass(frozen=True)
class LocalRunner:
    """One job after another, in this process."""

    batches: ClassVar[bool] = False
    remote: ClassVar[str | None] = None

    def run(self, jobs: Iterable[CellJob], progress: Callable[[Event], None],
            stop: Callable[[], bool]) -> Iterator[CellOutcome]:
        for job in jobs:
            yield run_cell(job, progress, stop)


def load_data(spec: Spec, base_dir: Path,
              progress: Callable[[Event], None]) -> dict[str, TaskData]:
    """Every task's data, read and checked before any model is built; paths are relative
    to `base_dir`, the spec's folder."""
    from evalspec.execute.data.loading import load_task_data

    data = {}
    for name, task in spec.tasks.items():
        progress({"kind": "data", "task": name})
        data[name] = load_task_data(task, base_dir, progress)
    return data


def run_cells(plan: Plan, data: dict[str, TaskData], options: RunOptions, cache: CellCache,
              scorer: Scorer, on_cell: Callable[[CellOutcome], None],
              runner: Runner | None = None,
              on_raced: Callable[[dict[str, Any]], None] = lambda record: None) -> None:
    """Each selected cell, handing each outcome on as it ends: from the cache when its
    digest is there, else run — resuming from its last checkpoint if it has one. When
    candidates race, each cell trains against the leader of its task and seed so far (one
    cell at a time, whatever the runner), and a cell the race stops goes to `on_raced` (its
    record cached: the same leader stops it again without training). A runner that
    `batches` gets every other cell to train at once, each held (`CellCache.claim`) until it
    ends. Progress events of cells, steps and epochs carry the time the run has left
    (`eta.TimeLeft`) when cells train one after another."""
    cells = list(plan.round(options.only).cells if options.only else plan.cells)
    runner = runner or LocalRunner()
    racing = plan.spec.finetune is not None and plan.spec.finetune.race is not None
    batching = runner.batches and not racing
    everything_cached = not options.rerun and all(cache.usable(c.digest, options.device)
                                                  for c in cells)
    device = None if everything_cached or runner.remote else \
        str(prepare(options.device, options.deterministic))
    progress = options.progress if batching else \
        TimeLeft([Work(c.model, c.stages, len(data[c.task].train),
                       not options.rerun and cache.finished(c.digest)) for c in cells],
                 options.progress)

    leaders: dict[tuple[str, int], Leader] = {}

    def job(cell: Cell) -> CellJob:
        return CellJob(plan, cell, data[cell.task], scorer, cache.root, options.device,
                       options.trust_remote_code, options.deterministic,
                       plan.evaluations.get(cell.task, ()), leaders.get((cell.task, cell.seed)))

    def finished(outcome: CellOutcome) -> None:
        lead(plan, scorer, leaders, outcome)
        on_cell(outcome)

    def decide(number: int, cell: Cell) -> CellJob | None:
        """While the cell is claimed: its job when it has to train; None when it is done
        here (from the cache, or stopped before by the race against the same leader)."""
        nonlocal device
        if options.rerun:
            cache.forget(cell.digest)
        damage = cache.damage(cell.digest) if cache.finished(cell.digest) else None
        if damage is not None:  # computed again, never used as is
            progress({"kind": "damaged", "cell": cell.key, "problem": damage})
            cache.forget(cell.digest)
        stopped = cache.raced(cell.digest)
        leader = leaders.get((cell.task, cell.seed))
        if stopped is not None and leader is not None and \
                stopped["leader_digest"] == leader.digest:
            on_raced(stopped)
            return None
        # a finished cell whose weights are gone trains again for evaluations it lacks
        cached = cache.usable(cell.digest, options.device) and \
            (not cache.missing(cell.digest, job(cell).evaluations)
             or cache.weights(cell.digest) is not None)
        if device is None and not cached and not runner.remote:  # the cache changed
            device = str(prepare(options.device, options.deterministic))
        where = {"remote": runner.remote} if runner.remote and not cached else {}
        progress({"kind": "cell", "cell": cell.key, "number": number,
                  "of": len(cells), "cached": cached,
                  "device": options.device if device is None else device, **where})
        if cached:
            finished(from_cache(cache, job(cell), progress))
            return None
        return job(cell)

    def train(queued: dict[str, tuple[CellJob, ExitStack]]) -> None:
        """The queued jobs to the runner; each outcome cached, and its claim let go, as it
        ends, and handed on in the order of the cells (so the results read as a local
        run's)."""
        order, ended = list(queued), {}
        try:
            for outcome in runner.run([j for j, _ in queued.values()], progress, stop):
                done, claim = queued.pop(outcome.cell.digest)
                keep(cache, outcome, done.evaluations)
                claim.close()
                ended[outcome.cell.digest] = outcome
                while order and order[0] in ended:
                    finished(ended.pop(order.pop(0)))
        except RacedOut as out:  # a race trains one cell at a time: the queued one
            (raced, claim), = queued.values()
            cache.store_raced(raced.cell.digest, out.record)
            progress({"kind": "raced", "cell": raced.cell.key, **out.record})
            on_raced(out.record)
            claim.close()
        queued.clear()

    with stop_requests() as stop, ExitStack() as held:
        queued: dict[str, tuple[CellJob, ExitStack]] = {}
        for number, cell in enumerate(cells, start=1):
            if stop():
                raise Interrupted("interrupted; run the same command to resume")
            claim = held.enter_context(ExitStack())
            waiting = functools.partial(progress, {"kind": "waiting", "cell": cell.key})
            claim.enter_context(cache.claim(cell.digest, waiting))  # another run waits here
            found = decide(number, cell)
            if found is None:
                claim.close()
                continue
            queued[cell.digest] = (found, claim)
            if not batching:
                train(queued)
        if queued:
            train(queued)


def from_cache(cache: CellCache, job: CellJob, progress: Callable[[Event], None]
               ) -> CellOutcome:
    """A finished cell's outcome as stored, with cost metrics the spec has added since it
    trained measured now, and its evaluations (the missing ones predicted)."""
    cell = job.cell
    outcome = CellOutcome.from_json(CellRef.of(cell), cache.load(cell.digest))
    missing = missing_costs(job.plan, outcome.cost)
    if missing:
        outcome.cost.update(measure_untrained(job, missing, progress))
        cache.store(cell.digest, outcome.to_json())
    outcome.evaluations = cached_evaluations(cache, job, progress)
    return outcome


def keep(cache: CellCache, outcome: CellOutcome, evaluations: Iterable[Evaluation]) -> None:
    """Store a freshly trained cell's outcome and each of its evaluations' predictions."""
    digest = outcome.cell.digest
    cache.store(digest, outcome.to_json())
    for evaluation in evaluations:
        cache.store_evaluation(digest, evaluation.digest,
                               outcome.evaluations[evaluation.name].rows())


def lead(plan: Plan, scorer: Scorer, leaders: dict[tuple[str, int], Leader],
         outcome: CellOutcome) -> None:
    """Make a finished cell the leader of its task and seed if it beats the current one on
    the validation primary metric."""
    if outcome.validation is None:
        return
    cell = outcome.cell
    value = scorer(cell.task, outcome.validation).get(plan.spec.metrics.primary_name())
    current = leaders.get((cell.task, cell.seed))
    if value is not None and (current is None or better(plan.spec, value, current.value)):
        leaders[(cell.task, cell.seed)] = Leader(cell.digest, cell.model, value,
                                                 outcome.validation)


def cached_evaluations(cache: CellCache, job: CellJob,
                       progress: Callable[[Event], None]) -> dict[str, Predictions]:
    """A finished cell's evaluations by name: those stored read back, the others (added to
    the spec since it trained) predicted with its kept weights, and stored."""
    digest = job.cell.digest
    missing = cache.missing(digest, job.evaluations)
    if missing:
        weights = cache.weights(digest)
        assert weights is not None, "a cell without weights is not served from the cache"
        progress({"kind": "evaluate", "cell": job.cell.key,
                  "names": [e.name for e in missing]})
        predicted = evaluate_kept(dataclasses.replace(job, evaluations=missing), weights,
                                  progress)
        for evaluation in missing:
            cache.store_evaluation(digest, evaluation.digest, predicted[evaluation.name].rows())
    found = {}
    for evaluation in job.evaluations:
        rows = cache.evaluation(digest, evaluation.digest)
        assert rows is not None
        found[evaluation.name] = Predictions.from_rows(rows, job.data.labels)
    return found


def describe_cells(plan: Plan, data: dict[str, TaskData],
                   options: RunOptions) -> list[dict[str, Any]]:
    """Without training: each (task, model)'s parameters and what each stage would train."""
    from evalspec.execute.models.builders import build_candidate
    from evalspec.execute.training import cost
    from evalspec.execute.training.trainer import set_trainable

    quiet_libraries()
    rows = []
    selected = plan.round(options.only) if options.only else plan
    pairs = dict.fromkeys((c.task, c.model) for c in selected.cells)
    for task, model in pairs:
        seed_everything(0)
        options.progress(loading(model, plan.spec.models[model]))
        candidate = build_candidate(model, plan.spec.models[model], plan.spec.tasks[task],
                                    data[task], plan.base_dir,
                                    trust_remote_code=options.trust_remote_code)
        stages = []
        for stage in plan.cells[0].stages:
            set_trainable(candidate, stage)
            stages.append({"stage": stage.name, "train": stage.train,
                           "trainable": sum(p.numel() for p in candidate.parameters()
                                            if p.requires_grad)})
        rows.append({"task": task, "model": model, "params": cost.parameters(candidate),
                     "stages": stages})
    return rows
