"""Regenerate fashion_mnist/: a class-balanced subset of Fashion-MNIST as PNG files (see
ATTRIBUTION.md).

    python specs/data/make_fashion.py [/usr/share/datasets/fashion-mnist] [OUT_DIR]

Reads the training images and labels (idx files, gzipped, as the Debian package
`dataset-fashion-mnist` installs them), draws PER_CLASS images of each class with seed 0,
and writes each as an 8-bit greyscale 28x28 PNG, `fashion_mnist/CLASS/INDEX.png` (INDEX is
the image's position in the training file).
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SOURCE = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ("tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
           "sneaker", "bag", "ankle_boot")  # label 0 to 9, as the dataset numbers them
PER_CLASS = 70
SEED = 0


def read_idx(path: Path) -> np.ndarray:
    """An idx file: big-endian header (magic, then one size per dimension), then uint8 data."""
    raw = gzip.decompress(path.read_bytes())
    dimensions = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[0]) if argv else SOURCE
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("fashion_mnist")
    images = read_idx(source / "train-images-idx3-ubyte.gz")
    labels = read_idx(source / "train-labels-idx1-ubyte.gz")
    rng = random.Random(SEED)
    for label, name in enumerate(CLASSES):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        chosen = sorted(rng.sample([int(i) for i in np.flatnonzero(labels == label)], PER_CLASS))
        for index in chosen:
            Image.fromarray(images[index], mode="L").save(folder / f"{index:05d}.png",
                                                          optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
