"""Mel spectrogram features (parity with librosa) and SpecAugment-style masking."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from evalspec.execute.models.melspec import MelSettings, mel_frames, spec_augment


def noise(seconds: float, rate: int = 16000) -> np.ndarray:
    return (0.1 * np.random.default_rng(0).standard_normal(round(seconds * rate))).astype(
        np.float32)


def test_power_mel_equals_librosa() -> None:
    """The Resemblyzer speaker encoder's input: 40 mels, 25 ms windows, 10 ms hops."""
    librosa = pytest.importorskip("librosa")
    wav = noise(1.37)
    expected = librosa.feature.melspectrogram(y=wav, sr=16000, n_fft=400, hop_length=160,
                                              n_mels=40).T
    got = mel_frames(wav, MelSettings(n_mels=40, log=False))
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_log_mel_shape_and_floor() -> None:
    settings = MelSettings()
    wav = noise(0.5)
    frames = mel_frames(wav, settings)
    assert frames.shape == (1 + len(wav) // settings.hop, 80)
    np.testing.assert_allclose(frames, np.log(mel_frames(wav, MelSettings(log=False)) + 1e-6),
                               rtol=1e-5, atol=1e-5)
    assert np.allclose(mel_frames(np.zeros(1600, np.float32), settings), np.log(1e-6))


def test_describe_is_json_ready() -> None:
    described = MelSettings(rate=8000).describe()
    assert json.loads(json.dumps(described)) == described
    assert (described["n_fft"], described["hop_length"], described["n_mels"]) == (200, 80, 80)


# --------------------------------------------------------------------------- spec_augment
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    features = torch.randn(3, 50, 20, generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([50, 30, 0])
    features[1, 30:] = 0.0
    features[2] = 0.0
    return features, lengths


def augmented(seed: int, **kwargs: float) -> torch.Tensor:
    features, lengths = batch()
    return spec_augment(features, lengths, torch.Generator().manual_seed(seed), **kwargs)


def test_masks_are_deterministic_and_stay_in_the_valid_frames() -> None:
    features, lengths = batch()
    out = augmented(7, freq_width=6, time_fraction=0.2)
    assert out.shape == features.shape
    assert torch.equal(out, augmented(7, freq_width=6, time_fraction=0.2))
    assert not torch.equal(out, augmented(8, freq_width=6, time_fraction=0.2))
    assert torch.equal(out[1, 30:], features[1, 30:]) and torch.equal(out[2], features[2])
    for row, length in enumerate(lengths.tolist()[:2]):
        changed = out[row, :length] != features[row, :length]
        assert changed.any()
        assert torch.allclose(out[row, :length][changed],
                              features[row, :length].mean().expand(int(changed.sum())))


def test_input_is_not_changed() -> None:
    features, lengths = batch()
    before = features.clone()
    spec_augment(features, lengths, torch.Generator().manual_seed(0))
    assert torch.equal(features, before)


def test_zero_widths_are_the_identity() -> None:
    features, lengths = batch()
    out = spec_augment(features, lengths, torch.Generator().manual_seed(3), freq_width=0,
                       time_fraction=0.0)
    assert torch.equal(out, features) and out is not features
