"""`run --executor ray` on a local Ray instance against the local runner (issue #17).

Protocol: the 4-cell wine spec of the Ray tests (two scratch MLPs × two seeds, probe 2
epochs then full 3, on the CPU), each executor a fresh `evalspec run` process with its own
empty cache; the wall time of each whole process is compared, and the test metrics must
agree. The Ray run starts its own local instance (`ray.init(num_cpus=os.cpu_count())`),
so it runs min(cores, 4) cells side by side, one CPU thread each.

What the ratio means: these cells train in about a second each, so the Ray run's wall is
mostly Ray's fixed cost (starting the instance, its workers importing torch, the queue
actor) and the ratio is above 1 here. That cost is paid once per run, not per cell: with
cells of minutes, the Ray wall is about startup + ceil(cells / task slots) × one cell, the
local one cells × one cell, so the ratio falls toward 1 / min(cells, task slots) — on a
cluster of M machines with G GPUs each and `--gpus-per-cell 1`, toward 1 / (M × G), until
the shared filesystem (checkpoints, weights) or the driver's data shipping saturates.

    python bench/bench_ray.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """evalspec 1
task wine {
  type  = text_classification
  data  = builtin("wine")
  split = holdout(test = 25%, validation = 20%, seed = 0)
}
model mlp {
  source = scratch(mlp, layers = 1, hidden = 16)
}
model wide {
  source = scratch(mlp, layers = 2, hidden = 8)
}
finetune {
  batch_size = 16
  seeds      = [0, 1]
  stage probe {
    train  = head
    epochs = 2
    lr     = 1e-2
  }
  stage full {
    train  = all
    epochs = 3
    lr     = 1e-3
  }
}
metrics {
  accuracy
  log_loss
  primary    = accuracy
  confidence = bootstrap(n = 100)
}
report {
  formats = [json]
}
"""
# one intra-op thread here as in a Ray task with one CPU, so both compute the same sums
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def run(folder: Path, name: str, *flags: str) -> tuple[float, dict[str, object]]:
    """One `evalspec run` in a fresh process: (wall seconds, test metrics per cell)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "evalspec", "run", str(folder / "wine.evalspec"),
                    "--device", "cpu", "--out", str(folder / name), "--cache-dir",
                    str(folder / f"cache-{name}"), *flags],
                   capture_output=True, text=True, check=True, env=ENV)
    seconds = time.perf_counter() - start
    results = json.loads((folder / name / "results.json").read_text(encoding="utf-8"))
    return seconds, {c["digest"]: c["test"] for c in results["cells"]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "wine.evalspec").write_text(SPEC, encoding="utf-8")
        local_s, local = run(folder, "local")
        ray_s, on_ray = run(folder, "ray", "--executor", "ray")
    assert on_ray == local, "the Ray run's test metrics differ from the local run's"
    print(f"local runner  : {local_s:6.1f} s wall ({len(local)} cells, one after another)")
    print(f"ray, local    : {ray_s:6.1f} s wall ({len(on_ray)} cells on "
          f"{os.cpu_count()} CPUs, instance started by the run)")
    print(f"ratio ray/local: {ray_s / local_s:.2f}")


if __name__ == "__main__":
    main()
