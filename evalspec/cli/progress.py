"""Run progress on the terminal: a live rich display on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

from evalspec.cli.output import use_colour
from evalspec.execute.events import describe


class PlainProgress:
    """One line per event, for logs and CI."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, event: dict[str, Any]) -> None:
        line = describe(event)
        if line:
            print(f"[{time.perf_counter() - self.started:7.1f}s] {line}", file=sys.stderr,
                  flush=True)

    def close(self) -> None:
        pass


class LiveProgress(PlainProgress):
    """A status line with the current cell, stage, epoch, loss and an ETA."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.status import Status

        self.console = Console(stderr=True)
        self.status = Status("starting", console=self.console)
        self.status.start()
        self.cells_done = 0
        self.cells_total = 0

    def __call__(self, event: dict[str, Any]) -> None:
        line = describe(event)
        if event.get("kind") == "cell":
            self.cells_total = event["of"]
            self.cells_done = event["number"] - 1
        if not line:
            return
        elapsed = time.perf_counter() - self.started
        eta = ""
        if self.cells_done:
            remaining = elapsed / self.cells_done * (self.cells_total - self.cells_done)
            eta = f"  ETA {remaining:.0f}s"
        if event.get("kind") in ("cell", "done"):
            self.console.print(f"[dim]{elapsed:7.1f}s[/dim] {line}", highlight=False)
        self.status.update(f"{line}{eta}")

    def close(self) -> None:
        self.status.stop()


def progress_display() -> PlainProgress:
    return LiveProgress() if use_colour(sys.stderr) else PlainProgress()
