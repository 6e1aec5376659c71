"""Text candidates: Hugging Face encoders and decoders, and scratch controls."""

from __future__ import annotations

import json
import pickle
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples
from evalspec.execute.models.candidate import Batch, Candidate, Encoded, Identity, new_head
from evalspec.execute.models.recurrent import RecurrentEncoder


def pool(hidden: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    """Sequence output [B, T, D] → one vector per input: `mean`, `cls` or `last` token."""
    if how == "cls":
        return hidden[:, 0]
    if how == "last":
        last = mask.sum(dim=1).clamp(min=1) - 1
        return hidden[torch.arange(hidden.size(0), device=hidden.device), last]
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


class TextCandidate(Candidate):
    """Token ids in, pooled features out; batches are padded to their longest member."""

    def __init__(self, backbone: nn.Module, head: nn.Module, identity: Identity, *,
                 tokenize: Any, pad_id: int, pooling: str, max_length: int,
                 blocks: list[nn.Module]):
        super().__init__(backbone, head, identity)
        self._tokenize = tokenize
        self.pad_id = pad_id
        self.pooling = pooling
        self.max_length = max_length
        self._blocks = blocks

    def encode(self, examples: Examples) -> Encoded:
        texts = examples.inputs["text"]
        pairs = examples.inputs.get("text_pair")
        items = [{k: torch.tensor(v) for k, v in item.items()}
                 for item in self._tokenize(texts, pairs, self.max_length)]
        return Encoded(items, [len(i["input_ids"]) for i in items])

    def collate(self, items: Sequence[dict[str, torch.Tensor]]) -> Batch:
        """Padded to the longest item, in C++ (`pad_sequence`: a batch of 32 in a sixth of
        the time of padding lists in Python)."""
        batch = {key: pad_sequence([i[key] for i in items], batch_first=True,
                                   padding_value=self.pad_id if key == "input_ids" else 0)
                 for key in items[0]}
        lengths = torch.tensor([len(i["input_ids"]) for i in items])
        batch["attention_mask"] = (torch.arange(batch["input_ids"].shape[1])
                                   < lengths[:, None]).long()
        return batch

    def features(self, batch: Batch) -> torch.Tensor:
        hidden = self.backbone(**batch)
        if self.pooling == "model":
            if hidden.dim() != 2:
                raise RunError("head = pretrained: this architecture's classifier does not take "
                               "one vector per input; use `head = new`", "ES502")
            return hidden
        if not isinstance(hidden, torch.Tensor):
            hidden = hidden.last_hidden_state
        return pool(hidden, batch["attention_mask"], self.pooling)

    def blocks(self) -> list[nn.Module]:
        return self._blocks


# ---------------------------------------------------------------------- Hugging Face
def _hf_tokenize(tokenizer: Any) -> Any:
    def tokenize(texts: list[str], pairs: list[str] | None, max_length: int) -> list[dict]:
        out = tokenizer(texts, pairs, truncation=True, max_length=max_length, padding=False)
        keys = [k for k in ("input_ids", "token_type_ids") if k in out]
        return [{k: out[k][i] for k in keys} for i in range(len(texts))]
    return tokenize


def _pooling_settings(location: str, revision: str | None) -> dict[str, Any] | None:
    """sentence-transformers' pooling config of a local folder or a hub model (fetched like
    the model itself, so offline mode and the cache apply), if it has one."""
    folder = Path(location).expanduser()
    if folder.is_dir():
        found = sorted(folder.glob("*_Pooling/config.json"))
        return json.loads(found[0].read_text()) if found else None
    try:
        from huggingface_hub import hf_hub_download

        modules = json.loads(Path(hf_hub_download(location, "modules.json",
                                                  revision=revision)).read_text())
        pooling = next(m["path"] for m in modules if m.get("type", "").endswith("Pooling"))
        return json.loads(Path(hf_hub_download(location, f"{pooling}/config.json",
                                               revision=revision)).read_text())
    except Exception:  # noqa: BLE001 - no such file, offline, not a sentence-transformer
        return None


def _default_pooling(settings: dict[str, Any] | None, config: Any) -> str:
    """Pool as the model was trained: sentence-transformers' own config, else by family."""
    if settings and settings.get("pooling_mode_mean_tokens"):
        return "mean"
    if settings and settings.get("pooling_mode_cls_token"):
        return "cls"
    return "last" if is_decoder_only(config) else "cls"


def is_decoder_only(config: Any) -> bool:
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    kind = getattr(config, "model_type", "")
    causal, masked = MODEL_FOR_CAUSAL_LM_MAPPING_NAMES, MODEL_FOR_MASKED_LM_MAPPING_NAMES
    return kind in causal and kind not in masked


def transformer_blocks(backbone: nn.Module) -> list[nn.Module]:
    """The repeated layers of a transformer: the longest ModuleList inside it."""
    lists = [m for m in backbone.modules() if isinstance(m, nn.ModuleList)]
    return list(cast(nn.ModuleList, max(lists, key=len))) if lists else []


class SelectColumns(nn.Module):
    """Reorders a pretrained classifier's outputs into the task's label order."""

    columns: torch.Tensor

    def __init__(self, columns: list[int]):
        super().__init__()
        self.register_buffer("columns", torch.tensor(columns, dtype=torch.long))

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        return logits.index_select(-1, self.columns)


class _WithoutClassifier(nn.Module):
    """A sequence classification model whose classifier was replaced by the identity, so
    its `logits` are the classifier's input: pooled features."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, **batch: torch.Tensor) -> torch.Tensor:
        return self.model(**batch).logits


def _label_columns(location: str, config: Any, labels: list[str]) -> list[int]:
    theirs = {str(name).lower(): int(i) for i, name in config.id2label.items()}
    missing = [label for label in labels if label.lower() not in theirs]
    if missing:
        raise RunError(
            f"head = pretrained: model `{location}` has labels {sorted(config.id2label.values())}"
            f" but the task has {labels}; {missing} have no match — rename the task's labels "
            "or use `head = new`", "ES502")
    return [theirs[label.lower()] for label in labels]


def _classifier_attribute(model: nn.Module) -> str:
    for name in ("classifier", "score"):
        if isinstance(getattr(model, name, None), nn.Module):
            return name
    raise RunError(f"head = pretrained: no classifier found on {type(model).__name__}", "ES502")


def load_hub(location: str, revision: str | None, loader: Any, trust_remote_code: bool
             ) -> tuple[Any, nn.Module]:
    """A Hugging Face tokenizer and model (`loader`: an Auto class), loaded safely; the
    tokenizer pads (with its end token if it has no padding token)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(location, revision=revision,
                                                  trust_remote_code=trust_remote_code)
        model = loader.from_pretrained(location, revision=revision,
                                       trust_remote_code=trust_remote_code)
    except pickle.UnpicklingError as error:
        raise RunError(
            f"model `{location}`: refused to load — its weights file holds Python objects, not "
            f"only tensors, and loading it could run code ({str(error).splitlines()[0][:120]})."
            " Convert it to safetensors", "ES503") from None
    except (OSError, ValueError) as error:
        if "trust_remote_code" in str(error):
            raise RunError(f"model `{location}` contains custom code, which evalspec runs only "
                           "with `--trust-remote-code` (read the code first)", "ES503") from None
        raise RunError(f"model `{location}` could not be loaded: {str(error).splitlines()[0]}"
                       " — check the id or path, the network, or HF_HUB_OFFLINE", "ES502") from None
    if tokenizer.pad_token_id is None:
        if tokenizer.eos_token is None:
            raise RunError(f"model `{location}`: its tokenizer has no padding or end token",
                           "ES502")
        tokenizer.pad_token = tokenizer.eos_token
    model.config.pad_token_id = tokenizer.pad_token_id
    return tokenizer, model


def split_classifier(location: str, model: nn.Module, labels: list[str],
                     identity: Identity) -> tuple[nn.Module, nn.Module]:
    """A model with its own classifier → (the model up to the classifier's input, the
    classifier with its outputs reordered into `labels`), labels matched by name."""
    config: Any = model.config
    columns = _label_columns(location, config, labels)
    attribute = _classifier_attribute(model)
    head: nn.Module = nn.Sequential(getattr(model, attribute), SelectColumns(columns))
    setattr(model, attribute, nn.Identity())
    identity.details.update(head="pretrained", label_columns=columns)
    return _WithoutClassifier(model), head


def hf_text_candidate(location: str, *, revision: str | None,
                      labels: list[str], outputs: int, pooling: str | None, max_length: int,
                      pretrained_head: bool, trust_remote_code: bool,
                      identity: Identity) -> TextCandidate:
    """A pretrained Hugging Face text model, with a new head or with its own classifier."""
    from transformers import AutoModel, AutoModelForSequenceClassification

    loader = AutoModelForSequenceClassification if pretrained_head else AutoModel
    tokenizer, model = load_hub(location, revision, loader, trust_remote_code)
    identity.details.update(max_length=max_length, architecture=type(model).__name__)
    if pretrained_head:
        backbone, head = split_classifier(location, model, labels, identity)
        how = "model"
    else:
        backbone = model
        how = pooling or _default_pooling(_pooling_settings(location, revision), model.config)
        head = new_head(cast(Any, model.config).hidden_size, outputs)
    identity.details.update(pooling=how)
    return TextCandidate(backbone, head, identity, tokenize=_hf_tokenize(tokenizer),
                         pad_id=tokenizer.pad_token_id, pooling=how, max_length=max_length,
                         blocks=transformer_blocks(model))


# ---------------------------------------------------------------------- scratch controls
_WORD = re.compile(r"\w+|[^\w\s]")
SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")


class WordVocabulary:
    """A lower-cased word vocabulary built from the training texts only."""

    def __init__(self, texts: Sequence[str], size: int = 30_000):
        counts = Counter(w for t in texts for w in _WORD.findall(t.lower()))
        words = [w for w, _ in counts.most_common(size - len(SPECIALS))]
        self.index = {w: i for i, w in enumerate((*SPECIALS, *words))}

    def __len__(self) -> int:
        return len(self.index)

    def ids(self, text: str) -> list[int]:
        return [self.index.get(w, 1) for w in _WORD.findall(text.lower())]

    def tokenize(self, texts: list[str], pairs: list[str] | None, max_length: int) -> list[dict]:
        items = []
        for i, text in enumerate(texts):
            ids = [2, *self.ids(text), 3]
            if pairs is not None:
                ids += [*self.ids(pairs[i]), 3]
            items.append({"input_ids": ids[:max_length]})
        return items


def scratch_backbone(arch: str, vocabulary: int, *, layers: int | None, hidden: int,
                     heads: int | None, bidirectional: bool | None, max_length: int
                     ) -> tuple[nn.Module, list[nn.Module]]:
    """A randomly initialised text encoder over word ids, and its blocks."""
    if arch == "transformer":
        from transformers import BertConfig, BertModel

        heads = heads or max(1, hidden // 64)
        if hidden % heads:
            raise RunError(f"scratch(transformer): hidden = {hidden} is not divisible by "
                           f"heads = {heads}", "ES502")
        config = BertConfig(vocab_size=vocabulary, hidden_size=hidden,
                            num_hidden_layers=layers or 2, num_attention_heads=heads,
                            intermediate_size=4 * hidden, max_position_embeddings=max_length + 2)
        backbone: nn.Module = BertModel(config, add_pooling_layer=False)
        return backbone, list(cast(Any, backbone).encoder.layer)
    both_ways = True if bidirectional is None else bidirectional
    recurrent = RecurrentEncoder(nn.Embedding(vocabulary, hidden, padding_idx=0), hidden,
                                 layers or 1, arch, both_ways)
    return recurrent, list(recurrent.layers)


def scratch_text_candidate(arch: str, train_texts: Sequence[str], *, outputs: int,
                           layers: int | None, hidden: int | None, heads: int | None,
                           bidirectional: bool | None, max_length: int,
                           identity: Identity) -> TextCandidate:
    """A randomly initialised text model with a vocabulary from the training split."""
    vocab = WordVocabulary(train_texts)
    hidden = hidden or 128
    backbone, blocks = scratch_backbone(arch, len(vocab), layers=layers, hidden=hidden,
                                        heads=heads, bidirectional=bidirectional,
                                        max_length=max_length)
    identity.details.update(vocabulary=len(vocab), hidden=hidden, pooling="mean",
                            max_length=max_length)
    return TextCandidate(backbone, new_head(hidden, outputs), identity, tokenize=vocab.tokenize,
                         pad_id=0, pooling="mean", max_length=max_length, blocks=blocks)
