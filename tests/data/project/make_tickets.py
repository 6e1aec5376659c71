"""Writes tickets.csv and tickets_forum.csv: synthetic support tickets for the report tests."""

import random
from pathlib import Path

URGENT = ["refund", "broken", "late", "missing", "charged twice", "cannot log in", "error",
          "crash", "lost", "damaged"]
CALM = ["thanks", "great", "love it", "works fine", "quick question", "feedback", "hello",
        "nice", "happy", "question about"]
FILLER = ["the order", "my account", "the app", "yesterday", "again", "please", "team", "today",
          "the invoice", "support"]


FORUM = ["<b>thread</b>", "the forum", "a post", "everyone", "this week", "the board"]


def tickets(rng: random.Random, count: int, filler: list[str]) -> list[str]:
    """CSV rows: urgent or calm words among filler, some crossed, a few mislabelled."""
    rows = ["id,message,label"]
    for i in range(1, count + 1):
        urgent = rng.random() < 0.5
        words = rng.sample(URGENT if urgent else CALM, 2) + rng.sample(filler, 3)
        if rng.random() < 0.3:  # a word from the other side
            words.append(rng.choice(CALM if urgent else URGENT))
        if rng.random() < 0.06:  # a mislabelled ticket
            urgent = not urgent
        rng.shuffle(words)
        label = "a|b" if urgent else "<img src=x onerror=alert(1)>"
        rows.append(f'{i},"{" ".join(words)}","{label}"')
    return rows


def main() -> None:
    """tickets.csv, and tickets_forum.csv: forum posts (other filler words) for the report's
    extra evaluation set."""
    folder = Path(__file__).parent
    rng = random.Random(5)
    for name, count, filler in (("tickets.csv", 240, FILLER), ("tickets_forum.csv", 60, FORUM)):
        rows = tickets(rng, count, filler)
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
