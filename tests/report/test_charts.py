"""Charts: matplotlib escapes text, `svg.inline` refuses anything that could run or fetch,
and a chart whose figure did not change is not drawn again."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from evalspec.report import svg as svgs
from evalspec.report.drawings import FOLDER, Drawings
from evalspec.report.figures import Line, Plot

HOSTILE = "</text><script>alert(1)</script><text>&amp;"


def figure(name: str = "c", title: str = "t", y: tuple[float, ...] = (1, 0)) -> Plot:
    return Plot(name, title, "", "x", "y", (Line("a", "#123456", (0, 1), y),), None)


def test_matplotlib_escapes_text_in_svg() -> None:
    hostile = Plot("c1", HOSTILE, "", HOSTILE, "y",
                   (Line(HOSTILE, "#000000", (0, 1), (0, 1)),), None)
    svg = str(Drawings(None).svg(hostile))
    assert "<script" not in svg
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = ElementTree.fromstring(svg)
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag == "text"]
    assert HOSTILE in texts  # drawn literally, as one text element
    assert root.find("title").text == HOSTILE
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg
    assert "http" not in svg  # no namespace URIs, no metadata links


def test_charts_are_deterministic() -> None:
    assert str(Drawings(None).svg(figure())) == str(Drawings(None).svg(figure()))


def test_an_unchanged_figure_is_not_drawn_again(tmp_path: Path) -> None:
    first = Drawings(tmp_path)
    drawn = [str(first.svg(figure("a"))), str(first.svg(figure("b")))]
    assert first.drawn == 2 and len(list((tmp_path / FOLDER).glob("*.svg"))) == 2
    again = Drawings(tmp_path)
    assert [str(again.svg(figure("a"))), str(again.svg(figure("b")))] == drawn
    assert again.drawn == 0
    changed = Drawings(tmp_path)
    changed.svg(figure("a"))
    changed.svg(figure("b", y=(0.5, 0.25)))  # new data: drawn, and the old drawing pruned
    changed.prune()
    assert changed.drawn == 1 and len(list((tmp_path / FOLDER).glob("*.svg"))) == 2


def test_a_kept_drawing_is_checked_like_a_new_one(tmp_path: Path) -> None:
    Drawings(tmp_path).svg(figure())
    [kept] = (tmp_path / FOLDER).glob("*.svg")
    kept.write_text('<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>')
    again = Drawings(tmp_path)
    shown = str(again.svg(figure()))
    assert "<script" not in shown and again.drawn == 1  # refused, so drawn again
    kept.write_text("<svg")  # truncated
    assert "<script" not in str(Drawings(tmp_path).svg(figure()))


@pytest.mark.parametrize("svg", [
    '<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>',
    '<svg viewBox="0 0 1 1" onload="alert(1)"></svg>',
    '<svg viewBox="0 0 1 1"><use href="https://evil.example/x.svg#a"/></svg>',
    '<svg viewBox="0 0 1 1"><foreignObject><p>x</p></foreignObject></svg>',
    '<svg viewBox="0 0 1 1"><path style="fill: url(https://evil.example/)"/></svg>',
    '<svg viewBox="0 0 1 1"><image href="data:image/png;base64,AA"/></svg>',
    '<svg viewBox="0 0 1 1"><style>@import "https://evil.example/a.css";</style></svg>',
    '<svg viewBox="0 0 1 1"><style>path { fill: url(https://evil.example/) }</style></svg>',
    '<svg viewBox="0 0 1 1"><path',
])
def test_inline_refuses_active_or_external_content(svg: str) -> None:
    with pytest.raises(ValueError):
        svgs.inline(svg, "t")
