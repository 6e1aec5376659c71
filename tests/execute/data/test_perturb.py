"""Test-set perturbations: each example's randomness from the seed, the name and its id only;
what each text, image and audio perturbation does; in-memory waveforms read like files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from PIL import Image

from evalspec.errors import RunError
from evalspec.execute.data.audio import Waveform, decode, read_clip
from evalspec.execute.data.examples import Examples
from evalspec.execute.data.perturb import CHANGES, NEIGHBOURS, perturb
from evalspec.registry.perturbations import PERTURBATIONS
from evalspec.validate.model import PERTURBATION_CALLS

SENTENCE = "The quick brown fox jumps over the lazy dog, again and again. "
IMAGE_NAMES = [name for name, d in PERTURBATIONS.items() if d.modality == "image"]


def texts(*items: str, pairs: list[str] | None = None) -> Examples:
    inputs: dict[str, Any] = {"text": list(items)}
    if pairs is not None:
        inputs["text_pair"] = pairs
    return Examples([f"t{i}" for i in range(len(items))], inputs, list(range(len(items))))


def one(fn: str, item: Any, column: str = "text", **params: Any) -> Any:
    """The perturbed form of a single input `item`."""
    return perturb(Examples(["x"], {column: [item]}, ["y"]), {"fn": fn, **params}).inputs[column][0]


def edit_distance(before: str, after: str) -> int:
    """Levenshtein distance, a row at a time; insertions within a row by a running minimum."""
    codes = np.array([ord(char) for char in after])
    columns = np.arange(len(after) + 1)
    row = columns.copy()
    for i, char in enumerate(before, 1):
        best = np.concatenate([[i], np.minimum(row[:-1] + (codes != ord(char)), row[1:] + 1)])
        row = np.minimum.accumulate(best - columns) + columns
    return int(row[-1])


def checkerboard(size: int = 16) -> np.ndarray:
    return (np.indices((size, size)).sum(axis=0) % 2 * 255).astype(np.uint8)


def sine(path: Path, rate: int = 16000, seconds: float = 1.0, level: float = 0.5) -> Path:
    times = np.arange(round(rate * seconds)) / rate
    soundfile.write(path, level * np.sin(2 * np.pi * 440 * times), rate, subtype="FLOAT")
    return path


# --------------------------------------------------------------------------- the table
def test_every_registered_perturbation_has_a_call_and_code() -> None:
    calls = {c.model_fields["fn"].annotation.__args__[0] for c in PERTURBATION_CALLS}  # type: ignore[union-attr]
    assert set(CHANGES) == set(PERTURBATIONS) == calls
    assert {d.modality for d in PERTURBATIONS.values()} == {"text", "image", "audio"}


def test_unknown_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown perturbation 'smudge'"):
        perturb(texts("a"), {"fn": "smudge"})


def test_missing_modality_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="needs a 'image' input"):
        perturb(texts("a"), {"fn": "blur"})


def test_ids_targets_and_other_inputs_are_kept() -> None:
    examples = Examples(["a", "b"], {"text": ["x y", "z w"], "image": ["p.png", "q.png"]},
                        ["yes", "no"])
    changed = perturb(examples, {"fn": "case", "mode": "upper"})
    assert changed.ids == ["a", "b"] and changed.targets == ["yes", "no"]
    assert changed.inputs == {"text": ["X Y", "Z W"], "image": ["p.png", "q.png"]}
    assert examples.inputs["text"] == ["x y", "z w"]  # the input examples are unchanged


# --------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("call", [{"fn": "typos", "rate": 0.2}, {"fn": "drop_words", "rate": 0.3}])
def test_text_results_depend_on_seed_and_id_only(call: dict[str, Any]) -> None:
    examples = texts(*(SENTENCE * (i + 1) for i in range(6)))
    whole = perturb(examples, call)
    assert perturb(examples, call) == whole
    picked = [4, 1, 3]
    assert perturb(examples.take(picked), call).inputs["text"] == \
        [whole.inputs["text"][i] for i in picked]
    other_seed = perturb(examples, {**call, "seed": 1})
    assert other_seed.inputs["text"] != whole.inputs["text"]


def test_same_text_under_other_ids_differs() -> None:
    examples = Examples(["a", "b"], {"text": [SENTENCE * 3] * 2}, [0, 0])
    first, second = perturb(examples, {"fn": "typos", "rate": 0.2}).inputs["text"]
    assert first != second


def test_image_noise_depends_on_seed_and_id_only() -> None:
    images = [np.full((8, 8, 3), 100 + i, dtype=np.uint8) for i in range(4)]
    examples = Examples(["a", "b", "c", "d"], {"image": images}, [0, 1, 0, 1])
    call = {"fn": "gaussian_noise", "std": 0.1, "seed": 3}
    whole = perturb(examples, call).inputs["image"]
    again = perturb(examples.take([2, 0]), call).inputs["image"]
    assert again[0].tobytes() == whole[2].tobytes() and again[1].tobytes() == whole[0].tobytes()
    other = perturb(examples, {**call, "seed": 4}).inputs["image"]
    assert not np.array_equal(other[0], whole[0])


def test_audio_noise_depends_on_seed_and_id_only(tmp_path: Path) -> None:
    path = str(sine(tmp_path / "a.wav", seconds=0.1))
    examples = Examples(["a", "b"], {"audio": [path, path]}, ["x", "y"])
    call = {"fn": "background_noise", "snr": 10.0}
    first, second = perturb(examples, call).inputs["audio"]
    alone = perturb(examples.take([1]), call).inputs["audio"][0]
    assert alone.samples.tobytes() == second.samples.tobytes()
    assert not np.array_equal(first.samples, second.samples)  # another id, other noise
    other = perturb(examples, {**call, "seed": 1}).inputs["audio"][0]
    assert not np.array_equal(other.samples, first.samples)


def test_results_do_not_depend_on_the_process() -> None:
    code = ("import sys; from evalspec.execute.data.examples import Examples; "
            "from evalspec.execute.data.perturb import perturb; "
            f"print(perturb(Examples(['x'], {{'text': [{SENTENCE!r}]}}, [0]), "
            "{'fn': 'typos', 'rate': 0.3, 'seed': 7}).inputs['text'][0]); "
            "print('torch' in sys.modules)")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": "123"}).stdout
    here = one("typos", SENTENCE, rate=0.3, seed=7)
    assert printed == f"{here}\nFalse\n"  # and the module imports no torch


# --------------------------------------------------------------------------- text
def test_typos_at_rate_zero_change_nothing() -> None:
    assert one("typos", SENTENCE * 5, rate=0.0) == SENTENCE * 5


def test_typos_edit_about_the_rate_of_letters() -> None:
    text = SENTENCE * 30
    letters = sum(char.isalpha() for char in text)
    share = edit_distance(text, one("typos", text, rate=0.3)) / letters
    assert 0.2 <= share <= 0.45  # one edit each, a swap two


def test_typos_touch_only_letters_and_keep_their_case() -> None:
    assert one("typos", "123 ... !?! 456", rate=1.0) == "123 ... !?! 456"
    edited = one("typos", "QWERTY ASDF ZXCV " * 10, rate=1.0)
    assert edited != "QWERTY ASDF ZXCV " * 10
    assert all(char.isupper() or char == " " for char in edited)


def test_keyboard_neighbours() -> None:
    assert set(NEIGHBOURS["s"]) == set("awedxz")
    assert set(NEIGHBOURS["q"]) == set("wa") and set(NEIGHBOURS["m"]) == set("njk")


@pytest.mark.parametrize(("mode", "expected"), [("lower", "hello world's end"),
                                                ("upper", "HELLO WORLD'S END"),
                                                ("title", "Hello World'S End")])
def test_case(mode: str, expected: str) -> None:
    assert one("case", "heLLo World's end", mode=mode) == expected


def test_case_defaults_to_lower() -> None:
    assert one("case", "AbC") == "abc"


def test_drop_words_always_keeps_one() -> None:
    words = SENTENCE.split()
    for seed in range(5):
        kept = one("drop_words", SENTENCE, rate=1.0, seed=seed)
        assert kept in words


def test_drop_words_drops_about_the_rate_and_joins_with_spaces() -> None:
    text = "\n".join(f"w{i}  " for i in range(2000))
    kept = one("drop_words", text, rate=0.3).split(" ")
    assert 0.65 <= len(kept) / 2000 <= 0.75
    assert all(word.startswith("w") for word in kept)
    assert [int(word[1:]) for word in kept] == sorted(int(word[1:]) for word in kept)


def test_strip_punctuation() -> None:
    assert one("strip_punctuation", "Hello, world!!  It's — fine.") == "Hello world Its fine"
    assert one("strip_punctuation", " «Ja» ¿qué? (sí)\t") == "Ja qué sí"


def test_text_pair_is_perturbed_too() -> None:
    changed = perturb(texts("a b", pairs=["C d"]), {"fn": "case", "mode": "upper"})
    assert changed.inputs == {"text": ["A B"], "text_pair": ["C D"]}


# --------------------------------------------------------------------------- images
def test_noise_of_std_zero_changes_nothing() -> None:
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    np.testing.assert_array_equal(one("gaussian_noise", image, "image", std=0.0), image)


def test_noise_changes_pixels_by_about_its_std() -> None:
    grey = np.full((64, 64, 3), 128, dtype=np.uint8)
    noisy = one("gaussian_noise", grey, "image", std=0.1)
    change = np.abs(noisy.astype(float) - 128)
    assert noisy.dtype == np.uint8 and noisy.shape == grey.shape
    assert abs(change.mean() - 25.5 * np.sqrt(2 / np.pi)) < 1.0  # mean |N(0, 25.5)|


def test_blur_smooths_a_checkerboard() -> None:
    board = checkerboard()
    blurred = one("blur", board, "image", radius=1.0)
    assert blurred.var() < 0.5 * board.var()


def test_jpeg_keeps_the_shape() -> None:
    image = np.random.default_rng(1).integers(0, 256, (8, 12, 3), dtype=np.uint8)
    compressed = one("jpeg", image, "image", quality=10)
    assert compressed.shape == image.shape and compressed.dtype == np.uint8
    assert not np.array_equal(compressed, image)


def test_brightness_scales_the_mean() -> None:
    grey = np.full((8, 8, 3), 200, dtype=np.uint8)
    assert abs(one("brightness", grey, "image", factor=0.5).mean() - 100) <= 1


def test_rotate_a_quarter_turn_is_rot90() -> None:
    image = np.random.default_rng(2).integers(0, 256, (9, 9), dtype=np.uint8)
    turned = one("rotate", image, "image", degrees=90.0)
    np.testing.assert_array_equal(turned[1:-1, 1:-1], np.rot90(image)[1:-1, 1:-1])


def test_rotate_fills_corners_black() -> None:
    white = np.full((15, 15, 3), 255, dtype=np.uint8)
    turned = one("rotate", white, "image", degrees=45.0)
    assert (turned[0, 0] == 0).all() and (turned[7, 7] == 255).all()


@pytest.mark.parametrize("name", IMAGE_NAMES)
@pytest.mark.parametrize("shape", [(8, 8), (8, 8, 3), (8, 8, 1), (8, 8, 4)])
def test_every_image_perturbation_keeps_the_layout(name: str, shape: tuple[int, ...]) -> None:
    image = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    changed = one(name, image, "image")
    assert changed.dtype == np.uint8
    assert changed.shape == ((8, 8) if len(shape) == 2 else (8, 8, 3))


def test_image_paths_are_read(tmp_path: Path) -> None:
    image = np.random.default_rng(4).integers(0, 256, (10, 6, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(image[:, :, 0]).save(tmp_path / "grey.png")
    same = one("brightness", str(tmp_path / "a.png"), "image", factor=1.0)
    np.testing.assert_array_equal(same, image)
    assert one("blur", str(tmp_path / "grey.png"), "image").shape == (10, 6, 3)


# --------------------------------------------------------------------------- audio
def test_background_noise_at_the_requested_snr(tmp_path: Path) -> None:
    path = str(sine(tmp_path / "a.wav"))
    noisy = one("background_noise", path, "audio", snr=10.0)
    clean, rate = decode(path)
    assert isinstance(noisy, Waveform) and (noisy.rate, noisy.name) == (rate, path)
    noise = noisy.samples.astype(np.float64) - clean
    measured = 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(noise ** 2))
    assert abs(measured - 10.0) < 0.5


def test_gain_scales_and_clips(tmp_path: Path) -> None:
    path = str(sine(tmp_path / "a.wav"))
    quieter = one("gain", path, "audio", db=-6.0)
    assert np.abs(quieter.samples).max() / 0.5 == pytest.approx(0.501, abs=1e-3)
    louder = one("gain", path, "audio", db=12.0)
    assert np.abs(louder.samples).max() == 1.0 and louder.samples.dtype == np.float32


@pytest.mark.parametrize(("factor", "length"), [(2.0, 8000), (0.5, 32000), (1.1, 14546)])
def test_speed_changes_the_length(tmp_path: Path, factor: float, length: int) -> None:
    faster = one("speed", str(sine(tmp_path / "a.wav")), "audio", factor=factor)
    assert len(faster.samples) == length and faster.rate == 16000


def test_decode_mixes_to_mono_at_the_file_rate(tmp_path: Path) -> None:
    stereo = np.stack([np.full(800, 0.5), np.full(800, 0.1)], axis=1)
    soundfile.write(tmp_path / "s.wav", stereo, 8000, subtype="FLOAT")
    samples, rate = decode(tmp_path / "s.wav")
    assert rate == 8000 and samples.dtype == np.float32
    np.testing.assert_allclose(samples, 0.3, atol=1e-6)
    with pytest.raises(RunError, match=r"nowhere\.wav: not a readable WAV or FLAC file"):
        decode(tmp_path / "nowhere.wav")


def test_waveforms_are_read_like_files(tmp_path: Path) -> None:
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    clip = read_clip(Waveform(tone, 16000, "tone.wav"), 8000)
    assert (len(clip.samples), clip.rate, clip.source_rate) == (8000, 8000, 16000)
    assert not clip.samples.flags.writeable and not clip.truncated
    assert len(read_clip(Waveform(tone, 16000, "tone.wav"), 16000, max_seconds=0.5).samples) \
        == 8000
    loud = read_clip(Waveform(tone * 4, 16000, "loud.wav"), 16000)
    assert np.abs(loud.samples).max() == 1.0


def test_a_silent_waveform_is_an_error_naming_it() -> None:
    with pytest.raises(RunError, match=r"^quiet\.wav: is silent") as caught:
        read_clip(Waveform(np.zeros(1600, dtype=np.float32), 16000, "quiet.wav"), 16000)
    assert caught.value.code == "ES501"
    with pytest.raises(RunError, match=r"^nan\.wav: holds samples that are not finite"):
        read_clip(Waveform(np.full(10, np.nan, dtype=np.float32), 16000, "nan.wav"), 16000)
