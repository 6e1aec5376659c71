"""Example transcripts of speech tasks: which utterances are chosen, and how the HTML and
Markdown reports show the reference and each model's hypothesis, escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalspec import api
from evalspec.report.transcripts import Utterance, chosen, word_edits
from tests import tiny
from tests.execute import speech_data

SCRIPT = "<script>alert(1)</script> abc"


def test_word_edits_count_whole_words() -> None:
    assert word_edits("turn on the light", "turn of the light") == 1
    assert word_edits("turn on the light", "turn  on the light ") == 0
    assert word_edits("a b", "") == 2


def test_chosen_puts_the_widest_spread_first_and_breaks_ties_by_id() -> None:
    rows = [Utterance("u3", "a b c", {"x": "a b c", "y": "a b c"}),     # spread 0
            Utterance("u2", "a b c", {"x": "a b c", "y": "x y z"}),     # spread 3
            Utterance("u1", "a b c", {"x": "a b", "y": "a b c"}),       # spread 1
            Utterance("u0", "a b c", {"x": "a b c", "y": "a"}),         # spread 2
            Utterance("u4", "a b c", {"x": "a", "y": "a b c"})]         # spread 2
    assert [u.id for u in chosen(rows, ["x", "y"])] == ["u2", "u0", "u4", "u1", "u3"]
    assert [u.id for u in chosen(rows, ["x", "y"], 2)] == ["u2", "u0"]
    assert len(chosen(rows * 3, ["x", "y"])) == 6


@pytest.mark.slow
def test_speech_reports_show_reference_and_hypotheses_escaped(tmp_path: Path, run_tiny) -> None:
    words = tmp_path / "words"
    speech_data.spelled_words(words, {"train": 16, "validation": 4, "test": 8})
    splits = "".join(f"  {split:10} = csv({tiny.quoted(words / f'{split}.csv')}, "
                     'audio = "audio", transcript = "transcript")\n'
                     for split in ("train", "validation", "test"))
    spec = ("evalspec 1\n\ntask spell {\n  type = speech_recognition\n" + splits + "}\n\n"
            "model gru {\n  source = scratch(gru, hidden = 16, layers = 1)\n}\n\n"
            "model lstm {\n  source = scratch(lstm, hidden = 16, layers = 1)\n}\n\n"
            "finetune {\n  batch_size = 8\n  stage all {\n    train  = all\n    epochs = 1\n"
            "    lr     = 1e-3\n  }\n}\n\n"
            "metrics {\n  wer\n  cer\n}\n\nreport {\n  formats = [json]\n}\n")
    results = run_tiny(spec)
    out = tmp_path / "out"
    cells = {c["model"]: c for c in results["cells"]}
    assert set(cells) == {"gru", "lstm"}
    # One hypothesis made hostile (and far off, so that its utterance is shown).
    path = out / cells["lstm"]["predictions"]
    rows = tiny.predictions(out, cells["lstm"])
    rows[0]["pred"] = SCRIPT
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    reference = rows[0]["true"]

    written = api.report(out / "results.json", ("html", "markdown"))
    html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    markdown = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")

    assert "<h3>Example transcripts</h3>" in html
    assert "### Example transcripts" in markdown
    assert f">{reference}</dd>" in html
    assert f"- reference: {reference}" in markdown
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; abc" in html
    assert r"\<script\>alert(1)\</script\> abc" in markdown
    edits = word_edits(reference, SCRIPT)
    assert f"{edits} word edits" in html and f"{edits} word edits" in markdown
    gru = {r["id"]: r for r in tiny.predictions(out, cells["gru"])}[rows[0]["id"]]["pred"]
    assert "<dt><span class=\"model\">" in html and "- gru: " in markdown
    assert html.count('class="example"') <= 6
    if gru:  # a 1-epoch model may still transcribe nothing
        assert gru in html
