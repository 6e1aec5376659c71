"""Token classifiers: one output per *word* of a sentence, from the word's first sub-token.

A sentence is one example. Its words are split into sub-tokens once (`encode`); a batch
cuts each sentence into windows of at most `max_length` sub-tokens (specials included) at
word boundaries, so no word is lost however long the sentence; the backbone reads every
window, and each word takes the hidden state of its first sub-token. Outputs are
[sentences, words, …], padded to the longest sentence of the split so that features
computed once (frozen-backbone stages) stack across batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import torch
from torch import nn

from evalspec.execute.data.examples import Examples
from evalspec.execute.models.candidate import Batch, Candidate, Encoded, Identity, new_head
from evalspec.execute.models.text import (
    WordVocabulary,
    load_hub,
    scratch_backbone,
    split_classifier,
    transformer_blocks,
)


class WordPieces(Protocol):
    """Sub-token ids per word, and the special tokens around every window."""

    prefix: list[int]
    suffix: list[int]
    pad_id: int

    def pieces(self, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]: ...


@dataclass
class HubPieces:
    """A Hugging Face fast tokenizer's sub-tokens per word (`is_split_into_words`)."""

    tokenizer: Any
    prefix: list[int]
    suffix: list[int]
    pad_id: int

    @classmethod
    def of(cls, tokenizer: Any) -> HubPieces:
        def ids(*tokens: int | None) -> list[int]:
            return [t for t in tokens if t is not None]
        return cls(tokenizer, ids(tokenizer.cls_token_id), ids(tokenizer.sep_token_id),
                   tokenizer.pad_token_id)

    def pieces(self, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
        out = self.tokenizer([list(s) for s in sentences], is_split_into_words=True,
                             add_special_tokens=False, truncation=False)
        unknown = self.tokenizer.unk_token_id
        found = []
        for index, sentence in enumerate(sentences):
            words: list[list[int]] = [[] for _ in sentence]
            for token, word in zip(out["input_ids"][index], out.word_ids(index), strict=True):
                if word is not None:
                    words[word].append(token)
            found.append([w or [unknown if unknown is not None else self.pad_id]
                          for w in words])
        return found


@dataclass
class VocabularyPieces:
    """A scratch model's word vocabulary: a word's pieces are its regex tokens."""

    vocabulary: WordVocabulary
    prefix: list[int]
    suffix: list[int]
    pad_id: int = 0

    def pieces(self, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
        return [[self.vocabulary.ids(word) or [1] for word in sentence]
                for sentence in sentences]


def windows(pieces: list[list[int]], budget: int) -> list[list[int]]:
    """Word indices of consecutive windows holding at most `budget` sub-tokens each; a word
    longer than the budget gets a window of its own (it is cut, its first sub-token kept)."""
    found: list[list[int]] = [[]]
    used = 0
    for index, word in enumerate(pieces):
        size = min(len(word), budget)
        if found[-1] and used + size > budget:
            found.append([])
            used = 0
        found[-1].append(index)
        used += size
    return found


class TokenCandidate(Candidate):
    """A text backbone read per word; the head maps each word's features to tag scores."""

    def __init__(self, backbone: nn.Module, head: nn.Module, identity: Identity, *,
                 pieces: WordPieces, max_length: int, blocks: list[nn.Module]):
        super().__init__(backbone, head, identity)
        self.word_pieces = pieces
        self.max_length = max_length
        self._blocks = blocks

    def encode(self, examples: Examples) -> Encoded:
        sentences = examples.inputs["tokens"]
        width = max((len(s) for s in sentences), default=1)
        pieces = self.word_pieces.pieces(sentences)
        items = [{"pieces": p, "width": width} for p in pieces]
        return Encoded(items, [sum(len(word) for word in p) for p in pieces])

    def collate(self, items: Sequence[dict[str, Any]]) -> Batch:
        pieces = self.word_pieces
        budget = max(1, self.max_length - len(pieces.prefix) - len(pieces.suffix))
        rows: list[list[int]] = []
        starts: list[list[tuple[int, int]]] = []  # per sentence: (row, offset) of each word
        for item in items:
            words: list[tuple[int, int]] = []
            for window in windows(item["pieces"], budget):
                row = list(pieces.prefix)
                for index in window:
                    words.append((len(rows), len(row)))
                    row += item["pieces"][index][:budget]
                rows.append(row + pieces.suffix)
            starts.append(words)
        length = max(len(r) for r in rows)
        width = items[0]["width"]
        positions = torch.zeros(len(items), width, dtype=torch.long)
        mask = torch.zeros(len(items), width)
        for b, sentence in enumerate(starts):
            for w, (number, offset) in enumerate(sentence):
                positions[b, w] = number * length + offset
                mask[b, w] = 1.0
        return {"input_ids": torch.tensor([r + [pieces.pad_id] * (length - len(r)) for r in rows]),
                "attention_mask": torch.tensor([[1] * len(r) + [0] * (length - len(r))
                                                for r in rows]),
                "positions": positions, "word_mask": mask}

    def features(self, batch: Batch) -> torch.Tensor:
        hidden = self.backbone(input_ids=batch["input_ids"],
                               attention_mask=batch["attention_mask"])
        if not isinstance(hidden, torch.Tensor):
            hidden = hidden.last_hidden_state
        flat = hidden.reshape(-1, hidden.size(-1))
        return flat[batch["positions"]] * batch["word_mask"].unsqueeze(-1).to(flat.dtype)

    def blocks(self) -> list[nn.Module]:
        return self._blocks


def hf_token_candidate(location: str, *, revision: str | None, labels: list[str],
                       outputs: int, max_length: int, pretrained_head: bool,
                       trust_remote_code: bool, identity: Identity) -> TokenCandidate:
    """A pretrained Hugging Face encoder as a token classifier: a new head, or the model's
    own token-classification head with its tags matched by name."""
    from transformers import AutoModel, AutoModelForTokenClassification

    loader = AutoModelForTokenClassification if pretrained_head else AutoModel
    tokenizer, model = load_hub(location, revision, loader, trust_remote_code)
    if not getattr(tokenizer, "is_fast", False):
        from evalspec.errors import RunError

        raise RunError(f"model `{location}`: token classification needs a fast tokenizer "
                       "(one with word alignment); this model has none", "ES502")
    identity.details.update(max_length=max_length, architecture=type(model).__name__,
                            alignment="first sub-token")
    if pretrained_head:
        backbone, head = split_classifier(location, model, labels, identity)
    else:
        backbone = model
        head = new_head(cast(Any, model.config).hidden_size, outputs)
    return TokenCandidate(backbone, head, identity, pieces=HubPieces.of(tokenizer),
                          max_length=max_length, blocks=transformer_blocks(model))


def scratch_token_candidate(arch: str, sentences: Sequence[Sequence[str]], *, outputs: int,
                            layers: int | None, hidden: int | None, heads: int | None,
                            bidirectional: bool | None, max_length: int,
                            identity: Identity) -> TokenCandidate:
    """A randomly initialised token classifier with a vocabulary from the training words."""
    vocabulary = WordVocabulary([" ".join(sentence) for sentence in sentences])
    hidden = hidden or 128
    backbone, blocks = scratch_backbone(arch, len(vocabulary), layers=layers, hidden=hidden,
                                        heads=heads, bidirectional=bidirectional,
                                        max_length=max_length)
    identity.details.update(vocabulary=len(vocabulary), hidden=hidden, max_length=max_length,
                            alignment="first sub-token")
    return TokenCandidate(backbone, new_head(hidden, outputs), identity,
                          pieces=VocabularyPieces(vocabulary, [2], [3]), max_length=max_length,
                          blocks=blocks)
