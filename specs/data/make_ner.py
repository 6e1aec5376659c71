"""Regenerate uner_en_ewt_dev_1000.iob2 from UNER's English-EWT dev file (see ATTRIBUTION.md).

    python specs/data/make_ner.py PATH/TO/en_ewt-ud-dev.iob2 [OUT.iob2]

Keeps the first 1,000 sentences exactly as written (comment lines, the five tab-separated
columns and the blank line after each sentence).
"""

from __future__ import annotations

import sys
from pathlib import Path

SENTENCES = 1000


def first_sentences(text: str, count: int) -> str:
    """The leading `count` sentences (a blank line ends each), comments included."""
    kept, sentence, seen = [], [], 0
    for line in text.splitlines():
        sentence.append(line)
        if not line.strip():
            if any(not part.startswith("#") for part in sentence[:-1]):
                kept += sentence
                seen += 1
                if seen == count:
                    break
            sentence = []
    return "\n".join(kept) + "\n"


def main(argv: list[str]) -> None:
    source = Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else Path(__file__).with_name(
        f"uner_en_ewt_dev_{SENTENCES}.iob2")
    out.write_text(first_sentences(source.read_text(encoding="utf-8"), SENTENCES),
                   encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
