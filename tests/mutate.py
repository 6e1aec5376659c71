"""A seeded mutator of spec text for fuzzing `check`: deletions, duplications, insertions of
syntax-significant characters and odd Unicode, swapped lines and truncation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted(path for folder in ("specs", "tests/check/cases")
               for path in (ROOT / folder).glob("*.evalspec")
               if path.is_file())  # not the `.evalspec` cache folder a demo run leaves
PIECES = ['{', '}', '(', ')', '[', ']', '"', '\\', '=', ',', '.', '%', '#', '\n', ' ', '-',
          '1e999', '9' * 400, '0x1F', '\\u{110000}', '\u202e', '\x00', '\ufeff', 'é', '🙂',
          'task', 'model', 'metrics', 'stage', 'evaluate', 'perturb', 'true', 'val.f1',
          'csv(', 'hf(', 'holdout(', '_', '1_000', '50%', '"' + 'x' * 300 + '"', '\r']


def mutate(text: str, rng: random.Random) -> str:
    """One to four random edits of `text`."""
    for _ in range(rng.randint(1, 4)):
        if not text:
            return rng.choice(PIECES)
        at = rng.randrange(len(text))
        span = rng.randint(1, 40)
        edit = rng.randrange(6)
        if edit == 0:
            text = text[:at] + text[at + span:]
        elif edit == 1:
            text = text[:at] + text[at:at + span] * rng.randint(2, 5) + text[at:]
        elif edit == 2:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif edit == 3:
            text = text[:at] + rng.choice(PIECES) + text[at + 1:]
        elif edit == 4:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            text = text[:at]
    return text


def mutations(count: int, seed: int = 0) -> Iterator[tuple[Path, str]]:
    """`count` mutated specs, each with the seed file it came from (its folder resolves
    the spec's paths)."""
    rng = random.Random(seed)
    texts = [(path, path.read_text(encoding="utf-8", errors="replace")) for path in SEEDS]
    for _ in range(count):
        path, text = rng.choice(texts)
        yield path, mutate(text, rng)
