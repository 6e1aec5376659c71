"""A cold `evalspec run` of the demo against the same run with every cell cached (issue #6).

Protocol: `specs/sentiment.evalspec` as shipped — MiniLM against a scratch transformer on
1,200 vendored movie snippets, probe then full fine-tuning, html/markdown/json reports.
Both runs are fresh processes on the CPU sharing one cache folder; the wall time of each
whole process is compared (target: cached < 5% of cold). The cold run is also the demo's
wall time. `evalspec check` on the same spec is timed too, as the floor any command pays.

    python bench/bench_cache.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - start


def run(folder: Path, out: str) -> tuple[float, dict[str, object]]:
    """One `evalspec run` in a fresh process: (wall seconds, test metrics per cell)."""
    seconds = timed([sys.executable, "-m", "evalspec", "run", str(folder / "sentiment.evalspec"),
                     "--device", "cpu", "--out", str(folder / out),
                     "--cache-dir", str(folder / "cache")])
    results = json.loads((folder / out / "results.json").read_text(encoding="utf-8"))
    return seconds, {c["digest"]: c["test"] for c in results["cells"]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "specs" / "data", folder / "data")
        shutil.copy(ROOT / "specs" / "sentiment.evalspec", folder)
        cold_s, cold = run(folder, "cold")
        cached_s, cached = run(folder, "cached")
        check_s = timed([sys.executable, "-m", "evalspec", "check",
                         str(folder / "sentiment.evalspec")])
        log = (folder / "cached" / "run.log").read_text(encoding="utf-8")
    assert cached == cold, "the cached run's test metrics differ from the cold run's"
    assert log.count("from the cache") == len(cold), "the cached run trained a cell"
    print(f"cold run       : {cold_s:6.1f} s wall ({len(cold)} cells trained)")
    print(f"cached run     : {cached_s:6.1f} s wall (every cell from the cache, same metrics)")
    print(f"evalspec check : {check_s:6.1f} s wall (the start-up floor: parse and check only)")
    print(f"ratio cached / cold: {cached_s / cold_s:.1%}  (target < 5%)")


if __name__ == "__main__":
    main()
