"""Charts as inline SVG that cannot run or fetch: `inline` re-parses every chart and
refuses script or foreign elements, `on*` attributes and references outside the chart.
Only charts that pass become `Markup`; nothing from the data is ever marked safe by any
other route."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from markupsafe import Markup, escape

ALLOWED = {"svg", "g", "defs", "style", "path", "use", "clipPath", "rect", "text", "tspan",
           "title", "desc", "circle", "line", "polyline", "polygon", "ellipse"}
PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
ROOT_ATTRIBUTES = re.compile(r'\s(?:xmlns(?::xlink)?|version)="[^"]*"')


def inline(svg: str, title: str) -> Markup:
    """A matplotlib SVG as an inline element: prolog and namespace URIs dropped, a title for
    screen readers; refused if anything in it could run or fetch."""
    body = PROLOG.sub("", svg, count=1)
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, flags=re.S)
    body = body.replace(" xlink:href=", " href=")  # SVG 2: no xlink namespace needed
    _check(body)
    head, rest = body.split(">", 1)
    head = ROOT_ATTRIBUTES.sub("", head)
    return Markup(f'{head} role="img" aria-label="{escape(title)}"><title>{escape(title)}'
                  f"</title>{rest}")


def _check(svg: str) -> None:
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise ValueError(f"a chart is not well-formed XML ({error})") from None
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag not in ALLOWED:
            raise ValueError(f"unexpected <{tag}> in a chart")
        if tag == "style" and "@import" in (element.text or ""):
            raise ValueError("a chart imports a stylesheet")
        if tag == "style":
            _local_only(element.text or "")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise ValueError(f"event attribute {local} in a chart")
            if local == "href" and not value.startswith("#"):
                raise ValueError("a chart refers outside itself")
            _local_only(value)


def _local_only(value: str) -> None:
    """Every `url(…)` in `value` points inside the chart (`#id`)."""
    for target in re.findall(r"url\(([^)]*)\)", value):
        if not target.strip("'\" ").startswith("#"):
            raise ValueError("a chart refers outside itself")
