"""The language server, driven over stdio with real LSP messages: diagnostics as `check`
gives them, on open and on change; completion, hover, go-to-definition and formatting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lsp_client import Client

ROOT = Path(__file__).resolve().parents[2]
SPEC = (ROOT / "specs" / "sentiment.evalspec").read_text(encoding="utf-8")


@pytest.fixture
def client() -> Iterator[Client]:
    talking = Client()
    yield talking
    talking.close()


def position(text: str, marker: str) -> dict[str, int]:
    """The 0-based position just after the first `marker`."""
    before = text[:text.index(marker) + len(marker)]
    return {"line": before.count("\n"), "character": len(before.rsplit("\n", 1)[-1])}


def test_a_session(client: Client) -> None:
    folder = ROOT / "specs"
    uri = f"file://{folder / 'edited.evalspec'}"
    capabilities = client.start(str(folder))["capabilities"]
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
    assert capabilities["documentFormattingProvider"]
    assert "=" in capabilities["completionProvider"]["triggerCharacters"]

    broken = SPEC.replace("  f1\n", "  f1_scroe\n", 1)
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "evalspec", "version": 1, "text": broken}})
    [found], _ = client.diagnostics(uri, 1)
    assert found["code"] == "ES203" and found["source"] == "evalspec"
    assert found["severity"] == 1 and "did you mean `f1`" in found["message"]
    line = broken[:broken.index("  f1_scroe")].count("\n")  # the metric's name, as check has it
    assert found["range"] == {"start": {"line": line, "character": 2},
                              "end": {"line": line, "character": 10}}

    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": SPEC}]})
    assert client.diagnostics(uri, 2)[0] == []  # the data paths resolve from specs/

    typing = SPEC.replace("  type     = text_classification", "  type     = ")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typing}]})
    assert client.diagnostics(uri, 3)[0][0]["code"] == "ES102"  # a syntax error, located
    items = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": position(typing, "  type     = ")})
    labels = [i["label"] for i in items["items"]]
    assert {"text_classification", "token_classification", "regression"} <= set(labels)

    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": SPEC}]})
    calls = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": position(SPEC, "holdout(test = 20%, ")})
    assert {"validation", "seed", "stratify"} <= {i["label"] for i in calls["items"]}
    monitors = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": position(SPEC, "monitor = ")})
    assert {"val.f1", "val.accuracy", "loss"} <= {i["label"] for i in monitors["items"]}

    shown = client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": position(SPEC, "  auc")})
    assert shown["contents"]["kind"] == "markdown"
    assert shown["contents"]["value"].startswith("**auc**: ")
    assert "docs/metrics.md" in shown["contents"]["value"]

    target = client.request("textDocument/definition", {
        "textDocument": {"uri": uri}, "position": position(SPEC, "monitor = val.f")})
    line = SPEC[:SPEC.index("\n  f1\n") + 1].count("\n")
    assert target == {"uri": uri, "range": {"start": {"line": line, "character": 2},
                                            "end": {"line": line, "character": 4}}}

    messy = SPEC.replace("  batch_size = 32", "  batch_size=32", 1)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": messy}]})
    [edit] = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    assert edit["newText"] == SPEC
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 6}, "contentChanges": [{"text": SPEC}]})
    assert client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}}) == []


def test_a_hub_id_completes_from_the_local_cache(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from evalspec.lsp.server import completions

    (tmp_path / "models--sentence-transformers--all-MiniLM-L6-v2").mkdir()
    (tmp_path / "datasets--someone--data").mkdir()  # a data set, not a model
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    typed = 'model m {\n  source = hf("'
    assert [i.label for i in completions(typed, len(typed))] == \
        ["sentence-transformers/all-MiniLM-L6-v2"]
    local = 'model m {\n  source = path("'
    assert completions(local, len(local)) == []  # not a source that takes a hub id
