"""Finished cells, content-addressed by their digest: a cell whose digest is here is never
trained again. Each entry is written atomically (see `evalspec.atomic`) with the sha256 of
its content beside it, checked on every read: an entry edited, truncated or written
without one is damaged, and what it held is computed again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalspec.atomic import folder_write, is_complete, remove_folder
from evalspec.plan import Evaluation

WEIGHTS = "model.safetensors"


class Damaged(Exception):
    """A cache entry whose content is not what was written (`str()` says what and where)."""


def _write(folder: Path, name: str, value: Any) -> None:
    """`value` as JSON in `folder/name`, with its sha256 in `folder/name.sha256`."""
    text = json.dumps(value, allow_nan=False)
    with folder_write(folder) as temporary:
        (temporary / name).write_text(text, encoding="utf-8")
        (temporary / f"{name}.sha256").write_text(_sha256(text) + "\n", encoding="utf-8")


def _read(folder: Path, name: str) -> Any:
    """The JSON in `folder/name`, None if it was never completely written; Damaged when it
    no longer matches its sha256 (or has none)."""
    if not is_complete(folder):
        return None
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
        recorded = (folder / f"{name}.sha256").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise Damaged(f"{path}: no content digest beside it (an older or partial entry)"
                      ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise Damaged(f"{path}: unreadable ({error})") from None
    if _sha256(text) != recorded:
        raise Damaged(f"{path}: its content does not match the sha256 written with it "
                      "(edited or truncated)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise Damaged(f"{path}: not valid JSON ({error})") from None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CellCache:
    """`root/<digest>/outcome/` once a cell finishes; `root/<digest>/checkpoints/` while it
    trains; `root/<digest>/weights/` the trained weights, kept so that an extra set or a
    perturbation added later is predicted without training; `root/<digest>/evaluations/
    <evaluation digest>/` the predictions of each."""

    root: Path
    # outcomes read and checked, by digest, with the version (inode, change and modification
    # times, size) of the file they came from: the runner asks about a cell several times;
    # a file rewritten or edited since is read again
    _loaded: dict[str, tuple[tuple[int, ...], dict[str, Any]]] = field(
        default_factory=dict, compare=False, repr=False)

    @contextmanager
    def claim(self, digest: str, waiting: Callable[[], None]) -> Iterator[None]:
        """Hold the cell for this process: a second run on the same cache waits here (after
        calling `waiting`) until the first has finished the cell, then finds it cached.
        An advisory lock file in the cache's `.locks/`; none where the OS has no flock."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield
            return
        locks = self.root / ".locks"
        locks.mkdir(parents=True, exist_ok=True)
        with (locks / f"{digest}.lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def checkpoints(self, digest: str) -> Path:
        return self.root / digest / "checkpoints"

    def finished(self, digest: str) -> bool:
        return is_complete(self.root / digest / "outcome")

    def usable(self, digest: str, device: str) -> bool:
        """Finished and intact, on the device asked for: `cpu` or `cuda` must match what the
        cell trained on (numbers and cost differ between them); `auto` takes either."""
        if not self.finished(digest):
            return False
        try:
            outcome = self.load(digest)
        except Damaged:
            return False
        return device == "auto" or outcome.get("device") == device

    def damage(self, digest: str) -> str | None:
        """What is wrong with a finished cell's stored outcome; None when it is intact."""
        try:
            self.load(digest)
        except Damaged as problem:
            return str(problem)
        return None

    def load(self, digest: str) -> dict[str, Any]:
        """A finished cell's outcome, read and checked against its sha256 once per version
        of the file (the dict is shared between calls: change a copy); Damaged when it is
        incomplete or does not match."""
        folder = self.root / digest / "outcome"
        try:
            stat = (folder / "outcome.json").stat()
            version: tuple[int, ...] = (stat.st_ino, stat.st_ctime_ns, stat.st_mtime_ns,
                                        stat.st_size)
        except OSError:
            version = ()
        kept = self._loaded.get(digest)
        if kept is not None and kept[0] == version and is_complete(folder):
            return kept[1]
        found: dict[str, Any] = _read(folder, "outcome.json")
        if found is None:
            raise Damaged(f"{folder}: incomplete")
        self._loaded[digest] = version, found
        return found

    def store(self, digest: str, outcome: dict[str, Any]) -> None:
        """Keep a finished cell's outcome; its checkpoints are no longer needed."""
        _write(self.root / digest / "outcome", "outcome.json", outcome)
        remove_folder(self.checkpoints(digest))

    def forget(self, digest: str) -> None:
        remove_folder(self.root / digest)

    def weights(self, digest: str) -> Path | None:
        """The trained weights of a finished cell, if they were kept."""
        path = self.root / digest / "weights"
        return path / WEIGHTS if is_complete(path) else None

    def keep_weights(self, digest: str, model: Any) -> None:
        """Keep a trained cell's weights (a torch module's) as safetensors; tensors a module
        shares (a timm head that is also its classifier) are written once."""
        from safetensors.torch import save_model

        with folder_write(self.root / digest / "weights") as temporary:
            save_model(model, str(temporary / WEIGHTS))

    def evaluation(self, digest: str, evaluation: str) -> list[dict[str, Any]] | None:
        """The stored prediction rows of one of a cell's evaluations; None when absent or
        damaged (then they are predicted again)."""
        try:
            rows: list[dict[str, Any]] | None = _read(
                self.root / digest / "evaluations" / evaluation, "predictions.json")
        except Damaged:
            return None
        return rows

    def raced(self, digest: str) -> dict[str, Any] | None:
        """Why a race stopped this cell, if it did (a damaged record: as if it had not)."""
        try:
            record: dict[str, Any] | None = _read(self.root / digest / "raced", "raced.json")
        except Damaged:
            return None
        return record

    def store_raced(self, digest: str, record: dict[str, Any]) -> None:
        _write(self.root / digest / "raced", "raced.json", record)

    def prescreen(self, key: str) -> dict[str, Any] | None:
        """A candidate's stored pre-screen scores (None when absent or damaged)."""
        try:
            scores: dict[str, Any] | None = _read(self.root / "prescreen" / key, "scores.json")
        except Damaged:
            return None
        return scores

    def store_prescreen(self, key: str, scores: dict[str, Any]) -> None:
        _write(self.root / "prescreen" / key, "scores.json", scores)

    def missing(self, digest: str, evaluations: Iterable[Evaluation]) -> tuple[Evaluation, ...]:
        """Those of a cell's `evaluations` whose predictions are not stored."""
        return tuple(e for e in evaluations if self.evaluation(digest, e.digest) is None)

    def store_evaluation(self, digest: str, evaluation: str,
                         rows: list[dict[str, Any]]) -> None:
        _write(self.root / digest / "evaluations" / evaluation, "predictions.json", rows)
