"""Image candidates: timm models, with preprocessing from the model's own pretrained config."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples
from evalspec.execute.models.candidate import Batch, Candidate, Encoded, Identity
from evalspec.execute.models.weights import load_into, load_state_dict
from evalspec.execute.training.feed import decode_all


def _to_image(item: Any) -> Any:
    from PIL import Image

    if isinstance(item, np.ndarray):
        return Image.fromarray(item).convert("RGB")
    with Image.open(item) as image:
        return image.convert("RGB")


class VisionCandidate(Candidate):
    """A timm model split at its classifier: `forward_features` + pooling, then the head."""

    def __init__(self, model: nn.Module, identity: Identity, transform: Any):
        super().__init__(model, cast(Any, model).get_classifier(), identity)
        self.transform = transform

    def encode(self, examples: Examples) -> Encoded:
        return Encoded(decode_all(self._pixels, examples.inputs["image"]))

    def _pixels(self, item: Any) -> torch.Tensor:
        return cast(torch.Tensor, self.transform(_to_image(item)))

    def collate(self, items: Sequence[torch.Tensor]) -> Batch:
        return {"pixels": torch.stack(list(items))}

    def features(self, batch: Batch) -> torch.Tensor:
        model: Any = self.backbone
        return model.forward_head(model.forward_features(batch["pixels"]), pre_logits=True)

    def forward(self, batch: Batch) -> torch.Tensor:
        return self.head(self.features(batch))

    def blocks(self) -> list[nn.Module]:
        from timm.models import group_modules

        model: Any = self.backbone
        groups = group_modules(model, model.group_matcher(coarse=True))
        named = dict(model.named_modules())
        ordered = [names for g, names in sorted(groups.items()) if g >= 0]
        blocks: list[nn.Module] = []
        for names in ordered:
            modules = [named[n] for n in names if n in named]
            if modules and not any(m is self.head for m in modules):
                blocks.append(nn.ModuleList(modules))
        return blocks[1:] if len(blocks) > 1 else blocks  # the first group is the stem


def timm_candidate(arch: str, *, outputs: int, weights: Path | None, pretrained: bool,
                   image_size: int | None, identity: Identity) -> VisionCandidate:
    """A timm model with a new classifier (`reset_classifier`); weights from the hub, a file,
    or none (scratch)."""
    import timm
    from timm.data import create_transform, resolve_model_data_config

    if arch not in timm.list_models(pretrained=False) and arch.split(".")[0] not in \
            timm.list_models(pretrained=False):
        raise RunError(f"`{arch}` is not a timm architecture; `timm.list_models()` lists them",
                       "ES502")
    try:
        model: Any = timm.create_model(arch, pretrained=pretrained and weights is None)
    except Exception as error:  # noqa: BLE001 - hub or file errors surface as one message
        raise RunError(f"timm model `{arch}` could not be created: {error}", "ES502") from None
    notes: list[str] = []
    if weights is not None:
        classifier = model.default_cfg.get("classifier", "classifier")
        notes = load_into(model, load_state_dict(weights), str(weights), (classifier,),
                          ordered=weights.suffix != ".safetensors")
    model.reset_classifier(outputs)
    config = resolve_model_data_config(model)
    if image_size is not None:
        config["input_size"] = (3, image_size, image_size)
    transform = create_transform(**config, is_training=False)
    identity.details.update(
        architecture=arch, image_size=config["input_size"][-1], mean=list(config["mean"]),
        std=list(config["std"]), interpolation=config.get("interpolation"), notes=notes)
    return VisionCandidate(model, identity, transform)
