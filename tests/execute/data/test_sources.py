"""The other sources: image and audio folders and the built-in data sets (CoNLL files:
`test_conll.py`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from evalspec.execute.data.loading import load_task_data
from evalspec.validate.model import Audio, Builtin, Csv, Images, Task
from tests.execute.data.tasks import all_ids, holdout, run_error, write_csv


# --------------------------------------------------------------------------- images and audio
def make_images(root: Path, per_class: int = 3) -> None:
    for label, colour in (("cat", (200, 10, 10)), ("dog", (10, 10, 200))):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            Image.new("RGB", (6, 5), colour).save(root / label / f"{i}.png")


def test_images_folder(tmp_path: Path) -> None:
    make_images(tmp_path / "pics")
    (tmp_path / "pics" / "cat" / "notes.txt").write_text("not an image")
    source = Images(fn="images", dir="pics")
    data = load_task_data(Task(type="image_classification", train=source, test=source),
                          tmp_path)
    assert data.labels == ["cat", "dog"]
    assert data.train.ids == [f"{c}/{i}.png" for c in ("cat", "dog") for i in range(3)]
    assert data.train.targets == ["cat"] * 3 + ["dog"] * 3
    assert Path(data.train.inputs["image"][0]) == tmp_path / "pics" / "cat" / "0.png"
    before = data.fingerprints["pics"]
    Image.new("RGB", (6, 5), (0, 0, 0)).save(tmp_path / "pics" / "dog" / "0.png")
    after = load_task_data(Task(type="image_classification", train=source, test=source),
                           tmp_path).fingerprints["pics"]
    assert before != after


def test_corrupt_image_in_folder(tmp_path: Path) -> None:
    make_images(tmp_path / "pics")
    (tmp_path / "pics" / "dog" / "broken.png").write_bytes(b"\x89PNG not really")
    source = Images(fn="images", dir="pics")
    error = run_error(Task(type="image_classification", train=source, test=source), tmp_path)
    assert error.code == "ES501"
    assert str(error).startswith("pics/dog/broken.png: not a readable image")


def test_image_paths_in_csv_are_relative_to_the_csv(tmp_path: Path) -> None:
    make_images(tmp_path / "data" / "pics", per_class=4)
    rows = [["file", "kind"]] + [[f"pics/{c}/{i}.png", c] for c in ("cat", "dog")
                                 for i in range(4)]
    write_csv(tmp_path / "data" / "index.csv", rows)
    (tmp_path / "data" / "pics" / "cat" / "3.png").write_bytes(b"garbage")
    task = Task(type="image_classification",
                data=Csv(fn="csv", path="data/index.csv", image="file", label="kind"),
                split=holdout(stratify=False))
    error = run_error(task, tmp_path)
    assert str(error).startswith("data/index.csv:5: image `pics/cat/3.png`: not a readable")
    Image.new("RGB", (6, 5)).save(tmp_path / "data" / "pics" / "cat" / "3.png")
    data = load_task_data(task, tmp_path)
    assert len(all_ids(data)) == 8
    assert all(Path(p).is_file() for p in data.train.inputs["image"])
    assert "data/index.csv (image files)" in data.fingerprints


def test_audio_folder(tmp_path: Path) -> None:
    import numpy as np
    import soundfile

    clip = 0.1 * np.ones(160, np.float32)
    for label in ("yes", "no"):
        (tmp_path / "clips" / label).mkdir(parents=True)
        for i in range(2):
            soundfile.write(tmp_path / "clips" / label / f"{i}.wav", clip, 16000)
        soundfile.write(tmp_path / "clips" / label / "x.FLAC", clip, 16000, format="FLAC")
        (tmp_path / "clips" / label / "readme.md").write_text("skip me")
    source = Audio(fn="audio", dir="clips")
    data = load_task_data(Task(type="audio_classification", train=source, test=source),
                          tmp_path)
    assert data.labels == ["no", "yes"]
    assert data.train.ids == ["no/0.wav", "no/1.wav", "no/x.FLAC",
                              "yes/0.wav", "yes/1.wav", "yes/x.FLAC"]
    assert all(Path(p).is_file() for p in data.train.inputs["audio"])


# --------------------------------------------------------------------------- builtin
def test_builtin_digits_as_images(tmp_path: Path) -> None:
    task = Task(type="image_classification", data=Builtin(fn="builtin", name="digits"))
    data = load_task_data(task, tmp_path)
    assert data.labels == [str(d) for d in range(10)]
    assert sum(data.sizes().values()) == 1797
    image = data.train.inputs["image"][0]
    assert image.dtype == np.uint8 and image.shape == (8, 8)
    assert max(int(i.max()) for i in data.train.inputs["image"]) == 255
    assert data.train.ids[0].startswith("digits:")
    assert data.fingerprints["builtin:digits"].startswith("scikit-learn ")


def test_builtin_digits_as_features(tmp_path: Path) -> None:
    task = Task(type="text_classification", data=Builtin(fn="builtin", name="digits"))
    assert load_task_data(task, tmp_path).train.inputs["features"].shape[1] == 64


def test_builtin_breast_cancer_and_diabetes(tmp_path: Path) -> None:
    task = Task(type="text_classification", data=Builtin(fn="builtin", name="breast_cancer"))
    data = load_task_data(task, tmp_path)
    assert data.labels == ["benign", "malignant"]
    assert data.train.inputs["features"].shape == (398, 30)
    task = Task(type="regression", data=Builtin(fn="builtin", name="diabetes"))
    data = load_task_data(task, tmp_path)
    assert data.labels == [] and isinstance(data.train.targets[0], float)
    assert data.train.inputs["features"].dtype == np.float32


def test_builtin_errors(tmp_path: Path) -> None:
    error = run_error(Task(type="regression", data=Builtin(fn="builtin", name="diabetis")),
                      tmp_path)
    assert error.code == "ES409" and "did you mean `diabetes`?" in str(error)
    error = run_error(Task(type="image_classification",
                           data=Builtin(fn="builtin", name="wine")), tmp_path)
    assert error.code == "ES312"
