"""Audio clips as models read them: decoded, mixed to mono, resampled and capped in length."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from evalspec.errors import RunError
from evalspec.execute.data.media import AUDIO_ERRORS, NO_SAMPLES, unreadable_audio

DEFAULT_MAX_SECONDS: float = 30.0
MEMO_CLIPS = 20_000  # decoded clips kept per process (several candidates read the same)


@dataclass(frozen=True)
class Clip:
    """One decoded clip; `samples` is read-only (it is shared through the memo)."""

    samples: np.ndarray  # float32, mono, at `rate`, values in [-1, 1]
    rate: int
    source_rate: int  # the file's own rate
    truncated: bool  # longer than max_seconds: cut to max_seconds


@dataclass(frozen=True)
class Waveform:
    """A clip in memory (a perturbed file, say), read like a file; `name` is the file it came
    from, for error messages and reports."""

    samples: np.ndarray  # float32, mono, at `rate`
    rate: int
    name: str


class _Unusable(Exception):
    """A clip's problem and its fix, without the path (the caller names the file)."""


def read_clip(source: str | Path | Waveform, rate: int,
              max_seconds: float = DEFAULT_MAX_SECONDS) -> Clip:
    """The clip at `source` (a file, or a waveform in memory) as mono float32 samples at
    `rate`, cut to `max_seconds`. Resampling is polyphase (`scipy.signal.resample_poly`,
    anti-aliased). A clip that cannot be used (unreadable, no samples, not finite, silent) is
    a RunError (ES501) naming the path as given (a waveform's `name`). The same file,
    unchanged, at the same rate and cap is decoded once per process; a waveform is not kept."""
    if isinstance(source, Waveform):
        with _named(source.name):
            return _clip(source.samples[:, np.newaxis], source.rate, rate, max_seconds)
    with _named(source):
        resolved = Path(source).resolve()
        stat = resolved.stat()
        return _decoded(str(resolved), stat.st_mtime_ns, stat.st_size, rate, max_seconds)


def decode(path: str | Path) -> tuple[np.ndarray, int]:
    """The file at `path` mixed to mono float32 samples at its own rate, and that rate; not
    resampled, cut or kept. An unusable file is a RunError (ES501) naming `path`."""
    with _named(path):
        data, source_rate = _read(str(path))
        return _mono(data).astype(np.float32), source_rate


@contextmanager
def _named(name: str | Path) -> Iterator[None]:
    """A clip's problem raised inside as a RunError (ES501) naming `name`."""
    try:
        yield
    except OSError as error:
        raise RunError(f"{name}: {unreadable_audio(error)}", "ES501") from None
    except _Unusable as problem:
        raise RunError(f"{name}: {problem}", "ES501") from None


@lru_cache(maxsize=MEMO_CLIPS)
def _decoded(resolved: str, mtime_ns: int, size: int, rate: int, max_seconds: float) -> Clip:
    """`mtime_ns` and `size` only key the memo: a file changed on disk is decoded again."""
    return _clip(*_read(resolved), rate, max_seconds)


def _read(path: str) -> tuple[np.ndarray, int]:
    """The file's samples, (frames, channels) float32, and its rate."""
    try:
        data, source_rate = soundfile.read(path, dtype="float32", always_2d=True)
    except AUDIO_ERRORS as error:
        raise _Unusable(unreadable_audio(error)) from None
    return data, source_rate


def _mono(data: np.ndarray) -> np.ndarray:
    """`data`, (frames, channels), as the mean of its channels (float64), unless it holds no
    samples, samples not finite or only zeros."""
    if not len(data):
        raise _Unusable(NO_SAMPLES)
    if not np.isfinite(data).all():
        raise _Unusable("holds samples that are not finite numbers (NaN or infinity); "
                        "replace or remove the file")
    if not data.any():
        raise _Unusable("is silent (every sample is 0); remove it or replace it")
    return data.mean(axis=1, dtype=np.float64)


def _clip(data: np.ndarray, source_rate: int, rate: int, max_seconds: float) -> Clip:
    """`data`, (frames, channels) at `source_rate`, mixed to mono, cut, resampled and clipped
    to [-1, 1]."""
    mono = _mono(data)
    kept = math.ceil(max_seconds * source_rate)  # cut before resampling: less to filter
    samples = _resampled(mono[:kept], source_rate, rate)[:round(max_seconds * rate)]
    clipped = np.clip(samples, -1.0, 1.0).astype(np.float32)
    clipped.flags.writeable = False
    return Clip(clipped, rate, source_rate, truncated=len(mono) > kept)


def _resampled(samples: np.ndarray, source_rate: int, rate: int) -> np.ndarray:
    if source_rate == rate:
        return samples
    common = math.gcd(source_rate, rate)
    return np.asarray(resample_poly(samples, rate // common, source_rate // common))
