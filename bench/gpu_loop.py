"""The baseline for bench_gpu.py: a raw PyTorch fine-tuning loop, written for speed.

It reads FOLDER/protocol.json (what to train) and the split files beside it: train,
validation and test as CSV files (text) or PNG class folders (image). The data is
tokenized, or decoded and transformed, once up front; each batch is gathered, pinned and
copied with `non_blocking=True`. Text batches are grouped by length as evalspec groups
them and cut to their longest example, so both sides pad alike. Training runs under bf16
autocast on a CUDA device that supports it (fp32 on the CPU), with fused AdamW on CUDA and
no host sync inside an epoch. The head-only stage keeps the backbone frozen in eval mode
and forwards it under no_grad every step. As evalspec does, every stage validates after
each epoch and ends on its epoch of lowest validation loss, and biases and normalisation
weights get no weight decay. The image model loads the same weights file the same way as
evalspec (`evalspec.execute.models.weights`: converted to timm's names by position; the
only use of evalspec here) and sees the same inputs (timm's eval transform for the
architecture at the protocol's size: grey to RGB, bicubic resize, centre crop,
(x - 0.5) / 0.5). Prints one JSON line: accuracy, each stage's seconds, epochs and
examples, full-stage examples/s and peak memory (CUDA: the allocator's peak; CPU: the
process's maximum resident memory).

    python bench/gpu_loop.py FOLDER [--device cuda|cpu] [--compile]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

INFERENCE_BATCH = 64
WINDOW = 50  # training batches per length-sorting window, as in evalspec
Inputs = dict[str, torch.Tensor]


class Split:
    """A split's encoded inputs and labels, held whole on the host."""

    def __init__(self, inputs: Inputs, labels: torch.Tensor, lengths: torch.Tensor | None):
        self.inputs, self.labels, self.lengths = inputs, labels, lengths

    def __len__(self) -> int:
        return len(self.labels)

    def batch(self, indices: torch.Tensor, device: torch.device
              ) -> tuple[Inputs, torch.Tensor]:
        """The examples at `indices` on the device (text cut to the longest of them)."""
        if self.lengths is None:
            inputs = {k: v[indices] for k, v in self.inputs.items()}
        else:
            width = int(self.lengths[indices].max())
            inputs = {k: v[indices, :width] for k, v in self.inputs.items()}
        return ({k: to_device(v, device) for k, v in inputs.items()},
                to_device(self.labels[indices], device))

    def batches(self, size: int, device: torch.device, generator: torch.Generator | None = None
                ) -> Iterator[tuple[Inputs, torch.Tensor]]:
        """Every example once, batched as evalspec batches so that both pad alike: for
        training shuffled by `generator` (text sorted by length within windows of WINDOW
        batches, then the batches shuffled); for evaluation in order (text longest first)."""
        if generator is None:
            order = torch.arange(len(self)) if self.lengths is None else \
                torch.argsort(self.lengths, descending=True, stable=True)
            groups = list(order.split(size))
        else:
            order = torch.randperm(len(self), generator=generator)
            if self.lengths is None:
                groups = list(order.split(size))
            else:
                groups = [batch for window in order.split(size * WINDOW) for batch in
                          window[torch.argsort(self.lengths[window], stable=True)].split(size)]
                groups = [groups[i] for i in torch.randperm(len(groups), generator=generator)]
        for indices in groups:
            yield self.batch(indices, device)


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    if device.type != "cuda":
        return tensor
    return tensor.pin_memory().to(device, non_blocking=True)


class MeanPooled(nn.Module):
    """A Hugging Face encoder's last hidden states, mean-pooled over the real tokens."""

    def __init__(self, encoder: nn.Module):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def text_model(protocol: dict[str, Any], folder: Path
               ) -> tuple[nn.Module, nn.Module, dict[str, Split]]:
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(protocol["model"])
    encoder = AutoModel.from_pretrained(protocol["model"])
    splits = {}
    for name in ("train", "validation", "test"):
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        tokens = tokenizer([r["sentence"] for r in rows], truncation=True, padding="longest",
                           max_length=protocol["size"], return_tensors="pt")
        inputs = {"input_ids": tokens["input_ids"], "attention_mask": tokens["attention_mask"]}
        labels = torch.tensor([int(r["label"] == "positive") for r in rows])
        splits[name] = Split(inputs, labels, tokens["attention_mask"].sum(1))
    head = nn.Sequential(nn.Dropout(0.1), nn.Linear(encoder.config.hidden_size, 2))
    return MeanPooled(encoder), head, splits


def image_model(protocol: dict[str, Any], folder: Path
                ) -> tuple[nn.Module, nn.Module, dict[str, Split]]:
    import timm
    from PIL import Image
    from timm.data import create_transform, resolve_model_data_config

    from evalspec.execute.models.weights import load_into, load_state_dict

    backbone = timm.create_model(protocol["arch"])
    weights = Path(protocol["model"])
    load_into(backbone, load_state_dict(weights), str(weights),
              (backbone.default_cfg.get("classifier", "classifier"),))
    backbone.reset_classifier(0)  # the backbone returns pooled features
    config = resolve_model_data_config(backbone)
    config["input_size"] = (3, protocol["size"], protocol["size"])
    transform = create_transform(**config, is_training=False)
    classes = sorted(p.name for p in (folder / "train").iterdir() if p.is_dir())
    splits = {}
    for name in ("train", "validation", "test"):
        files = [(path, i) for i, label in enumerate(classes)
                 for path in sorted((folder / name / label).glob("*.png"))]
        pixels = []
        for path, _ in files:
            with Image.open(path) as image:
                pixels.append(transform(image.convert("RGB")))
        splits[name] = Split({"x": torch.stack(pixels)},
                             torch.tensor([i for _, i in files]), None)
    return backbone, nn.Linear(backbone.num_features, len(classes)), splits


def autocast(device: torch.device) -> Any:
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)


def schedule_factor(stage: dict[str, Any], total: int) -> Any:
    """evalspec's schedule: linear warmup, then constant, linear or cosine decay."""
    warmup = int(round(stage["warmup"] * total))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if stage["schedule"] == "constant":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        if stage["schedule"] == "linear":
            return max(0.0, 1.0 - progress)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor


class Loop:
    """Trains backbone + head through the protocol's stages on one device."""

    def __init__(self, backbone: nn.Module, head: nn.Module, splits: dict[str, Split],
                 protocol: dict[str, Any], device: torch.device):
        self.backbone, self.head = backbone.to(device), head.to(device)
        self.splits, self.protocol, self.device = splits, protocol, device

    def logits(self, inputs: Inputs, frozen: bool) -> torch.Tensor:
        if frozen:
            with torch.no_grad():
                features = self.backbone(**inputs)
            return self.head(features)
        return self.head(self.backbone(**inputs))

    @torch.inference_mode()
    def evaluate(self, name: str) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on a split."""
        self.backbone.eval()
        self.head.eval()
        loss = torch.zeros((), device=self.device)
        right = torch.zeros((), device=self.device, dtype=torch.long)
        for inputs, labels in self.splits[name].batches(INFERENCE_BATCH, self.device):
            with autocast(self.device):
                logits = self.head(self.backbone(**inputs)).float()
            loss += nn.functional.cross_entropy(logits, labels, reduction="sum")
            right += (logits.argmax(1) == labels).sum()
        count = len(self.splits[name])
        return loss.item() / count, right.item() / count

    def optimizer(self, stage: dict[str, Any]) -> torch.optim.Optimizer:
        modules = [self.head] if stage["train"] == "head" else [self.backbone, self.head]
        params = [p for m in modules for p in m.parameters()]
        decay = self.protocol["weight_decay"]
        groups = [{"params": [p for p in params if p.ndim > 1], "weight_decay": decay},
                  {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=stage["lr"], fused=self.device.type == "cuda")

    def stage(self, index: int, stage: dict[str, Any]) -> dict[str, Any]:
        """One stage, timed from its optimizer to its best epoch restored."""
        self.sync()
        started = time.perf_counter()
        frozen = stage["train"] == "head"
        self.backbone.requires_grad_(not frozen)
        kept = self.head if frozen else nn.ModuleList([self.backbone, self.head])
        train, size = self.splits["train"], self.protocol["batch_size"]
        optimizer = self.optimizer(stage)
        total = stage["epochs"] * math.ceil(len(train) / size)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule_factor(stage, total))
        best, best_state = math.inf, None
        for epoch in range(stage["epochs"]):
            self.backbone.train(not frozen)
            self.head.train()
            generator = torch.Generator().manual_seed(1000 * index + epoch)
            for inputs, labels in train.batches(size, self.device, generator):
                with autocast(self.device):
                    loss = nn.functional.cross_entropy(self.logits(inputs, frozen), labels)
                loss.backward()
                optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
            val_loss, _ = self.evaluate("validation")
            if val_loss < best:
                best = val_loss
                best_state = {k: v.detach().clone() for k, v in kept.state_dict().items()}
        if best_state is not None:
            kept.load_state_dict(best_state)
        self.sync()
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "epochs": stage["epochs"],
                "examples": stage["epochs"] * len(train)}

    def sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)


def peak_memory(device: torch.device) -> tuple[float, str]:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20, "cuda allocator"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "process max RSS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--compile", action="store_true", help="torch.compile the backbone")
    args = parser.parse_args()
    protocol = json.loads((args.folder / "protocol.json").read_text())
    device = torch.device(args.device)
    torch.manual_seed(0)
    build = text_model if protocol["kind"] == "text" else image_model
    backbone, head, splits = build(protocol, args.folder)
    if args.compile:
        backbone.compile()
    loop = Loop(backbone, head, splits, protocol, device)
    stages = {s["name"]: loop.stage(i, s) for i, s in enumerate(protocol["stages"])}
    _, accuracy = loop.evaluate("test")
    full = stages[protocol["stages"][-1]["name"]]
    peak, scope = peak_memory(device)
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    print(json.dumps({
        "accuracy": accuracy, "stages": stages,
        "examples_trained": sum(s["examples"] for s in stages.values()),
        "full_per_second": full["examples"] / full["seconds"],
        "peak_mib": peak, "peak_scope": scope,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__, "precision": "bf16 autocast" if bf16 else "fp32"}))


if __name__ == "__main__":
    main()
