"""Audio clips as models read them: decoded, mixed to mono, resampled and capped in length."""

from __future__ import annotations

import math
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


class _Unusable(Exception):
    """A clip's problem and its fix, without the path (the caller names the file)."""


def read_clip(path: str | Path, rate: int, max_seconds: float = DEFAULT_MAX_SECONDS) -> Clip:
    """The clip at `path` as mono float32 samples at `rate`, cut to `max_seconds`. Resampling
    is polyphase (`scipy.signal.resample_poly`, anti-aliased). A file that cannot be used
    (unreadable, no samples, not finite, silent) is a RunError (ES501) naming `path` as
    given. The same file, unchanged, at the same rate and cap is decoded once per process."""
    try:
        resolved = Path(path).resolve()
        stat = resolved.stat()
        return _decoded(str(resolved), stat.st_mtime_ns, stat.st_size, rate, max_seconds)
    except OSError as error:
        raise RunError(f"{path}: {unreadable_audio(error)}", "ES501") from None
    except _Unusable as problem:
        raise RunError(f"{path}: {problem}", "ES501") from None


@lru_cache(maxsize=MEMO_CLIPS)
def _decoded(resolved: str, mtime_ns: int, size: int, rate: int, max_seconds: float) -> Clip:
    """`mtime_ns` and `size` only key the memo: a file changed on disk is decoded again."""
    try:
        data, source_rate = soundfile.read(resolved, dtype="float32", always_2d=True)
    except AUDIO_ERRORS as error:
        raise _Unusable(unreadable_audio(error)) from None
    if not len(data):
        raise _Unusable(NO_SAMPLES)
    if not np.isfinite(data).all():
        raise _Unusable("holds samples that are not finite numbers (NaN or infinity); "
                        "replace or remove the file")
    if not data.any():
        raise _Unusable("is silent (every sample is 0); remove it or replace it")
    mono = data.mean(axis=1, dtype=np.float64)
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
