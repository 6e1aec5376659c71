"""The vendored speech data (specs/data/spoken_digits, spoken_words): layout, counts, audio
format, voices held out by split, CSV rows, and that make_speech.py reproduces it."""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import soundfile

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "specs" / "data"
SCRIPT = DATA / "make_speech.py"
DIGITS = DATA / "spoken_digits"
WORDS = DATA / "spoken_words"
SPLITS = ("train", "validation", "test")
CLASSES = ["eight", "five", "four", "nine", "one", "seven", "six", "three", "two", "zero"]
PER_CLASS = {"train": 48, "validation": 12, "test": 18}  # voices x 3 speeds x 2 takes
WORD_CLIPS = {"train": 272, "validation": 68, "test": 102}  # voices x 34 phrases
NAME = re.compile(r"^(?P<voice>[a-z0-9-]+)_(?P<wpm>140|170|200)_(?P<n>\d{3})\.flac$")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_speech", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_speech"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _voice(path: str | Path) -> str:
    match = NAME.match(Path(path).name)
    assert match, path
    return match["voice"]


def _word_rows(split: str) -> list[dict[str, str]]:
    with (WORDS / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["audio", "transcript"]
        return list(reader)


def _all_clips() -> list[Path]:
    return sorted([*DIGITS.rglob("*.flac"), *WORDS.rglob("*.flac")])


# --------------------------------------------------------------------------- layout
def test_digits_have_ten_class_folders_with_fixed_counts_per_split() -> None:
    assert sorted(p.name for p in DIGITS.iterdir()) == sorted(SPLITS)
    for split in SPLITS:
        folders = sorted(p.name for p in (DIGITS / split).iterdir())
        assert folders == CLASSES
        counts = {c: len(list((DIGITS / split / c).glob("*.flac"))) for c in CLASSES}
        assert counts == dict.fromkeys(CLASSES, PER_CLASS[split])
        assert all(NAME.match(p.name) for p in (DIGITS / split).rglob("*.flac"))
    assert sum(1 for _ in DIGITS.rglob("*") if _.is_file()) == 10 * sum(PER_CLASS.values())


def test_words_csvs_point_at_every_clip_once() -> None:
    assert sorted(p.name for p in WORDS.iterdir()) == ["clips", "test.csv", "train.csv",
                                                      "validation.csv"]
    listed: list[str] = []
    for split in SPLITS:
        rows = _word_rows(split)
        assert len(rows) == WORD_CLIPS[split]
        for row in rows:
            assert row["audio"].startswith("clips/") and (WORDS / row["audio"]).is_file()
            words = row["transcript"].split()
            assert 1 <= len(words) <= 4 and row["transcript"] == " ".join(words).lower()
            assert re.fullmatch(r"[a-z ]+", row["transcript"])
        listed += [row["audio"] for row in rows]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(f"clips/{p.name}" for p in (WORDS / "clips").iterdir())
    assert all(NAME.match(Path(a).name) for a in listed)
    phrases = {row["transcript"] for split in SPLITS for row in _word_rows(split)}
    vocabulary = {word for phrase in phrases for word in phrase.split()}
    assert 50 <= len(phrases) <= 60 and len(vocabulary) <= 30


def test_voices_are_held_out_between_splits() -> None:
    digit_voices = {s: {_voice(p) for p in (DIGITS / s).rglob("*.flac")} for s in SPLITS}
    word_voices = {s: {_voice(r["audio"]) for r in _word_rows(s)} for s in SPLITS}
    assert digit_voices == word_voices
    sizes = {s: len(v) for s, v in digit_voices.items()}
    assert sizes == {"train": 8, "validation": 2, "test": 3}
    train, validation, test = (digit_voices[s] for s in SPLITS)
    assert not train & validation and not train & test and not validation & test
    # the voice variant (the part after the accent: m1, f2, klatt4 ...) is held out too
    variants = {s: {v.rsplit("-", 1)[1] for v in digit_voices[s]} for s in SPLITS}
    assert sum(map(len, variants.values())) == len(set().union(*variants.values())) == 13


def test_committed_files_are_exactly_the_scripts_plan() -> None:
    script = _script()
    digits, words = script.digit_clips(), script.word_clips()
    assert sorted(c.path for s in SPLITS for c in digits[s]) == sorted(
        str(p.relative_to(DIGITS)) for p in DIGITS.rglob("*.flac"))
    for split in SPLITS:
        assert [(c.path, c.text) for c in words[split]] == [
            (r["audio"], r["transcript"]) for r in _word_rows(split)]
        assert all(c.text == Path(c.path).parent.name for c in digits[split])


# --------------------------------------------------------------------------- audio
def test_every_clip_is_16khz_mono_16bit_flac_with_a_noise_floor() -> None:
    clips = _all_clips()
    assert len(clips) == 10 * sum(PER_CLASS.values()) + sum(WORD_CLIPS.values())
    for path in clips:
        info = soundfile.info(path)
        assert (info.samplerate, info.channels, info.format, info.subtype) == (
            16000, 1, "FLAC", "PCM_16"), path
        samples, _ = soundfile.read(path, dtype="int16")
        assert 0.2 <= len(samples) / 16000 <= 3.0, path
        peak = int(np.abs(samples.astype(np.int32)).max())
        assert 1000 < peak < 32767, path  # speech, not clipped
        # background noise: no stretch of 10 ms is digitally silent
        quiet = np.abs(samples[: len(samples) // 160 * 160].reshape(-1, 160)).max(axis=1)
        assert quiet.min() > 0, path
    assert sum(p.stat().st_size for p in DIGITS.rglob("*.flac")) < 7_000_000
    assert sum(p.stat().st_size for p in WORDS.rglob("*.flac")) < 7_000_000


def test_the_speech_data_is_attributed() -> None:
    text = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "spoken_digits" in text and "spoken_words" in text
    assert "GPL-3.0-or-later" in text and "espeakng-loader" in text


# --------------------------------------------------------------------------- re-synthesis
_RENDER = textwrap.dedent("""
    import importlib.util, sys
    import numpy as np
    spec = importlib.util.spec_from_file_location("make_speech", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_speech"] = module
    spec.loader.exec_module(module)
    plan = module.digit_clips() if sys.argv[2] == "digits" else module.word_clips()
    clip = next(c for split in plan.values() for c in split if c.path == sys.argv[3])
    np.save(sys.argv[4], module.render(clip))
""")


@pytest.mark.parametrize(("dataset", "path"), [
    ("digits", "test/seven/en-029-klatt4_170_001.flac"),
    ("digits", "train/six/en-us-f1_140_000.flac"),
    ("words", "clips/en-gb-scotland-f5_200_005.flac"),
])
def test_resynthesising_a_clip_gives_the_committed_samples(
        tmp_path: Path, dataset: str, path: str) -> None:
    pytest.importorskip("espeakng_loader")
    # espeak-ng carries synthesis state from one utterance to the next inside a process
    # (the same text twice gives different samples), but the first utterance of a fresh
    # process is deterministic, so make_speech.py renders every clip in its own process;
    # here too, one clip per subprocess. The result must match the file sample for sample.
    out = tmp_path / "clip.npy"
    subprocess.run([sys.executable, "-c", _RENDER, str(SCRIPT), dataset, path, str(out)],
                   check=True, cwd=ROOT, timeout=120)
    committed, rate = soundfile.read((DIGITS if dataset == "digits" else WORDS) / path,
                                     dtype="int16")
    assert rate == 16000
    np.testing.assert_array_equal(np.load(out), committed)
