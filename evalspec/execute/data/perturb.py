"""Perturbations of a test split's inputs, each example's randomness from its id and a seed."""

from __future__ import annotations

import hashlib
import io
import json
import math
import unicodedata
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter
from scipy.signal import resample_poly

from evalspec.execute.data.audio import Waveform, decode
from evalspec.execute.data.examples import Examples
from evalspec.registry.perturbations import PERTURBATIONS

Call = Mapping[str, Any]  # a validated perturbation call, dumped: {"fn": "typos", "rate": ...}
Change = Callable[[Any, Call, np.random.Generator], Any]  # one input → its perturbed form
COLUMNS: dict[str, tuple[str, ...]] = {"text": ("text", "text_pair"), "image": ("image",),
                                       "audio": ("audio",)}  # a modality's input columns
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")  # QWERTY, each row half a key right
CASES: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper,
                                          "title": str.title}


def perturb(examples: Examples, call: Call) -> Examples:
    """`examples` with the input columns of the perturbation `call["fn"]`'s modality changed
    (text: "text" and "text_pair"), ids, targets and other inputs as they are. An example's
    result depends only on `call` and its id. An unknown name, or examples without that
    modality's input, is a ValueError."""
    name = call["fn"]
    if name not in CHANGES:
        raise ValueError(f"unknown perturbation {name!r}; known: {', '.join(CHANGES)}")
    modality = PERTURBATIONS[name].modality
    if modality not in examples.inputs:
        raise ValueError(f"perturbation {name!r} needs a {modality!r} input; the examples "
                         f"have {', '.join(examples.inputs) or 'none'}")
    change = CHANGES[name]
    generators = [_generator(int(call.get("seed", 0)), name, id_) for id_ in examples.ids]
    inputs = dict(examples.inputs)
    for column in COLUMNS[modality]:
        if column in inputs:
            inputs[column] = [change(item, call, generator)
                              for item, generator in zip(inputs[column], generators, strict=True)]
    return Examples(list(examples.ids), inputs, list(examples.targets))


def _generator(seed: int, name: str, example_id: str) -> np.random.Generator:
    """The random numbers of one example: from a sha256 of the seed, the name and its id."""
    digest = hashlib.sha256(json.dumps([seed, name, example_id]).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest, "big"))


# --------------------------------------------------------------------------- text
def typos(text: str, call: Call, generator: np.random.Generator) -> str:
    """Each letter, with chance `rate`, deleted, doubled, swapped with the next letter or
    replaced by a neighbouring key (case kept), one of those that apply, uniformly."""
    rate = float(call.get("rate", 0.05))
    pieces: list[str] = []
    position = 0
    while position < len(text):
        letter, following = text[position], text[position + 1:position + 2]
        if letter.isalpha() and generator.random() < rate:
            piece, used = _typo(letter, following, generator)
        else:
            piece, used = letter, 1
        pieces.append(piece)
        position += used
    return "".join(pieces)


def _typo(letter: str, following: str, generator: np.random.Generator) -> tuple[str, int]:
    """One edit of `letter` (`following` is the next character, or ""): what it becomes and
    how many characters of the text that used up."""
    neighbours = NEIGHBOURS.get(letter.lower(), "")
    edits = ["delete", "double"]
    if following.isalpha():
        edits.append("swap")
    if neighbours:
        edits.append("key")
    edit = edits[generator.integers(len(edits))]
    if edit == "delete":
        return "", 1
    if edit == "double":
        return letter * 2, 1
    if edit == "swap":
        return following + letter, 2
    key = neighbours[generator.integers(len(neighbours))]
    return (key.upper() if letter.isupper() else key), 1


def _neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Each key's neighbours: left and right, and the two touching it above and below."""
    def at(row: int, column: int) -> str:
        return rows[row][column] if 0 <= row < len(rows) and 0 <= column < len(rows[row]) else ""

    return {key: "".join(at(row + dy, column + dx) for dy, dx in
                         ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)))
            for row, keys in enumerate(rows) for column, key in enumerate(keys)}


NEIGHBOURS = _neighbours(KEYBOARD_ROWS)


def case(text: str, call: Call, generator: np.random.Generator) -> str:
    """The text lower-cased, upper-cased or title-cased (`mode`)."""
    mode = call.get("mode", "lower")
    if mode not in CASES:
        raise ValueError(f"case mode {mode!r}: expected one of {', '.join(CASES)}")
    return CASES[mode](text)


def drop_words(text: str, call: Call, generator: np.random.Generator) -> str:
    """Each whitespace-separated word dropped with chance `rate`, one always kept (the one
    with the smallest draw), joined by single spaces."""
    rate = float(call.get("rate", 0.1))
    words = text.split()
    draws = generator.random(len(words))
    kept = [word for word, draw in zip(words, draws, strict=True) if draw >= rate]
    if words and not kept:
        kept = [words[int(draws.argmin())]]
    return " ".join(kept)


def strip_punctuation(text: str, call: Call, generator: np.random.Generator) -> str:
    """Every Unicode punctuation character removed, runs of whitespace made one space."""
    kept = "".join(char for char in text if not unicodedata.category(char).startswith("P"))
    return " ".join(kept.split())


# --------------------------------------------------------------------------- image
def gaussian_noise(item: str | np.ndarray, call: Call,
                   generator: np.random.Generator) -> np.ndarray:
    """Noise N(0, `std` * 255) added to every pixel and channel, rounded and clipped."""
    pixels = _pixels(_picture(item)).astype(np.float64)
    noisy = pixels + generator.normal(0.0, float(call.get("std", 0.1)) * 255, pixels.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def blur(item: str | np.ndarray, call: Call, generator: np.random.Generator) -> np.ndarray:
    """A Gaussian blur of `radius` pixels."""
    radius = float(call.get("radius", 1.0))
    return _pixels(_picture(item).filter(ImageFilter.GaussianBlur(radius)))


def jpeg(item: str | np.ndarray, call: Call, generator: np.random.Generator) -> np.ndarray:
    """The image encoded as JPEG at `quality`, in memory, and decoded again."""
    picture = _picture(item)
    encoded = io.BytesIO()
    picture.save(encoded, format="JPEG", quality=int(call.get("quality", 30)))
    with Image.open(encoded) as decoded:
        return _pixels(decoded.convert(picture.mode))


def brightness(item: str | np.ndarray, call: Call,
               generator: np.random.Generator) -> np.ndarray:
    """The brightness scaled by `factor` (PIL's ImageEnhance.Brightness)."""
    factor = float(call.get("factor", 0.6))
    return _pixels(ImageEnhance.Brightness(_picture(item)).enhance(factor))


def rotate(item: str | np.ndarray, call: Call, generator: np.random.Generator) -> np.ndarray:
    """Rotated `degrees` counter-clockwise about the centre, same size, bilinear, black
    corners."""
    degrees = float(call.get("degrees", 15.0))
    return _pixels(_picture(item).rotate(degrees, resample=Image.Resampling.BILINEAR,
                                         fillcolor=0))


def _picture(item: str | np.ndarray) -> Image.Image:
    """An image input as PIL sees it: "L" for a 2-D grey array, else "RGB"."""
    if not isinstance(item, np.ndarray):
        with Image.open(item) as opened:
            return opened.convert("RGB")
    if item.ndim == 2:
        return Image.fromarray(np.ascontiguousarray(item, dtype=np.uint8))
    channels = item[:, :, 0] if item.shape[2] == 1 else item
    return Image.fromarray(np.ascontiguousarray(channels, dtype=np.uint8)).convert("RGB")


def _pixels(picture: Image.Image) -> np.ndarray:
    """The image as a uint8 array: HxW for "L", HxWx3 for "RGB"."""
    return np.array(picture, dtype=np.uint8)


# --------------------------------------------------------------------------- audio
def background_noise(path: str | Path, call: Call, generator: np.random.Generator) -> Waveform:
    """White Gaussian noise added at a signal-to-noise ratio of `snr` dB (the signal's power
    is the clip's mean square)."""
    samples, rate = decode(path)
    power = float(np.mean(np.square(samples, dtype=np.float64)))
    noise_std = math.sqrt(power / 10 ** (float(call.get("snr", 20.0)) / 10))
    noisy = samples + generator.normal(0.0, noise_std, len(samples))
    return Waveform(noisy.astype(np.float32), rate, str(path))


def speed(path: str | Path, call: Call, generator: np.random.Generator) -> Waveform:
    """Played `factor` times as fast (pitch moves with it): polyphase resampling by
    1 / `factor`, as a fraction with a denominator of at most 100."""
    samples, rate = decode(path)
    factor = Fraction(float(call.get("factor", 1.1))).limit_denominator(100)
    faster = resample_poly(samples, factor.denominator, factor.numerator)
    return Waveform(np.asarray(faster, dtype=np.float32), rate, str(path))


def gain(path: str | Path, call: Call, generator: np.random.Generator) -> Waveform:
    """Loudness changed by `db` decibels, clipped to [-1, 1]."""
    samples, rate = decode(path)
    louder = np.clip(samples * 10 ** (float(call.get("db", -6.0)) / 20), -1.0, 1.0)
    return Waveform(louder.astype(np.float32), rate, str(path))


CHANGES: dict[str, Change] = {  # every name of registry.perturbations
    "typos": typos, "case": case, "drop_words": drop_words,
    "strip_punctuation": strip_punctuation, "gaussian_noise": gaussian_noise, "blur": blur,
    "jpeg": jpeg, "brightness": brightness, "rotate": rotate,
    "background_noise": background_noise, "speed": speed, "gain": gain}
