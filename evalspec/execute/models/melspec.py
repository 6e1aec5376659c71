"""Mel spectrogram frames of a clip, and SpecAugment-style masking of a batch of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

LOG_FLOOR = 1e-6


@dataclass(frozen=True)
class MelSettings:
    rate: int = 16000
    n_mels: int = 80
    window_ms: float = 25.0
    hop_ms: float = 10.0
    log: bool = True  # log(mel + 1e-6) when True; mel power when False

    @property
    def n_fft(self) -> int:
        return round(self.rate * self.window_ms / 1000)

    @property
    def hop(self) -> int:
        return round(self.rate * self.hop_ms / 1000)

    def describe(self) -> dict[str, Any]:
        return {**asdict(self), "window": "hann", "mel_scale": "slaney", "norm": "slaney"}


@lru_cache(maxsize=16)
def _filters(settings: MelSettings) -> torch.Tensor:
    from transformers.audio_utils import mel_filter_bank

    bank = mel_filter_bank(num_frequency_bins=settings.n_fft // 2 + 1,
                           num_mel_filters=settings.n_mels, min_frequency=0.0,
                           max_frequency=settings.rate / 2, sampling_rate=settings.rate,
                           norm="slaney", mel_scale="slaney")
    return torch.from_numpy(np.asarray(bank, dtype=np.float64))  # (frequencies, mels)


def mel_frames(samples: np.ndarray, settings: MelSettings) -> np.ndarray:
    """(frames, n_mels) float32: centred Hann-window frames (zero padded), power spectrum,
    Slaney mel filters; the log of it (plus 1e-6) when `settings.log`."""
    wave = torch.from_numpy(np.asarray(samples, dtype=np.float64))
    spectrum = torch.stft(wave, settings.n_fft, settings.hop, window=torch.hann_window(
        settings.n_fft, dtype=torch.float64), center=True, pad_mode="constant",
        return_complex=True).abs() ** 2  # (frequencies, frames)
    mel = spectrum.T @ _filters(settings)
    if settings.log:
        mel = torch.log(mel + LOG_FLOOR)
    return mel.numpy().astype(np.float32)


def spec_augment(features: torch.Tensor, lengths: torch.Tensor,
                 generator: torch.Generator | None = None, freq_width: int = 8,
                 time_fraction: float = 0.1, masks: int = 2) -> torch.Tensor:
    """`masks` frequency bands (each up to `freq_width` wide) and `masks` time spans (each up
    to `time_fraction` of the clip) of every example's real frames set to that example's
    mean, so that a mask never looks like padding or silence."""
    out = features.clone()
    bands = features.size(-1)
    for row in range(features.size(0)):
        length = int(lengths[row])
        if length == 0:
            continue
        real = out[row, :length]
        fill = real.mean()
        for _ in range(masks):
            width = int(torch.randint(0, freq_width + 1, (1,), generator=generator))
            start = int(torch.randint(0, max(bands - width, 0) + 1, (1,), generator=generator))
            real[:, start:start + width] = fill
            span = int(torch.randint(0, int(time_fraction * length) + 1, (1,),
                                     generator=generator))
            begin = int(torch.randint(0, max(length - span, 0) + 1, (1,), generator=generator))
            real[begin:begin + span, :] = fill
    return out
