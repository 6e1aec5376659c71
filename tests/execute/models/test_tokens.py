"""Token classifiers on tiny real models: words aligned to their first sub-token, long
sentences read in windows with no word lost, a pretrained token head mapped by tag name,
and a whole NER run — staged, cached, rescored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from evalspec import api
from evalspec.execute.data.examples import Examples, TaskData
from evalspec.execute.models.tokens import TokenCandidate, windows
from tests import tiny

UNER = Path(__file__).parents[1] / "data" / "files" / "uner_en_ewt_dev_50.iob2"
TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


def uner_sentences() -> list[tuple[list[str], list[str]]]:
    """The vendored UNER excerpt as the conll reader reads it: (words, tags) per sentence."""
    from evalspec.execute.data.problems import Problems
    from evalspec.execute.data.sources import read_source
    from evalspec.registry.tasks import TASK_TYPES
    from evalspec.validate.model import Conll

    loaded = read_source(Conll(fn="conll", path=UNER.name), TASK_TYPES["token_classification"],
                         UNER.parent, Problems())
    return list(zip(loaded.examples.inputs["tokens"], loaded.examples.targets, strict=True))


def token_data(sentences: list[tuple[list[str], list[str]]]) -> TaskData:
    def part(chunk: list[tuple[list[str], list[str]]], start: int) -> Examples:
        return Examples([str(start + i) for i in range(len(chunk))],
                        {"tokens": [w for w, _ in chunk]}, [t for _, t in chunk])
    third = len(sentences) // 3
    return TaskData(part(sentences[:third], 0), part(sentences[third:2 * third], third),
                    part(sentences[2 * third:], 2 * third), TAGS)


@pytest.fixture(scope="module")
def data() -> TaskData:
    return token_data(uner_sentences())


def test_windows_hold_every_word_within_the_budget() -> None:
    assert windows([[1], [2, 3], [4, 5, 6], [7]], budget=3) == [[0, 1], [2], [3]]
    assert windows([[1, 2, 3, 4, 5], [6]], budget=3) == [[0], [1]]
    assert windows([[1]] * 7, budget=3) == [[0, 1, 2], [3, 4, 5], [6]]


def _first_subtoken_states(candidate: TokenCandidate, words: list[str]) -> torch.Tensor:
    """What a word's features must be: the hidden state of its first sub-token when the
    tokenizer reads the whole sentence at once."""
    tokenizer: Any = candidate.word_pieces.tokenizer  # type: ignore[attr-defined]
    encoded = tokenizer(words, is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        hidden = candidate.backbone(**encoded).last_hidden_state[0]
    firsts, seen = [], set()
    for position, word in enumerate(encoded.word_ids(0)):
        if word is not None and word not in seen:
            seen.add(word)
            firsts.append(position)
    return hidden[firsts]


def test_each_word_reads_its_first_subtoken(build: Callable[..., Any], bert_dir: Path,
                                            data: TaskData) -> None:
    candidate = build({"fn": "path", "path": str(bert_dir)}, data,
                      task_type="token_classification", max_length=64)
    assert isinstance(candidate, TokenCandidate)
    candidate.eval()
    words = data.train.inputs["tokens"][0]
    encoded = candidate.encode(data.train)
    with torch.no_grad():
        features = candidate.features(candidate.collate([encoded.items[0]]))
    assert features.shape == (1, encoded.items[0]["width"], 32)
    torch.testing.assert_close(features[0, :len(words)], _first_subtoken_states(candidate, words))
    assert torch.all(features[0, len(words):] == 0)


def test_a_long_sentence_is_read_in_windows_and_keeps_every_word(
        build: Callable[..., Any], bert_dir: Path, data: TaskData) -> None:
    candidate = build({"fn": "path", "path": str(bert_dir)}, data,
                      task_type="token_classification", max_length=8)
    candidate.eval()
    words = max(data.train.inputs["tokens"], key=len)
    long = Examples(["x"], {"tokens": [words]}, [["O"] * len(words)])
    item = candidate.encode(long).items[0]
    batch = candidate.collate([item])
    assert batch["input_ids"].shape[0] > 1 and batch["input_ids"].shape[1] <= 8
    assert int(batch["word_mask"].sum()) == len(words)
    with torch.no_grad():
        features = candidate.features(batch)
    budget = 8 - 2
    start = 0
    for window in windows(item["pieces"], budget):  # each window as the tokenizer reads it
        expected = _first_subtoken_states(candidate, [words[i] for i in window])
        torch.testing.assert_close(features[0, start:start + len(window)], expected)
        start += len(window)
    assert start == len(words)


def test_a_pretrained_token_head_is_used_with_its_tags_mapped_by_name(
        build: Callable[..., Any], bert_dir: Path, tmp_path: Path, data: TaskData) -> None:
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    theirs = ["I-PER", "O", "B-LOC", "B-PER", "I-LOC", "I-ORG", "B-ORG"]
    config = BertConfig.from_pretrained(bert_dir, num_labels=len(theirs),
                                        id2label=dict(enumerate(theirs)),
                                        label2id={t: i for i, t in enumerate(theirs)})
    torch.manual_seed(1)
    BertForTokenClassification(config).save_pretrained(tmp_path)
    BertTokenizerFast.from_pretrained(bert_dir).save_pretrained(tmp_path)
    candidate = build({"fn": "path", "path": str(tmp_path)}, data,
                      task_type="token_classification", max_length=64, head="pretrained")
    candidate.eval()
    words = data.train.inputs["tokens"][1]
    reference = BertForTokenClassification.from_pretrained(tmp_path).eval()
    tokenizer = BertTokenizerFast.from_pretrained(tmp_path)
    encoded = tokenizer(words, is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        logits = reference(**encoded).logits[0]
        ours = candidate(candidate.collate([candidate.encode(data.train).items[1]]))[0]
    firsts = sorted({w: p for p, w in reversed(list(enumerate(encoded.word_ids(0))))
                     if w is not None}.values())
    order = [theirs.index(tag) for tag in TAGS]
    torch.testing.assert_close(ours[:len(words)], logits[firsts][:, order])
    assert candidate.identity.details["head"] == "pretrained"


def test_a_ner_run_trains_in_stages_caches_features_and_rescores(
        run_tiny: Callable[..., tiny.Results], bert_dir: Path, tmp_path: Path) -> None:
    rows = [{"id": f"s{i}", "tokens": w, "tags": t} for i, (w, t) in enumerate(uner_sentences())]
    data = tmp_path / "ner.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    spec = tiny.spec(
        tiny.task(tiny.call("jsonl", tiny.quoted(data), tokens=tiny.quoted("tokens"),
                            tags=tiny.quoted("tags"), id=tiny.quoted("id")),
                  name="ner", type="token_classification",
                  split=tiny.holdout("30%", "20%")),
        tiny.model("bert", tiny.path(bert_dir), max_length=16),
        tiny.model("lstm", tiny.scratch("lstm", hidden=16), max_length=16),
        finetune=tiny.finetune(tiny.probe(epochs=2), tiny.full(epochs=1), batch_size=8),
        metrics=tiny.metrics("entity_f1", "entity_precision", "entity_recall",
                             strict="entity_f1(mode = strict)", primary="entity_f1"),
        report=tiny.report("json"))
    results = run_tiny(spec)
    cells = {c["model"]: c for c in results["cells"]}
    assert set(cells) == {"bert", "lstm"}
    for cell in cells.values():
        probe, full = cell["stages"]
        assert probe["backbone_passes"] == 2  # train and validation features, once each
        assert full["backbone_passes"] >= 1
        assert set(cell["test"]) == {"entity_f1", "entity_precision", "entity_recall", "strict"}
        predictions = tiny.predictions(tmp_path / "out", cell)
        assert len(predictions) == results["tasks"]["ner"]["sizes"]["test"]
        assert all(len(p["pred"]) == len(p["true"]) for p in predictions)
        assert all(t in TAGS for p in predictions for t in p["pred"])
    leaderboard = results["tasks"]["ner"]["leaderboard"]
    assert [row["mcnemar"] for row in leaderboard] == [None, None]
    assert leaderboard[1]["p_value"] is not None

    more = "  entity_recall\n  strict_recall = entity_recall(mode = strict)\n"
    changed = tiny.write(tmp_path, spec.replace("  entity_recall\n", more), "changed.evalspec")
    api.report(tmp_path / "out" / "results.json", ("json",), spec=changed)
    again = {c["model"]: c for c in tiny.results(tmp_path / "out")["cells"]}
    for model, cell in cells.items():
        assert again[model]["test"]["entity_f1"] == cell["test"]["entity_f1"]
        assert again[model]["test"]["strict_recall"]["value"] is not None
