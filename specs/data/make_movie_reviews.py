"""Regenerate movie_reviews.csv from VADER's movie-review ground truth (see ATTRIBUTION.md).

    python specs/data/make_movie_reviews.py PATH/TO/vader [OUT.csv]

Keeps snippets whose mean rating is at least 0.5 away from neutral, labels them `positive`
(rating > 0) or `negative`, and draws 600 of each with seed 0, in the source's order.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

SOURCE = "movieReviewSnippets_GroundTruth.txt"
PER_CLASS = 600
MIN_STRENGTH = 0.5
SEED = 0


def read_snippets(folder: Path) -> list[tuple[str, str, str]]:
    """(id, rating, text) per line; the file has CRLF line ends and a few non-UTF-8 bytes."""
    raw = (folder / SOURCE).read_bytes().decode("utf-8", errors="replace")
    snippets = []
    for line in raw.split("\r\n"):
        if line.strip():
            snippet_id, rating, text = line.split("\t", 2)
            snippets.append((snippet_id, rating, text.strip()))
    return snippets


def subset(snippets: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    rng = random.Random(SEED)
    kept = []
    for label, sign in (("negative", -1), ("positive", 1)):
        pool = [s for s in snippets if sign * float(s[1]) >= MIN_STRENGTH]
        kept += [(i, text, rating, label) for i, rating, text in rng.sample(pool, PER_CLASS)]
    return sorted(kept, key=lambda row: int(row[0]))


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) == 2 else Path(__file__).with_name("movie_reviews.csv")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "sentence", "rating", "label"])
        writer.writerows(subset(read_snippets(Path(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
