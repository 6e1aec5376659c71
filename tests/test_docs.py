"""The docs stay true: complete examples check as documented, Python examples print what the
docs say they print, and every diagnostic code and every metric is documented."""

from __future__ import annotations

import contextlib
import io
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalspec import api
from evalspec.codes import CODES
from evalspec.registry.metrics import METRICS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
EXPECT = re.compile(r"<!--\s*expect:\s*(ES\d{3}(?:\s*,\s*ES\d{3})*)\s*-->")
CACHE_DEPENDENT = {"ES406"}  # a hub model is reported missing unless it is in your cache

REVIEWS = [
    ("1", "A warm and funny film", "2.1", "positive"),
    ("2", "Dull from start to finish", "-2.4", "negative"),
    ("3", "I would watch it again", "1.7", "positive"),
    ("4", "The plot makes no sense", "-1.9", "negative"),
    ("5", "Sharp, moving and beautifully shot", "2.8", "positive"),
    ("6", "Too long by an hour", "-1.2", "negative"),
    ("7", "The cast is wonderful", "2.3", "positive"),
    ("8", "A tired sequel", "-1.6", "negative"),
    ("9", "Smart and surprising", "2.0", "positive"),
    ("10", "I left halfway through", "-2.7", "negative"),
]
PAIR = ('{"premise": "A man plays a guitar.", "hypothesis": "A person makes music.", '
        '"label": "entailment"}\n{"premise": "A dog sleeps.", "hypothesis": "The dog runs.", '
        '"label": "not_entailment"}\n')


def make_project(root: Path) -> None:
    """The data files the documentation's examples name, relative to the spec file."""
    data = root / "data"
    for folder in ("images/cat", "images/dog", "audio/yes", "audio/no", "models/tiny"):
        (data / folder).mkdir(parents=True, exist_ok=True)
    rows = ["id,sentence,rating,label", *(",".join(f'"{c}"' if "," in c else c for c in r)
                                          for r in REVIEWS)]
    for name in ("reviews.csv", "movie_reviews.csv", "product_reviews.csv", "tweets.csv"):
        (data / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    draft = ["id,sentence,label", "1,A warm and funny film,positive", "2,,negative",
             "3,I would watch it again,positive"]
    (data / "reviews_draft.csv").write_text("\n".join(draft) + "\n", encoding="utf-8")
    for split in ("train", "validation", "test"):
        (data / f"pairs_{split}.jsonl").write_text(PAIR, encoding="utf-8")
    (data / "houses.csv").write_text("area,rooms,age,price\n54,2,31,210000\n120,5,4,640000\n"
                                     "77,3,12,330000\n", encoding="utf-8")
    (data / "animals.csv").write_text("image,label\nimages/cat/1.png,cat\nimages/dog/1.png,dog\n",
                                      encoding="utf-8")
    (data / "ner.conll").write_text("EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
                                    "Peter B-PER\nBlackburn I-PER\n", encoding="utf-8")
    (data / "ner.jsonl").write_text('{"tokens": ["EU", "rejects", "German", "call"], '
                                    '"tags": ["B-ORG", "O", "B-MISC", "O"]}\n', encoding="utf-8")
    (data / "speech.csv").write_text("audio,transcript\naudio/yes/1.wav,yes\naudio/no/1.wav,no\n",
                                     encoding="utf-8")
    (data / "empty.csv").write_text("", encoding="utf-8")
    (data / "imdb.tsv").write_text(  # line 2's `"` opens a field that `quoting = csv` runs on
        'A very, very slow-moving, aimless movie.\t0\n"Wow, what a film.\t1\n'
        'Not a single "laugh" in it.\t0\nThe best I have seen this year.\t1\n', encoding="utf-8")
    (data / "models" / "tiny" / "config.json").write_text('{"model_type": "bert"}',
                                                          encoding="utf-8")
    (data / "models" / "classifier.safetensors").write_bytes(b"")
    (data / "models" / "pickled.pt").write_bytes(b"")
    from PIL import Image

    for label, colour in (("cat", (200, 120, 40)), ("dog", (40, 90, 200))):
        Image.new("RGB", (8, 8), colour).save(data / "images" / label / "1.png")
    for word in ("yes", "no"):
        with wave.open(str(data / "audio" / word / "1.wav"), "wb") as clip:
            clip.setnchannels(1)
            clip.setsampwidth(2)
            clip.setframerate(16000)
            clip.writeframes(b"\x00\x00" * 160)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    text: str
    expect: list[str] | None  # codes from a `<!-- expect: … -->` comment just above

    @property
    def complete(self) -> bool:
        """A whole spec file: its first line that is not blank or a comment is `evalspec 1`."""
        lines = [x.strip() for x in self.text.splitlines()]
        first = next((x for x in lines if x and not x.startswith("#")), "")
        return first == "evalspec 1"

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        comment = EXPECT.fullmatch(before[-1].strip()) if before else None
        expect = [c.strip() for c in comment.group(1).split(",")] if comment else None
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(page.name, line, match.group(1), match.group(2), expect))
    return found


ALL_BLOCKS = [b for page in PAGES for b in blocks(page)]
SPECS = [b for b in ALL_BLOCKS if b.language == "evalspec" and (b.complete or b.expect)]


def test_the_docs_exist() -> None:
    names = {p.name for p in PAGES}
    assert {"index.md", "language.md", "cli.md", "metrics.md"} <= names
    assert len(SPECS) > 20, "the docs show complete, checked examples"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    make_project(root)
    return root


@pytest.fixture(autouse=True)
def empty_hub_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))


@pytest.mark.parametrize("block", SPECS, ids=str)
def test_complete_examples_check_as_documented(block: Block, project: Path) -> None:
    spec = project / "spec.evalspec"
    spec.write_text(block.text, encoding="utf-8")
    codes = [d.code for d in api.check(spec).diagnostics]
    if block.expect is None:
        assert [c for c in codes if c not in CACHE_DEPENDENT] == [], \
            f"{block}: a complete example must pass `evalspec check`"
    else:
        assert sorted(codes) == sorted(block.expect), f"{block}: expected {block.expect}"


def _python_examples() -> list[tuple[Block, Block | None]]:
    pairs = []
    for page in PAGES:
        found = blocks(page)
        for i, block in enumerate(found):
            if block.language != "python":
                continue
            after = found[i + 1] if i + 1 < len(found) else None
            pairs.append((block, after if after and after.language == "text" else None))
    return pairs


@pytest.mark.parametrize("example", _python_examples(), ids=lambda e: str(e[0]))
def test_python_examples_print_what_the_docs_show(example: tuple[Block, Block | None]) -> None:
    code, shown = example
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.text, str(code), "exec"), {"__name__": "__docs__"})
    if shown is not None:
        assert printed.getvalue().strip() == shown.text.strip(), f"{code}: output differs"


def test_every_diagnostic_code_is_documented() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)
    assert [code for code in CODES if code not in text] == []


def test_every_metric_is_in_the_metrics_page() -> None:
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    assert [name for name in METRICS if f"`{name}`" not in text] == []
