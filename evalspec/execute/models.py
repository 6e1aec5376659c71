"""Model spec → candidate: resolves where the weights are and which family builds it."""

from __future__ import annotations

import json
from pathlib import Path

from evalspec.errors import RunError
from evalspec.execute.candidate import Candidate, Identity
from evalspec.execute.examples import TaskData
from evalspec.locations import model_location
from evalspec.plan.identity import weights_sha256
from evalspec.validate.model import Model, Task

TEXT_SCRATCH = ("transformer", "lstm", "gru")


def input_kind(data: TaskData) -> str:
    """`text`, `image` or `features`: what the task's examples carry."""
    for kind in ("text", "image", "features"):
        if kind in data.train.inputs:
            return kind
    raise RunError(f"no supported input in the data (found {sorted(data.train.inputs)})",
                   "ES501")


def _local_location(model: Model, base_dir: Path) -> Path:
    path = model_location(model, base_dir)
    if path is None:
        module = getattr(model.source, "module", "?")
        raise RunError(f"package `{module}` is not installed; `pip install {module}`", "ES502")
    if not path.exists():
        raise RunError(f"model path {path} does not exist", "ES502")
    return path


def build_candidate(name: str, model: Model, task: Task, data: TaskData, base_dir: Path,
                    *, trust_remote_code: bool = False) -> Candidate:
    """The candidate `name` for `task`, with a head sized for its labels."""
    from evalspec.execute import text, vision

    kind = input_kind(data)
    if model.head == "pretrained" and kind != "text":
        raise RunError(f"model `{name}`: `head = pretrained` is supported for Hugging Face "
                       "text classifiers only; use `head = new`", "ES502")
    outputs = len(data.labels) if task.type != "regression" else 1
    source = model.source
    identity = Identity(kind, source.fn, {"spec": source.model_dump()})
    common_text = dict(labels=data.labels, outputs=outputs, pooling=model.pooling,
                       max_length=model.max_length, pretrained_head=model.head == "pretrained",
                       trust_remote_code=trust_remote_code, identity=identity)
    if source.fn == "hf":
        _require(kind, "text", name, "hf(…) text models")
        identity.details["hub_id"] = source.id
        identity.details["revision"] = source.revision or "main"
        return text.hf_text_candidate(source.id, revision=source.revision,
                                      **common_text)  # type: ignore[arg-type]
    if source.fn == "timm":
        _require(kind, "image", name, "timm(…) image models")
        return vision.timm_candidate(source.name, outputs=outputs, weights=None,
                                     pretrained=source.pretrained, image_size=model.image_size,
                                     identity=identity)
    if source.fn == "scratch":
        return _scratch(name, model, data, kind, outputs, identity)
    location = _local_location(model, base_dir)
    identity.details["weights_sha256"] = weights_sha256(location)
    config = location / "config.json"
    if location.is_dir() and config.exists() and "architecture" not in json.loads(
            config.read_text()):
        _require(kind, "text", name, "Hugging Face text folders")
        return text.hf_text_candidate(str(location), revision=None,
                                      **common_text)  # type: ignore[arg-type]
    _require(kind, "image", name, "weights files with a timm `arch`")
    arch = getattr(source, "arch", None)
    weights = location
    if location.is_dir():
        arch = arch or json.loads(config.read_text())["architecture"]
        weights = next((location / f for f in ("model.safetensors", "pytorch_model.bin")
                        if (location / f).exists()), location / "model.safetensors")
    if not arch:
        raise RunError(f"model `{name}`: a bare weights file needs `arch = …` (a timm "
                       "architecture name)", "ES502")
    return vision.timm_candidate(arch, outputs=outputs, weights=weights, pretrained=False,
                                 image_size=model.image_size, identity=identity)


def _scratch(name: str, model: Model, data: TaskData, kind: str, outputs: int,
             identity: Identity) -> Candidate:
    from evalspec.execute import tabular, text, vision

    source = model.source
    if source.arch in TEXT_SCRATCH:
        _require(kind, "text", name, f"scratch({source.arch})")
        return text.scratch_text_candidate(
            source.arch, data.train.inputs["text"] + data.train.inputs.get("text_pair", []),
            outputs=outputs, layers=source.layers, hidden=source.hidden, heads=source.heads,
            bidirectional=source.bidirectional, max_length=model.max_length, identity=identity)
    if source.arch == "mlp":
        _require(kind, "features", name, "scratch(mlp)")
        return tabular.mlp_candidate(data.train, outputs=outputs, layers=source.layers,
                                     hidden=source.hidden, identity=identity)
    _require(kind, "image", name, f"scratch({source.arch})")
    return vision.timm_candidate(source.arch, outputs=outputs, weights=None, pretrained=False,
                                 image_size=model.image_size, identity=identity)


def _require(kind: str, wanted: str, name: str, what: str) -> None:
    if kind != wanted:
        raise RunError(f"model `{name}`: {what} need {wanted} inputs, but this task's data has "
                       f"{kind} inputs", "ES502")
