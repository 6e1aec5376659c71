"""Re-rendering the demo: a fully cached `evalspec run specs/sentiment.evalspec` against
`evalspec check` on the same spec, measured in one run (issue #14).

The baseline is `check` (parse, validate, every meaning and file check). Against it, each in
a fresh process: the identical run again (up to date: nothing to do), the run with only
the report block changed (results restated, reports rendered again from kept charts),
`evalspec report` on the results file, and a fully cached run into a new folder (every
metric scored again from the cached predictions). The spec is copied beside the original
(same data, same cache), and the demo is run first if its cache is empty (minutes).
Each figure is the median of `--repeats` wall times.

    python bench/bench_rerender.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"


def timed(*arguments: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "evalspec", *arguments], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    return time.perf_counter() - started


def median(repeats: int, *arguments: str, before: tuple[str, ...] = ()) -> float:
    times = []
    for _ in range(repeats):
        if before:
            timed(*before)
        times.append(timed(*arguments))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    text = (SPECS / "sentiment.evalspec").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="rerender-", dir=SPECS) as scratch:
        out = Path(scratch) / "out"
        spec, retitled = SPECS / f"{Path(scratch).name}.evalspec", \
            SPECS / f"{Path(scratch).name}-retitled.evalspec"
        spec.write_text(text, encoding="utf-8")
        retitled.write_text(text.replace('title   = "', 'title   = "Again: '), encoding="utf-8")
        try:
            run, again = ("run", str(spec), "--out", str(out)), \
                ("run", str(retitled), "--out", str(out))
            timed(*run)  # trains only if the demo's cache is empty
            fresh = statistics.median(
                timed("run", str(spec), "--out", str(Path(scratch) / f"new{n}"))
                for n in range(repeats))
            check = median(repeats, "check", str(spec))
            current = median(repeats, *run)
            restated = median(repeats, *again, before=run)
            report = median(repeats, "report", str(out / "results.json"))
        finally:
            spec.unlink()
            retitled.unlink()
    print(f"evalspec check (baseline)                 {check:6.2f} s   1.00x")
    for name, seconds in (("run, up to date (the fully cached demo)", current),
                          ("run, report block changed (re-render)", restated),
                          ("evalspec report results.json", report),
                          ("run, cached, into a new folder", fresh)):
        print(f"{name:42s}{seconds:6.2f} s  {seconds / check:5.2f}x")


if __name__ == "__main__":
    main()
