"""The baseline for bench_ner.py: the `run_ner` recipe of Hugging Face, as a hand loop.

`AutoModelForTokenClassification` with a new head, words tokenised with
`is_split_into_words`, the label on each word's first sub-token (-100 elsewhere),
`DataCollatorForTokenClassification` padding, AdamW; the whole model is forwarded every
epoch, also while only the head learns. Words cut off by truncation are predicted `O`.
Prints one JSON line: entity F1 (seqeval) and times.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch
from seqeval.metrics import f1_score
from transformers import (
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    get_linear_schedule_with_warmup,
)

MAX_LENGTH, BATCH = 128, 16


def read(path: str) -> list[tuple[list[str], list[str]]]:
    """UNER's five columns: index, token, tag, -, annotator; `#` comments."""
    sentences, words, tags = [], [], []
    for line in [*Path(path).read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        fields = line.split("\t")
        words.append(fields[1])
        tags.append(fields[2])
    return sentences


def main(folder: str, model_dir: str) -> None:
    started = time.perf_counter()
    torch.manual_seed(0)
    splits = {n: read(f"{folder}/{n}.iob2") for n in ("train", "validation", "test")}
    tags = ["O", *(f"{p}-{t}" for t in ("PER", "ORG", "LOC") for p in "BI")]
    index = {t: i for i, t in enumerate(tags)}
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForTokenClassification.from_pretrained(
        model_dir, num_labels=len(tags), id2label=dict(enumerate(tags)), label2id=index)
    collator = DataCollatorForTokenClassification(tokenizer)

    def features(sentences: list[tuple[list[str], list[str]]]) -> list[dict]:
        out = tokenizer([w for w, _ in sentences], is_split_into_words=True, truncation=True,
                        max_length=MAX_LENGTH)
        rows = []
        for i, (_, labels) in enumerate(sentences):
            seen, aligned = set(), []
            for word in out.word_ids(i):
                aligned.append(-100 if word is None or word in seen else index[labels[word]])
                seen.add(word)
            rows.append({"input_ids": out["input_ids"][i],
                         "attention_mask": out["attention_mask"][i], "labels": aligned})
        return rows

    encoded = {name: features(part) for name, part in splits.items()}

    def train(epochs: int, lr: float, params: list[torch.nn.Parameter], warmup: float) -> None:
        rows = encoded["train"]
        optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        steps = epochs * ((len(rows) + BATCH - 1) // BATCH)
        schedule = get_linear_schedule_with_warmup(optimizer, int(warmup * steps), steps)
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(rows)).tolist()
            for i in range(0, len(order), BATCH):
                batch = collator([rows[j] for j in order[i:i + BATCH]])
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()

    def predict(name: str) -> list[list[str]]:
        model.eval()
        predicted = []
        for i in range(0, len(encoded[name]), 64):
            chunk = encoded[name][i:i + 64]
            with torch.no_grad():
                logits = model(**collator(chunk)).logits
            for row, item in zip(logits.argmax(-1).tolist(), chunk, strict=True):
                predicted.append([tags[p] for p, label in zip(row, item["labels"], strict=False)
                                  if label != -100])
        return [p + ["O"] * (len(words) - len(p))
                for p, (words, _) in zip(predicted, splits[name], strict=True)]

    for param in model.base_model.parameters():
        param.requires_grad = False
    probe_start = time.perf_counter()
    train(3, 1e-3, [p for p in model.parameters() if p.requires_grad], 0.0)
    probe_s = time.perf_counter() - probe_start
    for param in model.parameters():
        param.requires_grad = True
    full_start = time.perf_counter()
    train(2, 5e-5, list(model.parameters()), 0.1)
    full_s = time.perf_counter() - full_start
    f1 = f1_score([t for _, t in splits["test"]], predict("test"))
    print(json.dumps({"entity_f1": f1, "probe_s": probe_s, "full_s": full_s,
                      "total_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
