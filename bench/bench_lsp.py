"""The language server's answer time: diagnostics for a 300-line spec after a change, warm
(issue #16; target: under 100 ms).

The spec is specs/sentiment.evalspec with model blocks added until it is 300 lines long;
each change edits one model's `max_length`. The server runs in its own process over stdio
(`python -m evalspec lsp`); the time is from sending `didChange` to receiving its
`publishDiagnostics`. The baseline is the same check run as a command (`evalspec check`, a
fresh process each time): what an editor without a server would do.

    python bench/bench_lsp.py [--changes 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.lsp_client import Client  # noqa: E402

SPECS = Path(__file__).resolve().parents[1] / "specs"


def long_spec(lines: int = 300) -> str:
    text = (SPECS / "sentiment.evalspec").read_text(encoding="utf-8")
    number = 0
    while text.count("\n") < lines:
        number += 1
        text += (f"\nmodel extra_{number} {{\n  source     = scratch(transformer, layers = 2, "
                 f"hidden = 64)\n  max_length = 64\n}}\n")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30)
    changes = parser.parse_args().changes
    text = long_spec()
    client = Client()
    uri = f"file://{SPECS / 'bench_lsp.evalspec'}"
    try:
        client.start(str(SPECS))
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "evalspec", "version": 0, "text": text}})
        client.diagnostics(uri, 0)
        times = []
        for version in range(1, changes + 1):
            edited = text.replace("max_length = 64\n}", f"max_length = {60 + version % 5}\n}}", 1)
            started = time.perf_counter()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited}]})
            found, _ = client.diagnostics(uri, version)
            times.append(time.perf_counter() - started)
            assert found == [], found
    finally:
        client.close()
    with tempfile.TemporaryDirectory(dir=SPECS) as folder:
        spec = Path(folder) / "bench.evalspec"
        spec.write_text(text.replace('"data/', '"../data/'), encoding="utf-8")
        commands = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "evalspec", "check", str(spec)], check=True,
                           capture_output=True)
            commands.append(time.perf_counter() - started)
    warm, command = statistics.median(times[3:]), statistics.median(commands)
    print(f"spec: {text.count(chr(10))} lines; {changes} changes")
    print(f"evalspec check, a fresh process (baseline)  {command * 1000:7.1f} ms   1.00x")
    print(f"language server, diagnostics after a change {warm * 1000:7.1f} ms  "
          f"{warm / command:5.2f}x   (p90 {statistics.quantiles(times[3:], n=10)[-1] * 1000:.1f}"
          f" ms; target 100 ms)")


if __name__ == "__main__":
    main()
