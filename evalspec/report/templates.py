"""The one Jinja environment: templates from `templates/`, undefined names are errors,
autoescape on for HTML templates and off for Markdown (whose cells `md` escapes)."""

from __future__ import annotations

import functools
import re

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from evalspec.assets import templates_dir

# Markdown and GitHub syntax characters; backslash-escaped in text that comes from data.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&$@]|:(?=[\w+-]+:))")


def markdown_text(value: object) -> str:
    """Data as literal Markdown text that stays inside one table cell: line breaks become
    spaces, and characters Markdown or GitHub would interpret are backslash-escaped (`|`
    cannot end a cell, `<img>` stays text, `@name` mentions nobody)."""
    flat = " ".join(str(value).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat)


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                     disabled_extensions=("md.j2",), default=False,
                                     default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters["md"] = markdown_text
    return env
