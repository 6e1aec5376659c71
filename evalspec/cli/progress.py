"""Run progress on the terminal: a live rich display on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from evalspec.cli.output import use_colour
from evalspec.execute.events import describe, epoch_title, step_status

if TYPE_CHECKING:
    from rich.console import Console


class PlainProgress:
    """One line per event, for logs and CI; step events, many a second, have none."""

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
    """Every event's line printed and kept, above a live bar: the epoch in progress with its
    steps, examples per second and the time the run has left, or what the run is doing."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.fields[status]}"),
                            console=console or Console(stderr=True), transient=True)
        self.task = self.bar.add_task("starting", total=None, status="")
        self.bar.start()

    def __call__(self, event: dict[str, Any]) -> None:
        from rich.text import Text

        if event.get("kind") == "step":
            self.bar.update(self.task, description=epoch_title(event), total=event["steps"],
                            completed=event["step"], status=step_status(event))
            return
        line = describe(event)
        if not line:
            return
        elapsed = time.perf_counter() - self.started
        self.bar.console.print(Text.assemble((f"{elapsed:7.1f}s ", "dim"), line),
                               highlight=False)
        self.bar.update(self.task, description=line.strip(), total=None, completed=0,
                        status="")

    def close(self) -> None:
        self.bar.stop()


def progress_display() -> PlainProgress:
    return LiveProgress() if use_colour(sys.stderr) else PlainProgress()
