"""Run in every Ray worker of the Ray tests as it starts (`worker_process_setup_hook`): the
worker running a cell dies (`os._exit`) right after it writes a checkpoint, once the test
has armed it by creating the file `$EVALSPEC_TEST_DIE`; the first worker to see it removes
it, so exactly one dies."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from evalspec.execute.training import checkpoint

ARMED = "EVALSPEC_TEST_DIE"


def die_once() -> None:
    saved = checkpoint.save

    def save_then_die(folder: Path, written: Any) -> Path:
        path = saved(folder, written)
        try:
            Path(os.environ[ARMED]).unlink()
        except (KeyError, FileNotFoundError):  # not armed, or another worker died
            return path
        os._exit(1)

    checkpoint.save = save_then_die  # type: ignore[assignment]
