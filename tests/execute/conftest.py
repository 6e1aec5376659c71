"""Tiny real models and small real data for the executor's end-to-end tests, built once per
session in temporary folders, fully offline.

Models: a 2-layer BERT (hidden 32) with a WordPiece vocabulary made from the test sentences,
the same BERT with a sequence-classification head (`id2label` negative/positive), a 2-layer
GPT-2 whose tokenizer has an end token but no padding token, and a timm `resnet10t` saved as
a bare safetensors state dict. Data: 120 VADER movie snippets (specs/data/movie_reviews.csv),
and sentence pairs made from them.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from evalspec.execute.data.examples import Examples, TaskData
from evalspec.plan import StagePlan
from tests.tiny import REVIEWS, ROOT

SIZE = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
            max_position_embeddings=64)
WORD = re.compile(r"\w+|[^\w\s]")


@pytest.fixture(scope="session", autouse=True)
def _single_threaded(single_threaded: None) -> None:
    """Tests here train: offline, on one intra-op thread (see tests/conftest.py)."""


# ------------------------------------------------------------------------------- data
@pytest.fixture(scope="session")
def review_rows() -> list[dict[str, str]]:
    """120 snippets, 60 of each label, alternating, in the file's order."""
    with REVIEWS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    positive = [r for r in rows if r["label"] == "positive"][:60]
    negative = [r for r in rows if r["label"] == "negative"][:60]
    return [row for pair in zip(negative, positive, strict=True) for row in pair]


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory,
             review_rows: list[dict[str, str]]) -> Path:
    """reviews.csv (id, sentence, rating, label) and pairs.csv (id, first, second, label:
    `same` when both snippets have the same sentiment, else `different`)."""
    folder = tmp_path_factory.mktemp("data")
    write_rows(folder / "reviews.csv", review_rows)
    count = len(review_rows)
    pairs = []
    for i, row in enumerate(review_rows):
        other = review_rows[(i + 1 + (i % 2)) % count]  # odd i: same label; even i: different
        pairs.append({"id": f"pair{i}", "first": row["sentence"], "second": other["sentence"],
                      "label": "same" if row["label"] == other["label"] else "different"})
    write_rows(folder / "pairs.csv", pairs)
    return folder


@pytest.fixture(scope="session")
def review_texts(review_rows: list[dict[str, str]]) -> list[str]:
    return [r["sentence"] for r in review_rows]


def examples(rows: list[dict[str, str]], target: str = "label") -> Examples:
    return Examples([r["id"] for r in rows], {"text": [r["sentence"] for r in rows]},
                    [r[target] if target == "label" else float(r[target]) for r in rows])


@pytest.fixture(scope="session")
def text_data(review_rows: list[dict[str, str]]) -> TaskData:
    """Sentiment splits without reading files: 80 train, 20 validation, 20 test."""
    return TaskData(examples(review_rows[:80]), examples(review_rows[80:100]),
                    examples(review_rows[100:]), ["negative", "positive"])


# ------------------------------------------------------------------------------- models
@pytest.fixture(scope="session")
def bert_vocab(tmp_path_factory: pytest.TempPathFactory, review_texts: list[str]) -> Path:
    words = sorted({w for text in review_texts for w in WORD.findall(text.lower())})
    path = tmp_path_factory.mktemp("vocab") / "vocab.txt"
    path.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n",
                    encoding="utf-8")
    return path


def _bert_folder(folder: Path, vocab: Path, classifier: bool) -> Path:
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertModel,
        BertTokenizerFast,
    )

    tokenizer = BertTokenizerFast(vocab=str(vocab))
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    if classifier:
        config = BertConfig(vocab_size=len(tokenizer), **SIZE, num_labels=2,
                            id2label={0: "negative", 1: "positive"},
                            label2id={"negative": 0, "positive": 1})
        model: Any = BertForSequenceClassification(config)
    else:
        model = BertModel(BertConfig(vocab_size=len(tokenizer), **SIZE))
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def bert_dir(tmp_path_factory: pytest.TempPathFactory, bert_vocab: Path) -> Path:
    """A 2-layer BertModel (hidden 32) with its WordPiece tokenizer."""
    return _bert_folder(tmp_path_factory.mktemp("bert"), bert_vocab, classifier=False)


@pytest.fixture(scope="session")
def bert_classifier_dir(tmp_path_factory: pytest.TempPathFactory, bert_vocab: Path) -> Path:
    """The same size as a BertForSequenceClassification labelled negative/positive."""
    return _bert_folder(tmp_path_factory.mktemp("bert_cls"), bert_vocab, classifier=True)


@pytest.fixture(scope="session")
def gpt2_dir(tmp_path_factory: pytest.TempPathFactory, review_texts: list[str]) -> Path:
    """A 2-layer GPT-2 (n_embd 32) with a word-level tokenizer trained on the test texts:
    an end-of-text token and no padding token."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2Model, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("gpt2")
    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.train_from_iterator(review_texts, trainers.WordLevelTrainer(
        special_tokens=["<unk>", "<|endoftext|>"]))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=words, eos_token="<|endoftext|>",
                                        unk_token="<unk>")
    assert tokenizer.pad_token is None
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    eos = tokenizer.eos_token_id
    GPT2Model(GPT2Config(vocab_size=len(tokenizer), n_layer=2, n_embd=32, n_head=2,
                         n_positions=64, bos_token_id=eos, eos_token_id=eos)).save_pretrained(
        folder)
    return folder


@pytest.fixture(scope="session")
def resnet_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """timm `resnet10t` (random weights) as a bare safetensors state dict."""
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(0)
    model = timm.create_model("resnet10t", pretrained=False)
    path = tmp_path_factory.mktemp("timm") / "weights.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


@pytest.fixture
def broken_bert(tmp_path: Path, bert_dir: Path) -> Callable[[float], Path]:
    """`broken_bert(value)`: tmp_path/broken, a copy of the BERT whose word embeddings are
    all VALUE (nan or inf): its first training step has a non-finite loss."""
    def make(value: float) -> Path:
        from safetensors.torch import load_file, save_file

        broken = tmp_path / "broken"
        shutil.copytree(bert_dir, broken)
        weights = load_file(str(bert_dir / "model.safetensors"))
        weights["embeddings.word_embeddings.weight"] = torch.full_like(
            weights["embeddings.word_embeddings.weight"], value)
        save_file(weights, str(broken / "model.safetensors"))
        return broken
    return make


# ------------------------------------------------------------------------------- helpers
# Helpers are fixtures (returning functions), so tests take them like the models above.
@pytest.fixture(scope="session")
def make_stage() -> Callable[..., StagePlan]:
    """`make_stage(**overrides)`: a fully resolved stage with small defaults."""
    def make(**overrides: Any) -> StagePlan:
        settings: dict[str, Any] = dict(
            name="stage", train="head", top_n=0, epochs=2, lr=1e-2, schedule="constant",
            warmup=0.0, layer_decay=None, patience=None, monitor=None, min_delta=0.0,
            batch_size=16, optimizer={"fn": "adamw", "weight_decay": 0.01, "beta1": 0.9,
                                      "beta2": 0.999},
            precision="fp32", grad_clip=None, accumulate=1, max_steps=None, compile=False)
        settings.update(overrides)
        return StagePlan(**settings)
    return make


@pytest.fixture(scope="session")
def build() -> Callable[..., Any]:
    """`build(source, data, task_type=…, **model_settings)`: `build_candidate` for a model
    spec given as plain data (`{"fn": "path", "path": …}`)."""
    from evalspec.execute.models.builders import build_candidate
    from evalspec.validate.model import Model, Task

    def make(source: dict[str, Any], data: TaskData, task_type: str = "text_classification",
             **settings: Any) -> Any:
        torch.manual_seed(0)
        task = Task.model_validate({"type": task_type, "data": {"fn": "builtin",
                                                                "name": "digits"}})
        model = Model.model_validate({"source": source, **settings})
        return build_candidate("candidate", model, task, data, ROOT,
                               trust_remote_code=False)
    return make


def no_dropout(module: torch.nn.Module) -> None:
    """Dropout probabilities to 0: modules, and the configs Hugging Face attention reads."""
    for part in module.modules():
        if isinstance(part, torch.nn.Dropout):
            part.p = 0.0
        config = getattr(part, "config", None)
        for key in ("attention_probs_dropout_prob", "hidden_dropout_prob", "attn_pdrop",
                    "resid_pdrop", "embd_pdrop"):
            if config is not None and hasattr(config, key):
                setattr(config, key, 0.0)


@pytest.fixture(scope="session")
def without_dropout() -> Callable[[torch.nn.Module], None]:
    return no_dropout


@pytest.fixture
def trained(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per cell `Trainer.run` trained."""
    from evalspec.execute.training.trainer import Trainer

    calls: list[int] = []
    original = Trainer.run

    def counting(self: Trainer, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(Trainer, "run", counting)
    return calls
