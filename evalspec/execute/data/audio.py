"""Audio clips as the models read them: decoded with soundfile, mixed to mono, resampled
(polyphase, anti-aliased) to the model's rate and cut at a duration cap."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from evalspec.errors import RunError

DEFAULT_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class Clip:
    samples: np.ndarray  # float32, mono, at `rate`, values in [-1, 1]
    rate: int
    source_rate: int  # the file's own rate
    truncated: bool  # longer than max_seconds: cut to max_seconds


def read_clip(path: str | Path, rate: int, max_seconds: float = DEFAULT_MAX_SECONDS) -> Clip:
    """The clip at `path` as `rate` mono samples; a file that cannot be used is a RunError
    naming it (unreadable, no samples, silent, not finite). Decoded once per process."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except OSError as error:
        raise RunError(f"{path}: audio file cannot be read ({error.strerror}); check the "
                       "path", "ES501") from None
    return _decoded(str(resolved), stat.st_mtime_ns, stat.st_size, rate, max_seconds,
                    str(path))


@lru_cache(maxsize=20_000)
def _decoded(resolved: str, mtime_ns: int, size: int, rate: int, max_seconds: float,
             written: str) -> Clip:
    import soundfile

    try:
        data, source_rate = soundfile.read(resolved, dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, OSError) as error:
        raise RunError(f"{written}: not a readable WAV or FLAC file ({error}); replace or "
                       "remove it", "ES501") from None
    if not data.size:
        raise RunError(f"{written}: holds no samples; replace or remove it", "ES501")
    samples = data.mean(axis=1, dtype=np.float64)
    if not np.isfinite(samples).all():
        raise RunError(f"{written}: holds samples that are not finite numbers; replace or "
                       "remove it", "ES501")
    if not samples.any():
        raise RunError(f"{written}: is silent (every sample is 0); remove it or replace it",
                       "ES501")
    if source_rate != rate:
        from scipy.signal import resample_poly

        common = math.gcd(int(source_rate), rate)
        samples = resample_poly(samples, rate // common, int(source_rate) // common)
    cap = int(round(max_seconds * rate))
    truncated = len(samples) > cap
    clipped = np.clip(samples[:cap], -1.0, 1.0).astype(np.float32)
    return Clip(clipped, rate, int(source_rate), truncated)
