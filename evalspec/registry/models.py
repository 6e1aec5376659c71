"""Model sources as data: what each `source = …` call accepts, which inputs it fits, how it
is identified for the cache, and the one builder that makes its candidate (lazy: the
builders live in execute/models/ and import torch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalspec import locations
from evalspec.registry.base import Registry


@dataclass(frozen=True)
class ScratchArch:
    """A built-in architecture `scratch(…)` can initialise; any other name is a timm model."""

    name: str
    modalities: tuple[str, ...]  # text | audio | tabular: the inputs it reads
    args: tuple[str, ...]  # the size arguments it takes
    description: str


SCRATCH_ARCHS: Registry[ScratchArch] = Registry("scratch architecture")
for _arch in (
        ScratchArch("transformer", ("text",), ("layers", "hidden", "heads"),
                    "a BERT-style encoder with a word vocabulary from the training split"),
        ScratchArch("lstm", ("text", "audio"), ("layers", "hidden", "bidirectional"),
                    "an LSTM over word embeddings, or over log-mel frames of audio"),
        ScratchArch("gru", ("text", "audio"), ("layers", "hidden", "bidirectional"),
                    "a GRU over word embeddings, or over log-mel frames of audio"),
        ScratchArch("mlp", ("tabular",), ("layers", "hidden"),
                    "a multi-layer perceptron on standardised numeric features"),
):
    SCRATCH_ARCHS.add(_arch)
SCRATCH_ARGS = ("layers", "hidden", "heads", "bidirectional")  # every size argument
TIMM_MODALITY = "image"  # scratch(NAME) for any other NAME, and `arch = …` weights files
EVERY_INPUT = ("text", "image", "audio", "tabular")  # a local folder: what it holds decides


@dataclass(frozen=True)
class WeightsLayout:
    """A pretrained checkpoint layout that is not a timm model: `arch = NAME` on a bare
    weights file says how to build the network, and what input it was trained on."""

    name: str
    modality: str
    description: str
    builder: str  # `module:function(weights, *, outputs, per_frame, max_seconds, augment,
    #                identity)` making its candidate


WEIGHTS_LAYOUTS: Registry[WeightsLayout] = Registry("weights layout")
WEIGHTS_LAYOUTS.add(WeightsLayout(
    "resemblyzer", "audio", "the Resemblyzer (GE2E) speaker encoder: 3 LSTM layers of 256 "
    "over 40-band mel power frames at 16 kHz (`resemblyzer/pretrained.pt`)",
    "evalspec.execute.models.audio:resemblyzer_candidate"))


@dataclass(frozen=True)
class ModelSource:
    name: str
    accepts: str  # what it takes, in the user's words
    modalities: tuple[str, ...]  # inputs it fits; several: decided by what its files hold
    identified_by: str  # what keys the cache: hub id + revision | name | weight files | args
    builder: str  # `module:function` building its candidate
    locate: Callable[[Any, Path], Path | None] | None = None  # its files on disk, if local
    hub_id: str | None = None  # the argument naming a Hugging Face hub id, if it takes one

    def fits(self, source: Any) -> tuple[str, ...]:
        """The inputs a written source can take; several when its files decide (a local
        folder, a hub id)."""
        if self.name == "scratch":
            arch = SCRATCH_ARCHS.get(source.arch)
            return arch.modalities if arch is not None else (TIMM_MODALITY,)
        if arch_name := getattr(source, "arch", None):
            layout = WEIGHTS_LAYOUTS.get(arch_name)
            return (layout.modality,) if layout is not None else (TIMM_MODALITY,)
        return EVERY_INPUT if self.locate is not None else self.modalities


MODEL_SOURCES: Registry[ModelSource] = Registry("model source")
BUILDERS = "evalspec.execute.models.builders"
for _source in (
        ModelSource("hf", "a Hugging Face hub id (a BERT- or GPT-style text model, a "
                    "wav2vec2-style audio model), optionally a revision",
                    ("text", "audio"), "hub id and revision", f"{BUILDERS}:hub", hub_id="id"),
        ModelSource("timm", "a timm model name with its pretrained weights", ("image",),
                    "timm name", f"{BUILDERS}:timm"),
        ModelSource("path", "a local Hugging Face folder, or a weights file with `arch`",
                    ("text", "image", "audio"), "sha256 of its weight files", f"{BUILDERS}:local",
                    locations.path_location),
        ModelSource("package", "a model folder or file inside an installed Python package",
                    ("text", "image", "audio"), "sha256 of its weight files",
                    f"{BUILDERS}:local", locations.package_location),
        ModelSource("scratch", "an architecture initialised at random: the control",
                    ("text", "audio", "tabular", "image"), "architecture and sizes",
                    f"{BUILDERS}:scratch"),
):
    MODEL_SOURCES.add(_source)


def modalities_of(source: Any) -> tuple[str, ...]:
    """The inputs (text, image, audio, tabular) a model source can take; several when what
    its files hold decides."""
    return MODEL_SOURCES[source.fn].fits(source)


def model_location(model: Any, base_dir: Path) -> Path | None:
    """The file or folder of a local model (`path(…)` relative to the spec's folder,
    `package(…)` inside the installed package); None for hub, timm and scratch models, or
    a package that is not installed."""
    locate = MODEL_SOURCES[model.source.fn].locate
    return locate(model.source, base_dir) if locate is not None else None
