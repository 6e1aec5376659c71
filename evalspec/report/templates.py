"""The one Jinja environment: templates from `templates/`, undefined names are errors,
autoescape on for HTML templates and off for Markdown (whose cells `md` escapes);
compiled templates are kept in Jinja's per-user cache folder (keyed by their source's
checksum), so a re-render does not compile them again."""

from __future__ import annotations

import functools
import re

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)

from evalspec.assets import templates_dir

# Markdown and GitHub syntax characters; backslash-escaped in text that comes from data.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|~&$@]|:(?=[\w+-]+:))")


def markdown_text(value: object) -> str:
    """Data as literal Markdown text that stays inside one table cell: line breaks become
    spaces, and characters Markdown or GitHub would interpret are backslash-escaped (`|`
    cannot end a cell, `<img>` stays text, `@name` mentions nobody)."""
    flat = " ".join(str(value).split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _compiled() -> FileSystemBytecodeCache | None:
    """Jinja's cache of compiled templates (a private folder in the temporary directory);
    None where it cannot be made, and templates are compiled each time."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                     disabled_extensions=("md.j2",), default=False,
                                     default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, bytecode_cache=_compiled())
    env.filters["md"] = markdown_text
    return env
