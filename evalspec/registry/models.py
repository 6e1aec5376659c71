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
    modality: str  # text | tabular
    args: tuple[str, ...]  # the size arguments it takes
    description: str


SCRATCH_ARCHS: Registry[ScratchArch] = Registry("scratch architecture")
for _arch in (
        ScratchArch("transformer", "text", ("layers", "hidden", "heads"),
                    "a BERT-style encoder with a word vocabulary from the training split"),
        ScratchArch("lstm", "text", ("layers", "hidden", "bidirectional"),
                    "an LSTM over word embeddings"),
        ScratchArch("gru", "text", ("layers", "hidden", "bidirectional"),
                    "a GRU over word embeddings"),
        ScratchArch("mlp", "tabular", ("layers", "hidden"),
                    "a multi-layer perceptron on standardised numeric features"),
):
    SCRATCH_ARCHS.add(_arch)
SCRATCH_ARGS = ("layers", "hidden", "heads", "bidirectional")  # every size argument
TIMM_MODALITY = "image"  # scratch(NAME) for any other NAME, and `arch = …` weights files


@dataclass(frozen=True)
class ModelSource:
    name: str
    accepts: str  # what it takes, in the user's words
    modalities: tuple[str, ...]  # inputs it fits; several: decided by what its files hold
    identified_by: str  # what keys the cache: hub id + revision | name | weight files | args
    builder: str  # `module:function` building its candidate
    locate: Callable[[Any, Path], Path | None] | None = None  # its files on disk, if local

    def modality(self, source: Any) -> str:
        """The input a written source takes; `any` when its files decide (a local folder)."""
        if self.name == "scratch":
            arch = SCRATCH_ARCHS.get(source.arch)
            return arch.modality if arch is not None else TIMM_MODALITY
        if getattr(source, "arch", None):
            return TIMM_MODALITY
        return self.modalities[0] if len(self.modalities) == 1 else "any"


MODEL_SOURCES: Registry[ModelSource] = Registry("model source")
BUILDERS = "evalspec.execute.models.builders"
for _source in (
        ModelSource("hf", "a Hugging Face hub id (BERT- or GPT-style), optionally a revision",
                    ("text",), "hub id and revision", f"{BUILDERS}:hub"),
        ModelSource("timm", "a timm model name with its pretrained weights", ("image",),
                    "timm name", f"{BUILDERS}:timm"),
        ModelSource("path", "a local Hugging Face folder, or a weights file with `arch`",
                    ("text", "image"), "sha256 of its weight files", f"{BUILDERS}:local",
                    locations.path_location),
        ModelSource("package", "a model folder or file inside an installed Python package",
                    ("text", "image"), "sha256 of its weight files", f"{BUILDERS}:local",
                    locations.package_location),
        ModelSource("scratch", "an architecture initialised at random: the control",
                    ("text", "tabular", "image"), "architecture and sizes",
                    f"{BUILDERS}:scratch"),
):
    MODEL_SOURCES.add(_source)


def modality_of(source: Any) -> str:
    """text, image, tabular, or any (a local folder: decided by what it holds)."""
    return MODEL_SOURCES[source.fn].modality(source)


def model_location(model: Any, base_dir: Path) -> Path | None:
    """The file or folder of a local model (`path(…)` relative to the spec's folder,
    `package(…)` inside the installed package); None for hub, timm and scratch models, or
    a package that is not installed."""
    locate = MODEL_SOURCES[model.source.fn].locate
    return locate(model.source, base_dir) if locate is not None else None
