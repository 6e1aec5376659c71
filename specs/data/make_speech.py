"""Regenerate spoken_digits/ and spoken_words/ with libespeak-ng (see ATTRIBUTION.md).

    python specs/data/make_speech.py

Synthesises English digits ("zero" ... "nine") and short spoken commands with espeak-ng
(the library and voices of the `espeakng-loader` wheel, driven through ctypes; no system
binary), using 13 voices (accent + voice variant) held out by split: 8 train, 2
validation, 3 test voices, no voice or variant shared between splits. Each clip gets a
speed (words per minute), pitch jitter and level drawn from fixed seeds, is trimmed to
50 ms around the speech, resampled from 22,050 Hz to 16 kHz, mixed with low-pass
background noise at about 30 dB SNR and written as mono 16-bit FLAC.

espeak-ng keeps some synthesis state from one utterance to the next (the same text twice
in one process gives different samples), so every clip is rendered in a freshly forked
process, where it is deterministic. Both folders are deleted and rewritten.
"""

from __future__ import annotations

import csv
import ctypes
import multiprocessing
import shutil
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import lfilter, resample_poly

HERE = Path(__file__).parent
DIGITS_DIR = HERE / "spoken_digits"
WORDS_DIR = HERE / "spoken_words"

SEED = 0
ESPEAK_RATE = 22050
RATE = 16000
SPLITS = ("train", "validation", "test")
# espeak-ng voice name (accent+variant) per split; variants are disjoint between splits.
VOICES = {
    "train": ["en+m1", "en-us+f1", "en-gb-x-rp+m2", "en-029+f4", "en-gb-scotland+m4",
              "en-us-nyc+f3", "en-gb-x-gbclan+m6", "en-gb-x-gbcwmd+klatt2"],
    "validation": ["en-us+m5", "en-gb-x-rp+f2"],
    "test": ["en-us+m3", "en-gb-scotland+f5", "en-029+klatt4"],
}
SPEEDS = (140, 170, 200)  # words per minute
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
DIGIT_TAKES = 2  # per voice, speed and digit (different pitch, level and noise)
PHRASES_PER_VOICE = 34
PHRASES = (
    "stop", "go", "yes", "no", "next", "left", "right", "up",
    "go left", "go right", "go up", "go down", "turn left", "turn right", "volume up",
    "volume down", "play music", "stop music", "call mom", "call dad", "light on", "light off",
    "music on", "music off", "timer on", "timer off", "stop please", "stop now", "play next",
    "go now", "yes please", "next please",
    "open the door", "close the door", "open the window", "close the window", "set a timer",
    "stop the timer", "stop the music", "play the music", "go left now", "go right now",
    "turn left now", "turn right now", "call dad now", "call mom now", "call mom please",
    "play music please", "volume up please", "yes call mom",
    "turn on the light", "turn off the light", "turn the light on", "turn the light off",
    "turn the volume up", "turn the volume down", "turn on the music", "turn off the music",
    "open the door please", "close the window please",
)

TRIM_THRESHOLD = 0.01  # of the clip's peak: quieter leading/trailing samples are silence
MARGIN_S = 0.05
SNR_DB = (28.0, 34.0)  # background noise, uniform in this range
PEAK = (0.06, 0.25)  # peak level of the speech, of full scale
PITCH_JITTER = 8  # espeak pitch (0-100, default 50) is 50 +- this
RANGE_JITTER = 15  # espeak pitch range (0-100, default 50) is 50 +- this
NOISE_POLE = 0.98  # one-pole low-pass colouring of the background noise


@dataclass(frozen=True)
class Clip:
    path: str  # relative to its dataset folder
    voice: str  # espeak-ng voice name
    text: str
    wpm: int
    pitch: int
    pitch_range: int
    peak: float
    snr_db: float
    seed: int


def voice_id(voice: str) -> str:
    """The voice as written in file names: `en-us+f2` -> `en-us-f2`."""
    return voice.lower().replace("+", "-")


def _clip(path: str, voice: str, text: str, wpm: int, rng: np.random.Generator) -> Clip:
    return Clip(path, voice, text, wpm,
                pitch=50 + int(rng.integers(-PITCH_JITTER, PITCH_JITTER + 1)),
                pitch_range=50 + int(rng.integers(-RANGE_JITTER, RANGE_JITTER + 1)),
                peak=round(float(rng.uniform(*PEAK)), 4),
                snr_db=round(float(rng.uniform(*SNR_DB)), 2),
                seed=zlib.crc32(path.encode()))


def digit_clips() -> dict[str, list[Clip]]:
    """Split -> clips `<split>/<digit>/<voice>_<wpm>_<take>.flac`."""
    rng = np.random.default_rng([SEED, 1])
    plan: dict[str, list[Clip]] = {}
    for split in SPLITS:
        plan[split] = [
            _clip(f"{split}/{digit}/{voice_id(voice)}_{wpm}_{take:03d}.flac", voice, digit,
                  wpm, rng)
            for digit in DIGITS for voice in VOICES[split] for wpm in SPEEDS
            for take in range(DIGIT_TAKES)]
    return plan


def word_clips() -> dict[str, list[Clip]]:
    """Split -> clips `clips/<voice>_<wpm>_<n>.flac`: each voice says PHRASES_PER_VOICE
    different phrases, each at a speed drawn from SPEEDS."""
    rng = np.random.default_rng([SEED, 2])
    plan: dict[str, list[Clip]] = {}
    for split in SPLITS:
        plan[split] = []
        for voice in VOICES[split]:
            chosen = sorted(rng.choice(len(PHRASES), PHRASES_PER_VOICE, replace=False))
            for n, index in enumerate(chosen):
                wpm = int(rng.choice(SPEEDS))
                plan[split].append(_clip(f"clips/{voice_id(voice)}_{wpm}_{n:03d}.flac",
                                         voice, PHRASES[index], wpm, rng))
    return plan


# --------------------------------------------------------------------------- synthesis
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                   ctypes.c_void_p)
_AUDIO_OUTPUT_SYNCHRONOUS = 0x02
_ESPEAK_RATE, _ESPEAK_PITCH, _ESPEAK_RANGE = 1, 3, 4
_POS_CHARACTER = 1
_ESPEAK_CHARS_AUTO = 0
_used = False  # espeak-ng renders one clip per process (see the module docstring)


def espeak(voice: str, text: str, wpm: int, pitch: int, pitch_range: int,
           seed: int) -> np.ndarray:
    """int16 samples at 22,050 Hz of `text` spoken by `voice`; only once per process."""
    global _used
    if _used:
        raise RuntimeError("espeak-ng is deterministic only for the first clip of a process")
    _used = True
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    chunks: list[np.ndarray] = []

    @_SYNTH_CALLBACK
    def collect(wav, count, _events):  # type: ignore[no-untyped-def]
        if wav and count > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                 espeakng_loader.get_data_path().encode(), 0)
    if rate != ESPEAK_RATE:
        raise RuntimeError(f"espeak-ng initialised at {rate} Hz, expected {ESPEAK_RATE}")
    lib.espeak_SetSynthCallback(collect)
    lib.espeak_ng_SetRandSeed(seed)
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise RuntimeError(f"espeak-ng has no voice {voice!r}")
    for parameter, value in ((_ESPEAK_RATE, wpm), (_ESPEAK_PITCH, pitch),
                             (_ESPEAK_RANGE, pitch_range)):
        lib.espeak_SetParameter(parameter, value, 0)
    data = text.encode()
    if lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_AUTO,
                        None, None) != 0:
        raise RuntimeError(f"espeak-ng could not speak {text!r}")
    lib.espeak_Synchronize()
    if not chunks:
        raise RuntimeError(f"espeak-ng gave no audio for {text!r}")
    return np.concatenate(chunks)


def trim(samples: np.ndarray, rate: int) -> np.ndarray:
    """Cut leading and trailing silence, leaving exactly MARGIN_S before and after the
    speech (padded with zeros where espeak-ng starts or stops closer to the edge)."""
    loud = np.flatnonzero(np.abs(samples) > TRIM_THRESHOLD * np.abs(samples).max())
    margin = int(MARGIN_S * rate)
    padded = np.concatenate([np.zeros(margin), samples, np.zeros(margin)])
    return padded[loud[0]:loud[-1] + 2 * margin + 1]


def render(clip: Clip) -> np.ndarray:
    """The clip's int16 samples at 16 kHz, exactly as written to its FLAC file."""
    raw = espeak(clip.voice, clip.text, clip.wpm, clip.pitch, clip.pitch_range, clip.seed)
    speech = resample_poly(trim(raw.astype(np.float64) / 32768.0, ESPEAK_RATE), 320, 441)
    speech *= clip.peak / np.abs(speech).max()
    rng = np.random.default_rng([SEED, clip.seed])
    noise = lfilter([1.0], [1.0, -NOISE_POLE], rng.standard_normal(len(speech)))
    signal_rms = np.sqrt(np.mean(speech**2))
    noise *= signal_rms / np.sqrt(np.mean(noise**2)) * 10 ** (-clip.snr_db / 20)
    return np.clip(np.round((speech + noise) * 32767), -32768, 32767).astype(np.int16)


def _write(task: tuple[Path, Clip]) -> int:
    root, clip = task
    path = root / clip.path
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, render(clip), RATE, format="FLAC", subtype="PCM_16",
                   compression_level=1.0)
    return path.stat().st_size


def write_all(tasks: list[tuple[Path, Clip]], processes: int = 2) -> int:
    """Render every clip in its own forked process; the total bytes written."""
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, maxtasksperchild=1) as pool:
        return sum(pool.map(_write, tasks, chunksize=1))


def main() -> None:
    started = time.time()
    digits, words = digit_clips(), word_clips()
    for folder in (DIGITS_DIR, WORDS_DIR):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    tasks = [(DIGITS_DIR, c) for split in SPLITS for c in digits[split]]
    tasks += [(WORDS_DIR, c) for split in SPLITS for c in words[split]]
    (WORDS_DIR / "clips").mkdir()
    write_all(tasks)
    for split in SPLITS:
        with open(WORDS_DIR / f"{split}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["audio", "transcript"])
            writer.writerows([c.path, c.text] for c in words[split])
    for name, folder, plan in (("spoken_digits", DIGITS_DIR, digits),
                               ("spoken_words", WORDS_DIR, words)):
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        counts = ", ".join(f"{split} {len(plan[split])}" for split in SPLITS)
        print(f"{name}: {sum(map(len, plan.values()))} clips ({counts}), {size / 1e6:.2f} MB")
    print(f"done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
