"""The data-parallel runner (`run --nproc N`): each cell trained by N processes on this
machine, one rank each, that meet at a free localhost port (gloo on the CPU, NCCL on GPUs:
rank r on GPU r). Rank 0's progress events and outcome come back through a queue; Ctrl-C
reaches the ranks as a flag they all honour at the same step (docs/scale.md)."""

from __future__ import annotations

import queue
import signal
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from evalspec.errors import EvalspecError, RunError
from evalspec.execute.cell import CellJob, pick_device, run_rank
from evalspec.execute.events import Event
from evalspec.outcome import CellOutcome

POLL_SECONDS = 0.1  # how often the driver forwards progress and looks for Ctrl-C


@dataclass(frozen=True)
class DataParallelRunner:
    """One job after another, each trained by `nproc` processes together."""

    nproc: int
    batches: ClassVar[bool] = False
    remote: ClassVar[str | None] = None

    def run(self, jobs: Iterable[CellJob], progress: Callable[[Event], None],
            stop: Callable[[], bool]) -> Iterator[CellOutcome]:
        import torch.multiprocessing as mp
        from torch.multiprocessing.spawn import ProcessException

        context = mp.get_context("spawn")
        for job in jobs:
            enough_gpus(job.device, self.nproc)
            messages, halt = context.Queue(), context.Event()
            ranks = mp.start_processes(train_rank, (self.nproc, free_port(), job, messages,
                                                    halt),
                                       nprocs=self.nproc, join=False, start_method="spawn")
            found: list[CellOutcome | EvalspecError] = []
            try:
                while not ranks.join(POLL_SECONDS):
                    receive(messages, progress, found)
                    settled(found)  # on rank 0's error: the others may wait for it for ever
                    if stop():
                        halt.set()
            except ProcessException as failed:
                receive(messages, progress, found)
                settled(found)
                raise RunError(f"{job.cell.key}: a training process failed "
                               f"({str(failed).strip().splitlines()[-1]})", "ES508") from None
            finally:
                for process in ranks.processes:
                    if process.is_alive():
                        process.terminate()
            receive(messages, progress, found)
            outcome = settled(found)
            if outcome is None:
                raise RunError(f"{job.cell.key}: the training processes ended without an "
                               "outcome", "ES508")
            yield outcome


def enough_gpus(device: str, nproc: int) -> None:
    """On CUDA every rank needs a GPU of its own (NCCL refuses two ranks on one)."""
    import torch

    found = torch.cuda.device_count()
    if pick_device(device).type == "cuda" and found < nproc:
        raise RunError(f"--nproc {nproc}: this machine has {found} CUDA device"
                       f"{'s' * (found != 1)}; use --nproc {found} or --device cpu", "ES502")


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now, for the ranks to meet at."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def receive(messages: Any, progress: Callable[[Event], None],
            found: list[CellOutcome | EvalspecError]) -> None:
    """Pass on the progress events queued so far; the outcome (or error) goes to `found`.
    Read while the ranks run: a rank exits only once what it queued has been read."""
    while True:
        try:
            kind, value = messages.get_nowait()
        except queue.Empty:
            return
        if kind == "event":
            progress(value)
        else:
            found.append(value)


def settled(found: list[CellOutcome | EvalspecError]) -> CellOutcome | None:
    """The outcome rank 0 sent, or None while it has sent nothing; an error it sent is
    raised here."""
    if not found:
        return None
    if isinstance(found[0], EvalspecError):
        raise found[0]
    return found[0]


def train_rank(rank: int, world: int, port: int, job: CellJob, messages: Any,
               halt: Any) -> None:
    """One rank of a cell (in its own process): join the group, train, and on rank 0 queue
    the outcome or the evalspec error that ended it."""
    import torch
    import torch.distributed as dist

    from evalspec.execute.training.ranks import Ranks

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver turns Ctrl-C into `halt`
    device = pick_device(job.device)
    if device.type == "cuda":
        torch.cuda.set_device(rank)
        device = torch.device("cuda", rank)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                            init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    lead = rank == 0
    try:
        outcome = run_rank(job, lambda event: messages.put(("event", event)) if lead else None,
                           halt.is_set, Ranks(rank, world, device))
        if lead:
            messages.put(("outcome", outcome))
    except EvalspecError as error:
        if lead:
            messages.put(("outcome", error))
    finally:
        dist.destroy_process_group()
