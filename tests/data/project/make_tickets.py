"""Writes tickets.csv: synthetic support tickets for the report tests (deterministic)."""

import random
from pathlib import Path

URGENT = ["refund", "broken", "late", "missing", "charged twice", "cannot log in", "error",
          "crash", "lost", "damaged"]
CALM = ["thanks", "great", "love it", "works fine", "quick question", "feedback", "hello",
        "nice", "happy", "question about"]
FILLER = ["the order", "my account", "the app", "yesterday", "again", "please", "team", "today",
          "the invoice", "support"]


def main() -> None:
    rng = random.Random(5)
    rows = ["id,message,label"]
    for i in range(1, 241):
        urgent = rng.random() < 0.5
        words = rng.sample(URGENT if urgent else CALM, 2) + rng.sample(FILLER, 3)
        if rng.random() < 0.3:  # a word from the other side
            words.append(rng.choice(CALM if urgent else URGENT))
        if rng.random() < 0.06:  # a mislabelled ticket
            urgent = not urgent
        rng.shuffle(words)
        label = "a|b" if urgent else "<img src=x onerror=alert(1)>"
        rows.append(f'{i},"{" ".join(words)}","{label}"')
    (Path(__file__).parent / "tickets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
