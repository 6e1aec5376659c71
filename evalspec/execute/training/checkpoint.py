"""Checkpoints of a cell in training, each written atomically (see `evalspec.atomic`).
Only complete checkpoints are read; a broken one is removed once a newer one is complete."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from evalspec.atomic import folder_write, is_complete, remove_folder
from evalspec.execute.training.tensors import map_tensors

PREFIX = "ckpt-"


@dataclass
class Checkpoint:
    """What resuming needs: weights, optimizer and scheduler state, the best weights so
    far, random number generator states and the trainer's position and logs."""

    model: dict[str, torch.Tensor]
    best: dict[str, torch.Tensor] | None
    optimizer: dict[str, Any]
    schedule: dict[str, Any]
    rng: dict[str, torch.Tensor]
    state: dict[str, Any]  # JSON: stage, epoch, step, waited, best value/epoch, logs
    scaler: dict[str, Any] = field(default_factory=dict)  # fp16 loss scaling, when used


def on_cpu(value: Any) -> Any:
    """`value` with every tensor in it copied to the CPU (a copy even of a CPU tensor), so
    that training can go on changing the originals. Copies from a GPU are made without
    blocking, into pinned memory, and waited for once at the end."""
    gpus: set[torch.device] = set()

    def copied(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.device.type == "cuda":
            gpus.add(tensor.device)
            return tensor.detach().to("cpu", non_blocking=True)
        return tensor.detach().to("cpu", copy=True)

    found = map_tensors(value, copied)
    for device in gpus:
        torch.cuda.synchronize(device)
    return found


class Writer:
    """Writes a cell's checkpoints to `folder` in a background thread, one at a time, so
    that training goes on while they are written (on a GPU an epoch can take less time
    than writing MiniLM's 360 MB of weights and optimizer state). A checkpoint holds its
    own copies (`Trainer` makes them), so it may be written later. `close` waits for the
    last write and raises its error, if any; so does the next `submit`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpoint")
        self._pending: Future[Path] | None = None

    def submit(self, checkpoint: Checkpoint) -> None:
        self._wait()
        self._pending = self._thread.submit(lambda: save(self.folder, checkpoint))

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._thread.shutdown()


def _number(path: Path) -> int:
    name = path.name.lstrip(".").removeprefix(PREFIX).split(".", 1)[0]
    return int(name) if name.isdigit() else -1


def complete(folder: Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    if not folder.exists():
        return []
    found = [p for p in folder.iterdir()
             if p.is_dir() and p.name.startswith(PREFIX) and is_complete(p)]
    return sorted(found, key=_number)


def save(folder: Path, checkpoint: Checkpoint) -> Path:
    """Write a checkpoint after the newest one; then drop older and broken ones."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    earlier = [p for p in folder.iterdir() if p.name.lstrip(".").startswith(PREFIX)]
    # after every name in use, broken ones included: a new checkpoint never takes the name
    # of a broken one, which is removed below
    number = max((_number(p) for p in earlier), default=0) + 1
    final = folder / f"{PREFIX}{number}"
    with folder_write(final) as temporary:
        save_file({k: v.contiguous() for k, v in checkpoint.model.items()},
                  str(temporary / "model.safetensors"))
        if checkpoint.best is not None:
            save_file({k: v.contiguous() for k, v in checkpoint.best.items()},
                      str(temporary / "best.safetensors"))
        torch.save({"optimizer": checkpoint.optimizer, "schedule": checkpoint.schedule,
                    "scaler": checkpoint.scaler, "rng": checkpoint.rng},
                   temporary / "training.pt")
        (temporary / "state.json").write_text(json.dumps(checkpoint.state, allow_nan=False))
    for path in earlier:
        if path != final:
            remove_folder(path)
    return final


def latest(folder: Path) -> Checkpoint | None:
    """The newest complete checkpoint, or None."""
    from safetensors.torch import load_file

    found = complete(folder)
    if not found:
        return None
    path = found[-1]
    training = torch.load(path / "training.pt", map_location="cpu", weights_only=True)
    best_file = path / "best.safetensors"
    return Checkpoint(load_file(str(path / "model.safetensors")),
                      load_file(str(best_file)) if best_file.exists() else None,
                      training["optimizer"], training["schedule"], training["rng"],
                      json.loads((path / "state.json").read_text()),
                      training.get("scaler", {}))
