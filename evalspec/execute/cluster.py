"""The Ray executor: every cell to train is a Ray task with its resource needs, on a local
Ray instance or a cluster. Workers read the spec's folder and write the cache at the same
paths as the driver (a shared filesystem, docs/scale.md); their progress events come back
through a Ray queue, and a worker that dies is retried from the cell's last checkpoint."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from evalspec.errors import EvalspecError, Interrupted, RunError, UsageError
from evalspec.execute.cell import CellJob, run_cell
from evalspec.execute.events import Event
from evalspec.outcome import CellOutcome

RETRIES = 3  # runs of a cell after its worker died, each from the cell's last checkpoint
POLL_SECONDS = 0.1  # how often the driver forwards progress and looks for Ctrl-C
SHARED = ("the spec's folder and the cache folder must be at the same path on every Ray "
          "worker (see docs/scale.md)")


@dataclass(frozen=True)
class RayRunner:
    """Every job at once as a Ray task (one CPU and `gpus_per_cell` GPUs each); outcomes in
    the order they end. Connects to `address`, else starts a local Ray instance, unless
    this process already started Ray."""

    address: str | None = None
    gpus_per_cell: float = 0
    batches: ClassVar[bool] = True
    remote: ClassVar[str | None] = "Ray"

    def run(self, jobs: Iterable[CellJob], progress: Callable[[Event], None],
            stop: Callable[[], bool]) -> Iterator[CellOutcome]:
        import ray
        from ray.util.queue import Queue

        started = connect(self.address)
        pending: dict[Any, CellJob] = {}
        try:
            events = Queue()
            task = ray.remote(train_on_worker).options(
                num_cpus=1, num_gpus=self.gpus_per_cell, max_retries=RETRIES)
            pending = {task.remote(job, events): job for job in jobs}
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_SECONDS)
                forward(events, progress)
                if stop():
                    raise Interrupted("interrupted; the outstanding cells were cancelled and "
                                      "their last checkpoints kept — run the same command to "
                                      "resume")
                for ref in done:
                    yield returned(ref, pending.pop(ref))
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
            if started:
                ray.shutdown()


def ray_runner(address: str | None, gpus_per_cell: float) -> RayRunner:
    """The Ray runner, once Ray is known to be installed (exit 2 when it is not)."""
    try:
        import ray  # noqa: F401
    except ImportError:
        raise UsageError("--executor ray needs Ray; `pip install 'evalspec[ray]'`") from None
    return RayRunner(address, gpus_per_cell)


def connect(address: str | None) -> bool:
    """Ray ready for tasks; True when this call started it (the caller shuts it down)."""
    import ray

    if ray.is_initialized():
        return False
    try:
        if address is None:
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
                     logging_level=logging.ERROR)
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = f"--address {address}" if address else "a local Ray instance"
        raise RunError(f"{where}: Ray did not start ({error})".replace("\n", " "),
                       "ES507") from None
    return True


def forward(events: Any, progress: Callable[[Event], None]) -> None:
    """Pass on the events workers have queued so far."""
    while not events.empty():
        progress(events.get_nowait())


def returned(ref: Any, job: CellJob) -> CellOutcome:
    """A finished task's outcome; an evalspec error it returned is raised here, and a cell
    whose workers kept dying fails the run in one line."""
    import ray

    try:
        found = ray.get(ref)
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
            ray.exceptions.ActorDiedError, ray.exceptions.ObjectLostError) as error:
        raise RunError(f"{job.cell.key}: its Ray worker died {RETRIES + 1} times "
                       f"({type(error).__name__}); its last checkpoint is kept — run the same "
                       "command to resume", "ES507") from None
    if isinstance(found, EvalspecError):
        raise found
    assert isinstance(found, CellOutcome)
    return found


def train_on_worker(job: CellJob, events: Any) -> CellOutcome | EvalspecError:
    """One cell on a Ray worker, its progress events queued for the driver. Errors meant
    for the user come back as values (a Ray error would wrap them in a traceback): a file
    this worker cannot see, a bad row, a race's stop."""
    host = socket.gethostname()
    try:
        for folder in (job.plan.base_dir, job.cache_root):
            if not folder.is_dir():
                raise FileNotFoundError(2, "no such folder", str(folder))
        return run_cell(job, events.put)
    except FileNotFoundError as missing:
        return RunError(f"{missing.filename}: not found on Ray worker {host}; {SHARED}",
                        "ES507")
    except RunError as error:
        return RunError(f"on Ray worker {host}: {error}", error.code)
    except EvalspecError as error:
        return error
