"""The baseline for bench_run.py: a plain, hand-written PyTorch fine-tuning loop.

The straightforward way: the whole model is forwarded every epoch (also while only the head
learns), batches are padded to their longest text. Prints one JSON line: accuracy and times.
"""

from __future__ import annotations

import csv
import json
import sys
import time

import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup


def read(path: str) -> tuple[list[str], list[int]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["sentence"] for r in rows], [int(r["label"] == "positive") for r in rows]


def main(folder: str, model_dir: str) -> None:
    started = time.perf_counter()
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    encoder = AutoModel.from_pretrained(model_dir)
    head = nn.Linear(encoder.config.hidden_size, 2)
    splits = {name: read(f"{folder}/{name}.csv") for name in ("train", "validation", "test")}

    def forward(texts: list[str]) -> torch.Tensor:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=64,
                          return_tensors="pt")
        hidden = encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1))

    def accuracy(name: str) -> float:
        texts, labels = splits[name]
        encoder.eval()
        right = 0
        with torch.no_grad():
            for i in range(0, len(texts), 64):
                right += (forward(texts[i:i + 64]).argmax(1) == torch.tensor(
                    labels[i:i + 64])).sum().item()
        return right / len(texts)

    def train(epochs: int, lr: float, params: list[nn.Parameter], warmup: float) -> None:
        texts, labels = splits["train"]
        optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        steps = epochs * ((len(texts) + 31) // 32)
        schedule = get_linear_schedule_with_warmup(optimizer, int(warmup * steps), steps) \
            if warmup else None
        for _ in range(epochs):
            encoder.train()
            order = torch.randperm(len(texts)).tolist()
            for i in range(0, len(order), 32):
                idx = order[i:i + 32]
                loss = nn.functional.cross_entropy(forward([texts[j] for j in idx]),
                                                   torch.tensor([labels[j] for j in idx]))
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                if schedule:
                    schedule.step()
            accuracy("validation")

    for p in encoder.parameters():
        p.requires_grad = False
    probe_start = time.perf_counter()
    train(3, 1e-3, list(head.parameters()), 0.0)
    probe = time.perf_counter() - probe_start
    for p in encoder.parameters():
        p.requires_grad = True
    full_start = time.perf_counter()
    train(3, 5e-5, list(encoder.parameters()) + list(head.parameters()), 0.1)
    full = time.perf_counter() - full_start
    print(json.dumps({"accuracy": accuracy("test"), "probe_s": probe, "full_s": full,
                      "total_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
