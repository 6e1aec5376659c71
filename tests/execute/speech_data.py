"""Synthetic clips for speech tests: tones per class, and tone sequences that spell words."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

RATE = 16000
LETTERS = {"a": 300.0, "b": 700.0, "c": 1200.0}  # each letter is a tone of its own pitch


def tone(freq: float, seconds: float, rate: int = RATE) -> np.ndarray:
    return 0.3 * np.sin(2 * np.pi * freq * np.arange(int(rate * seconds)) / rate)


def write(path: Path, samples: np.ndarray, rate: int = RATE,
          rng: np.random.Generator | None = None) -> None:
    import soundfile

    rng = rng or np.random.default_rng(0)
    noisy = samples + 0.01 * rng.standard_normal(len(samples))
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, noisy.astype(np.float32), rate)


def tone_classes(root: Path, sizes: dict[str, int]) -> None:
    """root/<split>/{low,high}/<n>.wav|.flac: low (≈250 Hz) and high (≈900 Hz) tones; every
    third clip at 8 kHz (resampled on reading)."""
    rng = np.random.default_rng(1)
    for split, count in sizes.items():
        for label, base in (("low", 250.0), ("high", 900.0)):
            for i in range(count):
                rate = 8000 if i % 3 == 0 else RATE
                clip = tone(base * rng.uniform(0.9, 1.1), rng.uniform(0.3, 0.6), rate)
                write(root / split / label / f"{i}.{'wav' if i % 2 else 'flac'}", clip, rate, rng)


def spelled_words(root: Path, sizes: dict[str, int]) -> None:
    """root/<split>.csv (audio, transcript) and root/clips/: 1-3 letters from LETTERS, each a
    0.15 s tone and a pause; transcripts written with capitals and punctuation sometimes, so
    that normalisation matters."""
    rng = np.random.default_rng(2)
    for split, count in sizes.items():
        rows = []
        for i in range(count):
            word = "".join(rng.choice(list(LETTERS), size=int(rng.integers(1, 4))))
            parts = [p for ch in word for p in (tone(LETTERS[ch], 0.15), np.zeros(800))]
            name = f"clips/{split}_{i}.wav"
            write(root / name, np.concatenate(parts), rng=rng)
            rows.append((name, word.upper() + "!" if i % 2 else " ".join(word)))
        with (root / f"{split}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["audio", "transcript"])
            writer.writerows(rows)
