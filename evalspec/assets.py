"""Where the grammar lives, installed (inside the wheel) or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def grammar_file() -> Path:
    """grammar/evalspec.lark, shipped in the wheel as evalspec/_grammar/evalspec.lark."""
    inside = _PACKAGE / "_grammar" / "evalspec.lark"
    return inside if inside.exists() else _PACKAGE.parent / "grammar" / "evalspec.lark"
