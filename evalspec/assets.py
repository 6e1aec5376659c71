"""Where the grammar and report templates live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.exists() else _PACKAGE.parent / checkout


def grammar_file() -> Path:
    """grammar/evalspec.lark (shipped in the wheel as evalspec/_grammar)."""
    return _locate("_grammar", "grammar") / "evalspec.lark"


def templates_dir() -> Path:
    """templates/ (shipped in the wheel as evalspec/_templates)."""
    return _locate("_templates", "templates")
