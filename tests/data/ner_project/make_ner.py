"""Writes ner.conll: synthetic sentences with people, organisations and places for the
report tests (deterministic). Some names hold characters HTML and Markdown would read
(`AT&T`, `<Acme>`, `a|b`), "Jordan" is a person in some sentences and a place in others,
and a few sentences are written IOB1-style (an entity opening with `I-`), which the reader
repairs to IOB2 and counts."""

import random
from pathlib import Path

PEOPLE = ["Ann Lee", "Omar Haddad", "Mei Chen", "Jordan Price", "Luis Ortega", "Priya Nair",
          "Tom O'Neil", "Sara Berg", "Kofi Mensah", "Jordan", "Ines Duarte", "Yuki Sato"]
ORGS = ["AT&T", "<Acme>", "Globex", "Initech", "Red Cross", "United Nations", "Stark & Sons",
        "a|b Labs", "Umbrella Corp", "Hooli"]
PLACES = ["Tampa Bay", "Lagos", "Oslo", "New York", "Jordan", "São Paulo", "Kyoto", "Lima",
          "Cape Town", "Perth"]
TEMPLATES = [
    "{PER} flew from {LOC} to {LOC} .",
    "{PER} works for {ORG} in {LOC} .",
    "{ORG} opened an office in {LOC} last week .",
    "I met {PER} at the {ORG} booth .",
    "the weather in {LOC} was awful .",
    "{PER} said {ORG} would hire more staff .",
    "ask {PER} about the invoice .",
    "{ORG} and {ORG} signed a deal in {LOC} .",
    "we drove to {LOC} with {PER} .",
    "nothing much happened today .",
    "the meeting moved to Tuesday .",
    "thanks to {ANY} for everything .",
    "I love {ANY} .",
]
POOLS = {"PER": PEOPLE, "ORG": ORGS, "LOC": PLACES}


def sentence(rng: random.Random) -> list[tuple[str, str]]:
    rows = []
    iob1 = rng.random() < 0.05
    for piece in rng.choice(TEMPLATES).split():
        if piece.startswith("{"):
            kind = piece[1:4] if piece != "{ANY}" else rng.choice(sorted(POOLS))
            words = rng.choice(POOLS[kind]).split()
            first = "I" if iob1 and (not rows or rows[-1][1] == "O") else "B"
            rows += [(w, f"{first if i == 0 else 'I'}-{kind}") for i, w in enumerate(words)]
        else:
            rows.append((piece, "O"))
    return rows


def main() -> None:
    rng = random.Random(11)
    blocks = ["\n".join(f"{w}\t{t}" for w, t in sentence(rng)) for _ in range(240)]
    (Path(__file__).parent / "ner.conll").write_text("\n\n".join(blocks) + "\n",
                                                    encoding="utf-8")


if __name__ == "__main__":
    main()
