"""Audio clips: decoding, mono, resampling, the length cap, unusable files, the memo, and
the checks the `audio(dir)` reader and audio columns run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from evalspec.errors import RunError
from evalspec.execute.data import audio
from evalspec.execute.data.audio import read_clip
from evalspec.execute.data.loading import load_task_data
from evalspec.execute.data.media import audio_problem
from evalspec.validate.model import Audio, Csv, Task
from tests.execute.data.tasks import holdout, run_error, write_csv


def tone(rate: int, seconds: float, hertz: float = 440.0, level: float = 0.5) -> np.ndarray:
    times = np.arange(round(rate * seconds)) / rate
    return (level * np.sin(2 * np.pi * hertz * times)).astype(np.float32)


def write(path: Path, samples: np.ndarray, rate: int = 16000, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, samples, rate, **kwargs)
    return path


def peak_hertz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


def unusable(path: Path) -> str:
    """read_clip's message for `path`, which must fail."""
    with pytest.raises(RunError) as caught:
        read_clip(path, 16000)
    assert caught.value.code == "ES501"
    return str(caught.value)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.wav"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8).tobytes())
    return path


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    return write(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))


@pytest.fixture
def silent(tmp_path: Path) -> Path:
    return write(tmp_path / "silent.wav", np.zeros(1600, dtype=np.float32))


# --------------------------------------------------------------------------- decoding
@pytest.mark.parametrize(("name", "subtype"), [("a.wav", "PCM_16"), ("a.flac", "PCM_16"),
                                               ("a.wav", "FLOAT")])
def test_wav_and_flac_decode(tmp_path: Path, name: str, subtype: str) -> None:
    samples = tone(16000, 0.5)
    clip = read_clip(write(tmp_path / name, samples, subtype=subtype), 16000)
    assert clip.samples.dtype == np.float32 and clip.samples.shape == samples.shape
    assert (clip.rate, clip.source_rate, clip.truncated) == (16000, 16000, False)
    np.testing.assert_allclose(clip.samples, samples, atol=1e-4)


def test_stereo_becomes_the_channel_mean(tmp_path: Path) -> None:
    left, right = tone(16000, 0.25, 440), tone(16000, 0.25, 1000, level=0.25)
    path = write(tmp_path / "stereo.wav", np.stack([left, right], axis=1), subtype="FLOAT")
    np.testing.assert_allclose(read_clip(path, 16000).samples, (left + right) / 2, atol=1e-6)


@pytest.mark.parametrize("source_rate", [8000, 44100])
def test_resampled_to_the_model_rate_keeps_the_pitch(tmp_path: Path, source_rate: int) -> None:
    path = write(tmp_path / f"{source_rate}.flac", tone(source_rate, 1.3), source_rate)
    clip = read_clip(path, 16000)
    assert (clip.rate, clip.source_rate) == (16000, source_rate)
    assert abs(len(clip.samples) - round(1.3 * 16000)) <= 1
    assert abs(peak_hertz(clip.samples, 16000) - 440.0) <= 1.0
    assert np.abs(clip.samples).max() <= 1.0


def test_long_clip_is_cut_to_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path / "long.wav", tone(8000, 3.0), 8000)
    clip = read_clip(path, 16000, max_seconds=2.0)
    assert clip.truncated and len(clip.samples) == 32000
    whole = read_clip(path, 16000, max_seconds=3.0)
    assert not whole.truncated and len(whole.samples) == 48000


# --------------------------------------------------------------------------- unusable files
def test_broken_file(broken: Path) -> None:
    message = unusable(broken)
    assert message.startswith(f"{broken}: not a readable WAV or FLAC file (")
    assert message.endswith("; replace or remove the file")
    assert audio_problem(broken) == message.removeprefix(f"{broken}: ")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.wav"
    assert unusable(path).startswith(f"{path}: not a readable WAV or FLAC file (")


def test_empty_file(empty: Path) -> None:
    assert unusable(empty) == f"{empty}: holds no samples; replace or remove the file"
    assert audio_problem(empty) == "holds no samples; replace or remove the file"


def test_silent_file(silent: Path) -> None:
    assert unusable(silent) == (f"{silent}: is silent (every sample is 0); remove "
                                          "it or replace it")
    assert audio_problem(silent) is None  # headers only: silence is found when decoded


def test_non_finite_samples(tmp_path: Path) -> None:
    samples = tone(16000, 0.1)
    samples[10] = np.nan
    path = write(tmp_path / "nan.wav", samples, subtype="FLOAT")
    assert unusable(path).startswith(f"{path}: holds samples that are not finite")


def test_path_named_as_given(silent: Path, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RunError, match=r"^silent\.wav: is silent"):
        read_clip("silent.wav", 16000)


def test_readable_file_has_no_problem(tmp_path: Path) -> None:
    assert audio_problem(write(tmp_path / "ok.flac", tone(16000, 0.1))) is None


# --------------------------------------------------------------------------- the memo
def test_each_clip_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_read = soundfile.read

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(str(args[0]))
        return real_read(*args, **kwargs)

    monkeypatch.setattr(audio.soundfile, "read", counting)
    path = write(tmp_path / "memo.wav", tone(16000, 0.2))
    first = read_clip(path, 16000)
    assert read_clip(tmp_path / "." / "memo.wav", 16000) is first
    assert len(calls) == 1
    assert not first.samples.flags.writeable  # shared, so nobody may change it
    read_clip(path, 8000)
    assert len(calls) == 2  # another rate is another clip
    write(path, tone(16000, 0.3))
    assert len(read_clip(path, 16000).samples) == 4800  # changed on disk: decoded again
    assert len(calls) == 3


# --------------------------------------------------------------------------- readers
def test_broken_clip_in_audio_folder_is_a_data_problem(broken: Path, empty: Path,
                                                       tmp_path: Path) -> None:
    for label in ("yes", "no"):
        write(tmp_path / "clips" / label / "0.wav", tone(16000, 0.1))
    (tmp_path / "clips" / "no" / "1.wav").write_bytes(broken.read_bytes())
    (tmp_path / "clips" / "yes" / "2.wav").write_bytes(empty.read_bytes())
    source = Audio(fn="audio", dir="clips")
    error = run_error(Task(type="audio_classification", train=source, test=source),
                      tmp_path)
    assert error.code == "ES501"
    lines = str(error).splitlines()
    assert lines[0].startswith("2 bad data rows")
    assert lines[1].strip().startswith("clips/no/1.wav: not a readable WAV or FLAC file (")
    assert lines[2].strip() == "clips/yes/2.wav: holds no samples; replace or remove the file"


def test_good_audio_folder_loads(tmp_path: Path) -> None:
    for label in ("yes", "no"):
        write(tmp_path / "clips" / label / "0.wav", tone(16000, 0.1))
        write(tmp_path / "clips" / label / "1.flac", tone(16000, 0.1))
    source = Audio(fn="audio", dir="clips")
    data = load_task_data(Task(type="audio_classification", train=source, test=source),
                          tmp_path)
    assert data.train.ids == ["no/0.wav", "no/1.flac", "yes/0.wav", "yes/1.flac"]


def test_broken_clip_in_csv_is_a_data_problem(broken: Path, tmp_path: Path) -> None:
    for i in range(4):
        write(tmp_path / "data" / "clips" / f"{i}.wav", tone(16000, 0.1))
    (tmp_path / "data" / "clips" / "2.wav").write_bytes(broken.read_bytes())
    rows = [["file", "text"], *([f"clips/{i}.wav", "yes"] for i in range(4))]
    write_csv(tmp_path / "data" / "speech.csv", rows)
    task = Task(type="speech_recognition",
                data=Csv(fn="csv", path="data/speech.csv", audio="file", transcript="text"),
                split=holdout())
    error = run_error(task, tmp_path)
    assert error.code == "ES501"
    assert str(error).startswith("data/speech.csv:4: audio `clips/2.wav`: not a readable WAV "
                                 "or FLAC file (")
