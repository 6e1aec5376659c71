"""Model spec → candidate: one builder per model source (named in registry/models.py), each
resolving where its weights are and which candidate family it makes."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.models.candidate import Candidate, Identity
from evalspec.plan.identity import weights_sha256
from evalspec.registry.models import (
    MODEL_SOURCES,
    SCRATCH_ARCHS,
    TIMM_MODALITY,
    WEIGHTS_LAYOUTS,
    model_location,
)
from evalspec.validate.model import Model, Task


@dataclass(frozen=True)
class Request:
    """What a builder is asked for: the model `name` as the spec wrote it, for a task with
    these data; `outputs` is the head's size, `per_token` whether it scores every word and
    `per_frame` every frame of a clip (all from the task's family)."""

    name: str
    model: Model
    data: TaskData
    outputs: int
    per_token: bool
    per_frame: bool
    base_dir: Path
    trust_remote_code: bool

    @property
    def kind(self) -> str:
        """`text`, `image`, `audio` or `features`: what the task's examples carry (words are
        text)."""
        for kind, key in (("text", "text"), ("text", "tokens"), ("image", "image"),
                          ("audio", "audio"), ("features", "features")):
            if key in self.data.train.inputs:
                return kind
        raise RunError(f"no supported input in the data (found {sorted(self.data.train.inputs)})",
                       "ES501")

    def require(self, wanted: str, what: str) -> None:
        if self.kind != wanted:
            raise RunError(f"model `{self.name}`: {what} need {wanted} inputs, but this task's "
                           f"data has {self.kind} inputs", "ES502")

    def identity(self) -> Identity:
        source = self.model.source
        return Identity(self.kind, source.fn, {"spec": source.model_dump()})


def build_candidate(name: str, model: Model, task: Task, data: TaskData, base_dir: Path,
                    *, trust_remote_code: bool = False) -> Candidate:
    """The candidate `name` for `task`, with a head sized by the task's family."""
    from evalspec.execute.families import plugin_for

    plugin = plugin_for(task.type)
    request = Request(name, model, data, plugin.outputs(data.labels), plugin.per_token,
                      plugin.per_frame, base_dir, trust_remote_code)
    if model.head == "pretrained" and request.kind != "text":
        raise RunError(f"model `{name}`: `head = pretrained` is supported for Hugging Face "
                       "text classifiers only; use `head = new`", "ES502")
    module, _, function = MODEL_SOURCES[model.source.fn].builder.partition(":")
    builder = getattr(importlib.import_module(module), function)
    candidate: Candidate = builder(request)
    return candidate


def _text(request: Request, location: str, revision: str | None, identity: Identity
          ) -> Candidate:
    from evalspec.execute.models import text, tokens

    model = request.model
    if request.per_token:
        return tokens.hf_token_candidate(
            location, revision=revision, labels=request.data.labels, outputs=request.outputs,
            max_length=model.max_length, pretrained_head=model.head == "pretrained",
            trust_remote_code=request.trust_remote_code, identity=identity)
    return text.hf_text_candidate(
        location, revision=revision, labels=request.data.labels, outputs=request.outputs,
        pooling=model.pooling, max_length=model.max_length,
        pretrained_head=model.head == "pretrained",
        trust_remote_code=request.trust_remote_code, identity=identity)


def _timm(request: Request, arch: str, weights: Path | None, pretrained: bool,
          identity: Identity) -> Candidate:
    from evalspec.execute.models import vision

    return vision.timm_candidate(arch, outputs=request.outputs, weights=weights,
                                 pretrained=pretrained, image_size=request.model.image_size,
                                 identity=identity)


def _audio(request: Request, location: str, revision: str | None, identity: Identity
           ) -> Candidate:
    from evalspec.execute.models import audio

    model = request.model
    return audio.hub_audio_candidate(
        location, revision=revision, outputs=request.outputs, per_frame=request.per_frame,
        rate=model.sample_rate if "sample_rate" in model.model_fields_set else None,
        max_seconds=model.max_seconds, trust_remote_code=request.trust_remote_code,
        identity=identity)


def hub(request: Request) -> Candidate:
    """`hf(id, revision)`: a Hugging Face hub text or audio model (or one in its local
    cache); the task's input decides which."""
    source = request.model.source
    identity = request.identity()
    identity.details["hub_id"] = source.id
    identity.details["revision"] = source.revision or "main"
    if request.kind == "audio":
        return _audio(request, source.id, source.revision, identity)
    request.require("text", "hf(…) text and audio models")
    return _text(request, source.id, source.revision, identity)


def timm(request: Request) -> Candidate:
    """`timm(name)`: a timm image model, with its pretrained weights unless told not to."""
    source = request.model.source
    request.require("image", "timm(…) image models")
    return _timm(request, source.name, None, source.pretrained, request.identity())


def local(request: Request) -> Candidate:
    """`path(…)` and `package(…)`: a Hugging Face text or audio folder, a timm folder (its
    config names the `architecture`), or a bare weights file with `arch` (a timm name or a
    layout in WEIGHTS_LAYOUTS)."""
    location = _local_location(request.model, request.base_dir)
    identity = request.identity()
    identity.details["weights_sha256"] = weights_sha256(location)
    config = location / "config.json"
    arch = getattr(request.model.source, "arch", None)
    if arch is not None and arch in WEIGHTS_LAYOUTS:
        return _layout(request, arch, location, identity)
    if location.is_dir() and config.exists() and "architecture" not in json.loads(
            config.read_text()):
        if request.kind == "audio":
            return _audio(request, str(location), None, identity)
        request.require("text", "Hugging Face text folders")
        return _text(request, str(location), None, identity)
    request.require("image", "weights files with a timm `arch`")
    weights = location
    if location.is_dir():
        arch = arch or json.loads(config.read_text())["architecture"]
        weights = next((location / f for f in ("model.safetensors", "pytorch_model.bin")
                        if (location / f).exists()), location / "model.safetensors")
    if not arch:
        raise RunError(f"model `{request.name}`: a bare weights file needs `arch = …` (a timm "
                       "architecture name)", "ES502")
    return _timm(request, arch, weights, False, identity)


def _layout(request: Request, arch: str, location: Path, identity: Identity) -> Candidate:
    """A bare weights file in one of the known non-timm layouts, built by its own builder."""
    layout = WEIGHTS_LAYOUTS[arch]
    request.require(layout.modality, f"`arch = {arch}` weights")
    if location.is_dir():
        raise RunError(f"model `{request.name}`: `arch = {arch}` names a weights file; "
                       f"{location} is a folder", "ES502")
    module, _, function = layout.builder.partition(":")
    model = request.model
    candidate: Candidate = getattr(importlib.import_module(module), function)(
        location, outputs=request.outputs, per_frame=request.per_frame,
        max_seconds=model.max_seconds, augment=model.spec_augment, identity=identity)
    return candidate


def _local_location(model: Model, base_dir: Path) -> Path:
    path = model_location(model, base_dir)
    if path is None:
        module = getattr(model.source, "module", "?")
        raise RunError(f"package `{module}` is not installed; `pip install {module}`", "ES502")
    if not path.exists():
        raise RunError(f"model path {path} does not exist", "ES502")
    return path


def scratch(request: Request) -> Candidate:
    """`scratch(arch, …)`: a randomly initialised control; text and tabular architectures
    are evalspec's own (registry/models.py), any other name a timm model."""
    from evalspec.execute.models import audio, tabular, text, tokens

    source, data, model = request.model.source, request.data, request.model
    arch = SCRATCH_ARCHS.get(source.arch)
    modalities = arch.modalities if arch is not None else (TIMM_MODALITY,)
    modality = request.kind if request.kind in modalities else modalities[0]
    identity = request.identity()
    if modality == "audio":
        return audio.scratch_audio_candidate(
            source.arch, outputs=request.outputs, per_frame=request.per_frame,
            layers=source.layers, hidden=source.hidden, bidirectional=source.bidirectional,
            rate=model.sample_rate, max_seconds=model.max_seconds,
            augment=model.spec_augment, identity=identity)
    if modality == "text" and request.per_token:
        request.require("text", f"scratch({source.arch})")
        return tokens.scratch_token_candidate(
            source.arch, data.train.inputs["tokens"], outputs=request.outputs,
            layers=source.layers, hidden=source.hidden, heads=source.heads,
            bidirectional=source.bidirectional, max_length=request.model.max_length,
            identity=identity)
    if modality == "text":
        request.require("text", f"scratch({source.arch})")
        return text.scratch_text_candidate(
            source.arch, data.train.inputs["text"] + data.train.inputs.get("text_pair", []),
            outputs=request.outputs, layers=source.layers, hidden=source.hidden,
            heads=source.heads, bidirectional=source.bidirectional,
            max_length=request.model.max_length, identity=identity)
    if modality == "tabular":
        request.require("features", f"scratch({source.arch})")
        return tabular.mlp_candidate(data.train, outputs=request.outputs, layers=source.layers,
                                     hidden=source.hidden, identity=identity)
    request.require("image", f"scratch({source.arch})")
    return _timm(request, source.arch, None, False, identity)
