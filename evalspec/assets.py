"""Where the grammar and the report templates live, installed (inside the wheel) or in a
checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def grammar_file() -> Path:
    """grammar/evalspec.lark, shipped in the wheel as evalspec/_grammar/evalspec.lark."""
    inside = _PACKAGE / "_grammar" / "evalspec.lark"
    return inside if inside.exists() else _PACKAGE.parent / "grammar" / "evalspec.lark"


def templates_dir() -> Path:
    """templates/, shipped in the wheel as evalspec/_templates."""
    inside = _PACKAGE / "_templates"
    return inside if inside.is_dir() else _PACKAGE.parent / "templates"
