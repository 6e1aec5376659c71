"""Mel spectrogram frames of a clip, and SpecAugment-style masking of a batch of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

LOG_FLOOR = 1e-6  # added before the log, so a silent frame stays finite


@dataclass(frozen=True)
class MelSettings:
    """How `mel_frames` computes features; `describe()` records them with the results."""

    rate: int = 16000
    n_mels: int = 80
    window_ms: float = 25.0
    hop_ms: float = 10.0
    log: bool = True  # log(mel + 1e-6) when True; power mel when False

    @property
    def n_fft(self) -> int:
        """The window (and FFT) length in samples."""
        return round(self.rate * self.window_ms / 1000)

    @property
    def hop(self) -> int:
        """Samples between the starts of two frames."""
        return round(self.rate * self.hop_ms / 1000)

    def describe(self) -> dict[str, Any]:
        """JSON-ready, for provenance: the settings and what they imply."""
        return {**asdict(self), "n_fft": self.n_fft, "hop_length": self.hop,
                "window": "hann", "mel_scale": "slaney", "norm": "slaney",
                "log_floor": LOG_FLOOR if self.log else None}


@lru_cache(maxsize=16)
def _filters(n_fft: int, n_mels: int, rate: int) -> torch.Tensor:
    """(frequency bins, mels) Slaney filter bank."""
    from transformers.audio_utils import mel_filter_bank

    bank = mel_filter_bank(num_frequency_bins=n_fft // 2 + 1, num_mel_filters=n_mels,
                           min_frequency=0.0, max_frequency=rate / 2, sampling_rate=rate,
                           norm="slaney", mel_scale="slaney")
    return torch.from_numpy(np.asarray(bank, dtype=np.float64))


def mel_frames(samples: np.ndarray, settings: MelSettings) -> np.ndarray:
    """(frames, n_mels) float32: centred Hann-window frames (zero padded), power spectrum,
    Slaney mel filters; its log (plus 1e-6) when `settings.log`. With `log=False` it equals
    `librosa.feature.melspectrogram` with the same rate, n_fft, hop and n_mels."""
    wave = torch.from_numpy(np.asarray(samples, dtype=np.float64))
    window = torch.hann_window(settings.n_fft, dtype=torch.float64)
    spectrum = torch.stft(wave, settings.n_fft, settings.hop, window=window, center=True,
                          pad_mode="constant", return_complex=True).abs() ** 2
    mel = spectrum.T @ _filters(settings.n_fft, settings.n_mels, settings.rate)
    if settings.log:
        mel = torch.log(mel + LOG_FLOOR)
    return mel.numpy().astype(np.float32)


def spec_augment(features: torch.Tensor, lengths: torch.Tensor,
                 generator: torch.Generator | None = None, freq_width: int = 8,
                 time_fraction: float = 0.1, masks: int = 2) -> torch.Tensor:
    """A masked copy of a padded batch (B, T, F): per example, `masks` frequency bands (width
    uniform in [0, freq_width]) and `masks` time spans (width uniform in [0, time_fraction *
    length]) of its valid frames are set to the mean of those frames, so that a mask never
    looks like padding or silence. Frames past `lengths` are left as they are. The same
    (CPU) `generator` state gives the same masks."""
    out = features.clone()
    bins = features.size(-1)
    for row, length in enumerate(lengths.tolist()):
        if length == 0:
            continue
        valid = out[row, :length]
        fill = valid.mean()
        for _ in range(masks):
            valid[:, _span(bins, freq_width, generator)] = fill
            valid[_span(length, int(time_fraction * length), generator)] = fill
    return out


def _span(extent: int, widest: int, generator: torch.Generator | None) -> slice:
    """A random run of up to `widest` positions within `extent`."""
    width = min(int(torch.randint(0, widest + 1, (1,), generator=generator)), extent)
    start = int(torch.randint(0, extent - width + 1, (1,), generator=generator))
    return slice(start, start + width)
