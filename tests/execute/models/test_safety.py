"""Model files that could run code are refused, and nothing in them runs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from evalspec.errors import RunError
from evalspec.execute.data.examples import TaskData
from evalspec.execute.models.weights import load_state_dict
from tests import tiny

Build = Callable[..., Any]


def digits(weights: str) -> str:
    """Digits through a resnet10t whose weights are the file WEIGHTS."""
    return tiny.spec(
        tiny.task(tiny.builtin("digits"), name="digits", type="image_classification",
                  split=tiny.holdout(test="20%", validation="10%")),
        tiny.model("evil", tiny.path(weights, arch="resnet10t"), image_size=32),
        finetune=tiny.finetune(tiny.probe(lr="1e-3")))


def sentiment(data_dir: Path, model: Path) -> str:
    """The reviews through the Hugging Face folder MODEL."""
    return tiny.spec(tiny.task(tiny.reviews(data_dir / "reviews.csv")),
                     tiny.model("encoder", tiny.path(model), max_length=32),
                     finetune=tiny.finetune(tiny.probe(lr="1e-3")))


class CreatesMarker:
    """Unpickling this calls `open(marker, "w")`: a stand-in for arbitrary code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


def test_a_pickle_that_would_run_code_is_refused_with_exit_3(
        resnet_weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from safetensors.torch import load_file

    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"state_dict": load_file(str(resnet_weights)), "payload": CreatesMarker(marker)},
               evil)
    spec = tiny.write(tmp_path, digits("evil.pt"))
    assert tiny.run(spec, tmp_path / "out") == 3
    error = capsys.readouterr().err
    assert "evil.pt: refused to load" in error and "safetensors" in error
    assert not marker.exists()
    with pytest.raises(RunError) as caught:
        load_state_dict(evil)
    assert caught.value.code == "ES503"
    assert not marker.exists()


def test_a_plain_tensor_checkpoint_loads(resnet_weights: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    saved = load_file(str(resnet_weights))
    torch.save({"state_dict": saved, "epoch": 3}, tmp_path / "checkpoint.pt")  # no objects
    loaded = load_state_dict(tmp_path / "checkpoint.pt")
    torch.testing.assert_close(loaded["conv1.0.weight"], saved["conv1.0.weight"])
    torch.save(list(saved.values()), tmp_path / "tensors.pt")
    with pytest.raises(RunError, match="no state_dict of tensors"):
        load_state_dict(tmp_path / "tensors.pt")


def _bin_folder(bert_dir: Path, folder: Path, extra: dict[str, Any] | None = None) -> Path:
    from safetensors.torch import load_file

    shutil.copytree(bert_dir, folder)
    state = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    torch.save({**state, **(extra or {})}, folder / "pytorch_model.bin")
    return folder


def test_a_bin_only_hugging_face_folder_loads_its_tensors(
        build: Build, bert_dir: Path, text_data: TaskData, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    folder = _bin_folder(bert_dir, tmp_path / "bin_only")
    candidate = build({"fn": "path", "path": str(folder)}, text_data, max_length=32)
    assert "pytorch_model.bin" in candidate.identity.details["weights_sha256"]
    expected = load_file(str(bert_dir / "model.safetensors"))
    loaded = candidate.backbone.state_dict()
    for name in ("embeddings.word_embeddings.weight", "encoder.layer.1.output.dense.weight"):
        torch.testing.assert_close(loaded[name], expected[name], rtol=0, atol=0)


def test_a_bin_folder_holding_objects_is_refused_with_exit_3(
        bert_dir: Path, data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    folder = _bin_folder(bert_dir, tmp_path / "evil_bin", {"payload": CreatesMarker(marker)})
    spec = tiny.write(tmp_path, sentiment(data_dir, folder))
    assert tiny.run(spec, tmp_path / "out") == 3
    error = capsys.readouterr().err
    assert "refused to load" in error and "internal error" not in error
    assert not marker.exists()


def test_remote_code_is_refused_unless_trusted(
        bert_dir: Path, data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "remote_code_ran"
    folder = tmp_path / "custom"
    shutil.copytree(bert_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="evalspec_custom",
                  auto_map={"AutoConfig": "custom.CustomConfig",
                            "AutoModel": "custom.CustomModel"})
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "custom.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "from transformers import BertConfig, BertModel\n"
        "class CustomConfig(BertConfig):\n    model_type = 'evalspec_custom'\n"
        "class CustomModel(BertModel):\n    config_class = CustomConfig\n")
    spec = tiny.write(tmp_path, sentiment(data_dir, folder))
    assert tiny.run(spec, tmp_path / "out") == 3
    error = capsys.readouterr().err
    assert "custom code" in error and "--trust-remote-code" in error
    assert not marker.exists()


@pytest.mark.parametrize(("flags", "trusted"), [((), False), (("--trust-remote-code",), True)])
def test_trust_remote_code_reaches_from_pretrained_only_when_asked(
        bert_dir: Path, data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], trusted: bool) -> None:
    import transformers

    seen: list[tuple[str, Any]] = []
    for loader in (transformers.AutoTokenizer, transformers.AutoModel):
        original = loader.from_pretrained

        def record(*args: Any, _original: Any = original, _name: str = loader.__name__,
                   **kwargs: Any) -> Any:
            seen.append((_name, kwargs.get("trust_remote_code")))
            return _original(*args, **kwargs)
        monkeypatch.setattr(loader, "from_pretrained", record)
    spec = tiny.write(tmp_path, sentiment(data_dir, bert_dir))
    assert tiny.run(spec, tmp_path / "out", *flags) == 0
    assert sorted(seen) == [("AutoModel", trusted), ("AutoTokenizer", trusted)]
