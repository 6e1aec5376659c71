"""Mutation fuzzing of `evalspec check`, in process: N mutated specs (from specs/ and
tests/check/cases, see tests/mutate.py) through `api.check_source`, counting exceptions that
escape it (by type and the line that raised), inputs slower than 2 s, and diagnostics
without a location. The baseline is zero of each.

    python bench/fuzz_check.py [--inputs 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import collections
import time
import traceback

from evalspec import api
from evalspec.source import SourceFile
from tests.mutate import mutations

SLOW_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    escaped: collections.Counter[str] = collections.Counter()
    slow = unlocated = diagnostics = 0
    slowest = 0.0
    started = time.perf_counter()
    for path, text in mutations(args.inputs, seed=args.seed):
        start = time.perf_counter()
        try:
            checked = api.check_source(SourceFile(str(path), text))
        except Exception as error:  # noqa: BLE001 - counting what escapes is the point
            frame = traceback.extract_tb(error.__traceback__)[-1]
            escaped[f"{type(error).__name__} at {frame.filename}:{frame.lineno}"] += 1
            continue
        seconds = time.perf_counter() - start
        slowest = max(slowest, seconds)
        slow += seconds > SLOW_S
        diagnostics += len(checked.diagnostics)
        unlocated += sum(1 for d in checked.diagnostics if d.span is None)
    print(f"{args.inputs:,} mutated inputs in {time.perf_counter() - started:.1f} s "
          f"({diagnostics:,} diagnostics)")
    print(f"escaped exceptions: {sum(escaped.values())}")
    for site, count in escaped.most_common():
        print(f"  {count:6}  {site}")
    print(f"inputs over {SLOW_S:g} s: {slow} (slowest {slowest:.3f} s)")
    print(f"diagnostics without a location: {unlocated}")


if __name__ == "__main__":
    main()
