"""Hostile names show literally in HTML, SVG and Markdown, and break nothing: in a
classification run's report and in an NER run's, whose words and entity types are hostile
too."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import pytest

from evalspec import api
from evalspec.report import figures, view
from evalspec.report.numbers import visible
from evalspec.results.schema import read
from tests.committed import RUN
from tests.report.injection import CORPUS, poison
from tests.report.ner import NER_RUN, poison_ner
from tests.report.page import Page

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Rendered:
    names: dict
    html: str
    markdown: str
    svgs: list[str]


@pytest.fixture(scope="module", params=CORPUS, ids=lambda p: ascii(p)[1:-1][:24])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Rendered:
    """The committed run with every name poisoned, rendered once per hostile string."""
    folder = tmp_path_factory.mktemp("poisoned") / "run"
    shutil.copytree(RUN, folder)
    names = poison(folder, request.param)
    html, markdown = (p.read_text(encoding="utf-8")
                      for p in api.report(folder / "results.json"))
    return Rendered(names, html, markdown, SVG.findall(html))


def _names(found: dict) -> list[str]:
    return [v for value in found.values() for v in (value if isinstance(value, list) else [value])]


def _inert(source: str) -> Page:
    """The page, having checked that nothing in it can run, load or navigate away."""
    page = Page(source)
    assert [tag for tag, _ in page.tags if tag in {"script", "iframe", "object", "embed",
                                                   "img", "foreignobject", "a"}
            and not (tag == "a" and all(k == "href" and (v or "").startswith("#")
                                        for k, v in _attrs(page, tag)))
            and not (tag == "img" and _inline_png(_attrs(page, tag)))] == []
    attributes = [(tag, k, v) for tag, attrs in page.tags for k, v in attrs]
    assert [a for a in attributes if a[1].startswith("on")] == []
    # a tooltip (`title`) is text, never fetched; any other attribute holds no address
    assert [a for a in attributes if "://" in (a[2] or "") and a[1] != "title"] == []
    assert [a for a in attributes if a[1] in {"src", "srcset", "action", "formaction"}
            and not (a[0] == "img" and (a[2] or "").startswith(INLINE_PNG))] == []
    assert "\u202e" not in source and "\u2066" not in source
    assert source.count("<title>") == 1 + source.count("<svg")
    return page


def test_html_shows_every_hostile_name_as_text(rendered: Rendered) -> None:
    text = _inert(rendered.html).text
    missing = [name for name in _names(rendered.names) if _flat(visible(name)) not in text]
    assert missing == []


INLINE_PNG = "data:image/png;base64,"  # thumbnails: inline, never fetched


def _inline_png(attributes: list[tuple[str, str | None]]) -> bool:
    """An image whose only source is an inline PNG (base64 cannot leave the attribute)."""
    sources = [v or "" for k, v in attributes if k == "src"]
    return bool(sources) and all(re.fullmatch(re.escape(INLINE_PNG) + r"[A-Za-z0-9+/=]+", v)
                                 for v in sources) and \
        {k for k, _ in attributes} <= {"src", "alt", "class"}


def _attrs(page: Page, tag: str) -> list[tuple[str, str | None]]:
    return [a for t, attrs in page.tags if t == tag for a in attrs]


def test_svg_charts_escape_hostile_names(rendered: Rendered) -> None:
    assert len(rendered.svgs) == 5
    texts = []
    for svg in rendered.svgs:
        root = ElementTree.fromstring(svg)  # well-formed: nothing broke out
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert not tags & {"script", "foreignObject", "image", "a", "iframe"}
        for element in root.iter():
            assert not [k for k in element.attrib if k.rsplit("}", 1)[-1].startswith("on")]
        texts.append(_flat(" ".join("".join(e.itertext()) for e in root.iter()
                                    if e.tag.endswith("text"))))
    joined = " ".join(texts)
    for model in rendered.names["models"]:
        assert _flat(figures.label(model)) in joined  # legends and labels carry the names


def _whole_tables(markdown: str) -> int:
    """How many tables the Markdown holds, having checked each row has as many cells."""
    lines = markdown.splitlines()
    tables: list[list[str]] = []
    for line, previous in zip(lines, [""] + lines, strict=False):
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
    for table in tables:
        widths = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(widths) == 1, table
    assert not re.search(r"(?<!\\)[<`]", markdown)
    return len(tables)


def _literal(markdown: str) -> str:
    return _flat(re.sub(r"\\(.)", r"\1", markdown))


def test_markdown_keeps_tables_whole_and_names_literal(rendered: Rendered) -> None:
    found, markdown = rendered.names, rendered.markdown
    # leaderboard, metrics, cost, beyond the test split, one per extra set or perturbation,
    # per class
    assert _whole_tables(markdown) == 8
    unescaped = _literal(markdown)
    for name in [found["title"], found["task"], *found["models"], *found["labels"],
                 *found["sets"]]:
        assert _flat(visible(name)) in unescaped


# ------------------------------------------------------------------------------ NER
@dataclass(frozen=True)
class Tagged:
    names: dict
    words: list[str]  # the words of the example sentences, as the view shows them
    html: str
    markdown: str


@pytest.fixture(scope="module", params=CORPUS, ids=lambda p: ascii(p)[1:-1][:24])
def tagged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Tagged:
    """The committed NER run with names, entity types and entity words poisoned."""
    folder = tmp_path_factory.mktemp("poisoned_ner") / "run"
    shutil.copytree(NER_RUN, folder)
    names = poison_ner(folder, request.param)
    document = read(folder / "results.json")
    [task] = view.build(document, view.load_predictions(document, folder)).tasks
    words = [s.text for e in task.examples for r in e.readings for s in (*r.segments, *r.missed)]
    html, markdown = (p.read_text(encoding="utf-8") for p in api.report(folder / "results.json"))
    return Tagged(names, words, html, markdown)


def test_ner_html_shows_hostile_words_and_types_as_text(tagged: Tagged) -> None:
    text = _inert(tagged.html).text
    found = tagged.names
    hostile = [w for w in tagged.words if visible(found["title"]) in w]
    assert hostile  # the examples do show poisoned words
    names = [found["title"], found["task"], *found["models"], *found["types"], *tagged.words]
    assert [n for n in names if _flat(n if n in tagged.words else visible(n)) not in text] == []


def test_ner_markdown_keeps_tables_whole_and_words_literal(tagged: Tagged) -> None:
    assert _whole_tables(tagged.markdown) == 4
    unescaped = _literal(tagged.markdown)
    found = tagged.names
    for name in [found["title"], found["task"], *found["models"], *found["types"]]:
        assert _flat(visible(name)) in unescaped
    for words in tagged.words:
        assert _flat(words) in unescaped
