"""The VS Code TextMate grammar: valid JSON whose patterns compile, naming every block the
language has, and colouring the repo's specs' blocks, keys and comments."""

from __future__ import annotations

import json
import re
from pathlib import Path

from evalspec.validate.lower import NESTED_BLOCKS, SECTIONS, TOP_BLOCKS

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = json.loads((ROOT / "editors" / "vscode" / "syntaxes" / "evalspec.tmLanguage.json")
                     .read_text(encoding="utf-8"))


def patterns(node: object) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        found += [node[k] for k in ("match", "begin", "end") if k in node]
        for value in node.values():
            found += patterns(value)
    elif isinstance(node, list):
        for value in node:
            found += patterns(value)
    return found


def test_every_pattern_compiles() -> None:
    for pattern in patterns(GRAMMAR):
        re.compile(pattern)


def test_the_grammar_knows_every_block() -> None:
    kinds = {*TOP_BLOCKS, *(k for nested in NESTED_BLOCKS.values() for k in nested),
             *(k for nested in SECTIONS.values() for k in nested)}
    block = re.compile(GRAMMAR["repository"]["block"]["match"])
    for kind in kinds:
        assert block.match(f"  {kind} name {{") or block.match(f"{kind} {{"), kind


def test_the_package_wires_the_grammar_and_the_server() -> None:
    package = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text())
    [language] = package["contributes"]["languages"]
    [grammar] = package["contributes"]["grammars"]
    assert language["extensions"] == [".evalspec"] and grammar["scopeName"] == "source.evalspec"
    assert (ROOT / "editors" / "vscode" / grammar["path"]).is_file()
    assert package["contributes"]["configuration"]["properties"]["evalspec.command"][
        "default"] == ["evalspec", "lsp"]
