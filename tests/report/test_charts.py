"""Charts: matplotlib escapes text, `inline` refuses anything that could run or fetch."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from evalspec.report import charts
from evalspec.report.figures import Line, Plot

HOSTILE = "</text><script>alert(1)</script><text>&amp;"


def test_matplotlib_escapes_text_in_svg() -> None:
    figure = Plot("c1", HOSTILE, "", HOSTILE, "y", (Line(HOSTILE, "#000000", (0, 1), (0, 1)),),
                  None)
    svg = str(charts.plot(figure))
    assert "<script" not in svg
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = ElementTree.fromstring(svg)
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag == "text"]
    assert HOSTILE in texts  # drawn literally, as one text element
    assert root.find("title").text == HOSTILE
    assert not svg.startswith("<?xml") and "<!DOCTYPE" not in svg
    assert "http" not in svg  # no namespace URIs, no metadata links


def test_charts_are_deterministic() -> None:
    figure = Plot("c2", "t", "", "x", "y", (Line("a", "#123456", (0, 1), (1, 0)),), None)
    assert str(charts.plot(figure)) == str(charts.plot(figure))


@pytest.mark.parametrize("svg", [
    '<svg viewBox="0 0 1 1"><script>alert(1)</script></svg>',
    '<svg viewBox="0 0 1 1" onload="alert(1)"></svg>',
    '<svg viewBox="0 0 1 1"><use href="https://evil.example/x.svg#a"/></svg>',
    '<svg viewBox="0 0 1 1"><foreignObject><p>x</p></foreignObject></svg>',
    '<svg viewBox="0 0 1 1"><path style="fill: url(https://evil.example/)"/></svg>',
    '<svg viewBox="0 0 1 1"><image href="data:image/png;base64,AA"/></svg>',
    '<svg viewBox="0 0 1 1"><style>@import "https://evil.example/a.css";</style></svg>',
    '<svg viewBox="0 0 1 1"><style>path { fill: url(https://evil.example/) }</style></svg>',
])
def test_inline_refuses_active_or_external_content(svg: str) -> None:
    with pytest.raises(ValueError):
        charts.inline(svg, "t")
