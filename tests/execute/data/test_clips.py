"""Reading clips: mono mixing, resampling, the duration cap, and clear errors for broken,
empty and silent files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from evalspec.errors import RunError
from evalspec.execute.data.audio import read_clip


def _tone(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * freq * np.arange(int(rate * seconds)) / rate)).astype(
        np.float32)


@pytest.mark.parametrize("rate", [8000, 16000, 44100])
@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_a_clip_is_resampled_to_the_model_rate_and_keeps_its_pitch(
        tmp_path: Path, rate: int, suffix: str) -> None:
    path = tmp_path / f"tone{suffix}"
    soundfile.write(path, _tone(rate, 0.5), rate)
    clip = read_clip(path, 16000)
    assert clip.rate == 16000 and clip.source_rate == rate
    assert abs(len(clip.samples) - 8000) <= 1
    spectrum = np.abs(np.fft.rfft(clip.samples))
    assert np.fft.rfftfreq(len(clip.samples), 1 / 16000)[spectrum.argmax()] == \
        pytest.approx(440, abs=4)


def test_stereo_is_mixed_to_mono_and_long_clips_are_cut(tmp_path: Path) -> None:
    left, right = _tone(16000, 2.0), _tone(16000, 2.0, 880.0)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    clip = read_clip(path, 16000, max_seconds=1.0)
    assert clip.truncated and len(clip.samples) == 16000
    np.testing.assert_allclose(clip.samples, ((left + right) / 2)[:16000], atol=1e-6)


@pytest.mark.parametrize(("write", "message"), [
    (lambda p: p.write_bytes(b"RIFF not really a wave file"), "not a readable WAV or FLAC"),
    (lambda p: soundfile.write(p, np.zeros(0, dtype=np.float32), 16000), "holds no samples"),
    (lambda p: soundfile.write(p, np.zeros(1600, dtype=np.float32), 16000), "is silent"),
])
def test_a_clip_that_cannot_be_used_is_a_located_error(tmp_path: Path, write,
                                                       message: str) -> None:
    path = tmp_path / "bad.wav"
    write(path)
    with pytest.raises(RunError) as error:
        read_clip(path, 16000)
    assert str(path) in str(error.value) and message in str(error.value)
    assert error.value.code == "ES501"
