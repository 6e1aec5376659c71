"""Regenerate the review sentiment files from VADER's ground truth (see ATTRIBUTION.md).

    python specs/data/make_reviews.py PATH/TO/vader [OUT_DIR]

For each domain (movie reviews, product reviews, tweets) keeps the snippets whose mean
rating is at least 0.5 away from neutral, labels them `positive` (rating > 0) or
`negative`, and draws a fixed number of each with seed 0, kept in the source's order.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

DOMAINS = {  # output file → (VADER file, snippets drawn per label)
    "movie_reviews.csv": ("movieReviewSnippets_GroundTruth.txt", 600),
    "product_reviews.csv": ("amazonReviewSnippets_GroundTruth.txt", 200),
    "tweets.csv": ("tweets_GroundTruth.txt", 200),
}
MIN_STRENGTH = 0.5
SEED = 0
Snippet = tuple[int, str, str, str]  # position in the source, id, rating, text


def read_snippets(path: Path) -> list[Snippet]:
    """One per line; the files have CRLF line ends and a few non-UTF-8 bytes."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    snippets = []
    for line in raw.split("\r\n"):
        if line.strip():
            snippet_id, rating, text = line.split("\t", 2)
            snippets.append((len(snippets), snippet_id, rating, text.strip()))
    return snippets


def subset(snippets: list[Snippet], per_label: int) -> list[tuple[str, str, str, str]]:
    """(id, text, rating, label) rows: `per_label` of each label, in the source's order."""
    rng = random.Random(SEED)
    kept = []
    for label, sign in (("negative", -1), ("positive", 1)):
        pool = [s for s in snippets if sign * float(s[2]) >= MIN_STRENGTH]
        kept += [(*snippet, label) for snippet in rng.sample(pool, per_label)]
    return [(i, text, rating, label) for _, i, rating, text, label in sorted(kept)]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) == 2 else Path(__file__).parent
    for name, (source, per_label) in DOMAINS.items():
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["id", "sentence", "rating", "label"])
            writer.writerows(subset(read_snippets(Path(argv[0]) / source), per_label))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
