"""How to run: device, which candidates, what the user allowed (no torch import here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from evalspec.execute.events import Event


def _ignore(event: Event) -> None:
    del event


@dataclass
class RunOptions:
    device: str = "auto"  # auto | cpu | cuda
    only: tuple[str, ...] = ()  # model names; empty = every model
    trust_remote_code: bool = False
    rerun: bool = False  # ignore (and replace) cached cells and checkpoints
    cache_dir: Path | None = None  # default: .evalspec/cache beside the spec
    deterministic: bool = False  # deterministic algorithms on CUDA (the CPU always is)
    progress: Callable[[Event], None] = field(default=_ignore)
