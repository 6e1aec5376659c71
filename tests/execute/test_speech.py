"""Speech end to end: audio classification (LSTM/GRU on log-mel, the Resemblyzer encoder),
CTC recognition (scratch GRU, a tiny wav2vec2 saved locally), transcripts and decoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from evalspec.execute.data.transcripts import characters, normalize
from evalspec.execute.families.speech import Ctc, greedy_transcript
from evalspec.validate.model import Normalize
from tests import tiny
from tests.execute import speech_data

pytestmark = pytest.mark.slow

FINETUNE = """finetune {
  batch_size = 16
  stage probe {
    train  = head
    epochs = 2
    lr     = 3e-3
  }
  stage all {
    train  = all
    epochs = EPOCHS
    lr     = LR
  }
}
"""


def _splits(fn: str, root: Path, **columns: str) -> str:
    args = "".join(f", {k} = {tiny.quoted(v)}" for k, v in columns.items())
    return "".join(f"  {split:10} = {fn}({tiny.quoted(root / name)}{args})\n"
                   for split, name in (("train", "train"), ("validation", "validation"),
                                       ("test", "test")))


def test_audio_classification_ranks_recurrent_and_pretrained_encoders(
        tmp_path: Path, run_tiny) -> None:
    speech_data.tone_classes(tmp_path / "tones", {"train": 24, "validation": 6, "test": 10})
    spec = ("evalspec 1\n\ntask tones {\n  type = audio_classification\n"
            + _splits("audio", tmp_path / "tones") + "}\n\n"
            "model gru {\n  source = scratch(gru, hidden = 32, layers = 1)\n}\n\n"
            "model lstm {\n  source = scratch(lstm, hidden = 32, bidirectional = false)\n"
            "  spec_augment = true\n}\n\n"
            'model voice {\n  source = package("resemblyzer", "pretrained.pt", '
            'arch = resemblyzer)\n}\n\n'
            + FINETUNE.replace("EPOCHS", "3").replace("LR", "1e-3")
            + "\nmetrics {\n  accuracy\n  params\n}\n\nreport {\n  formats = [json]\n}\n")
    results = run_tiny(spec)
    cells = {c["model"]: c for c in results["cells"]}
    assert set(cells) == {"gru", "lstm", "voice"}
    assert cells["voice"]["test"]["accuracy"]["value"] >= 0.9  # pretrained: tones are easy
    assert cells["voice"]["identity"]["details"]["architecture"] == "resemblyzer"
    assert cells["voice"]["stages"][0]["backbone_passes"] == 2  # frozen: features once
    predictions = tiny.predictions(tmp_path / "out", cells["gru"])
    assert {p["true"] for p in predictions} == {"low", "high"}
    assert len(results["tasks"]["tones"]["leaderboard"]) == 3


def test_ctc_recognition_with_a_scratch_gru_learns_to_spell(tmp_path: Path, run_tiny) -> None:
    speech_data.spelled_words(tmp_path / "words", {"train": 80, "validation": 12, "test": 16})
    spec = ("evalspec 1\n\ntask spell {\n  type = speech_recognition\n"
            + _splits("csv", tmp_path / "words", audio="audio", transcript="transcript")
            .replace('words/train"', 'words/train.csv"')
            .replace('words/validation"', 'words/validation.csv"')
            .replace('words/test"', 'words/test.csv"') + "}\n\n"
            "model gru {\n  source = scratch(gru, hidden = 64, layers = 2)\n}\n\n"
            + FINETUNE.replace("EPOCHS", "14").replace("LR", "3e-3")
            + "\nmetrics {\n  cer\n  wer\n}\n\nreport {\n  formats = [json]\n}\n")
    results = run_tiny(spec)
    cell = results["cells"][0]
    assert cell["test"]["cer"]["value"] < 0.6  # chance spelling is far above 1
    predictions = tiny.predictions(tmp_path / "out", cell)
    assert all(isinstance(p["pred"], str) for p in predictions)
    assert all(set(p["true"]) <= set("abc ") for p in predictions)  # normalised references
    assert results["tasks"]["spell"]["labels"] == [" ", "a", "b", "c"]


def test_a_tiny_wav2vec2_saved_locally_trains_with_ctc_and_decodes(tmp_path: Path,
                                                                   run_tiny) -> None:
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC

    config = Wav2Vec2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=64, conv_dim=(32, 32, 32),
                            conv_stride=(5, 4, 4), conv_kernel=(10, 4, 4),
                            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
                            vocab_size=8, feat_extract_norm="layer")
    torch.manual_seed(0)
    Wav2Vec2ForCTC(config).save_pretrained(tmp_path / "w2v")
    Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True,
                             return_attention_mask=True).save_pretrained(tmp_path / "w2v")
    speech_data.spelled_words(tmp_path / "words", {"train": 24, "validation": 6, "test": 8})
    spec = ("evalspec 1\n\ntask spell {\n  type = speech_recognition\n"
            f'  train = csv({tiny.quoted(tmp_path / "words/train.csv")}, audio = "audio", '
            'transcript = "transcript")\n'
            f'  test = csv({tiny.quoted(tmp_path / "words/test.csv")}, audio = "audio", '
            'transcript = "transcript")\n}\n\n'
            f"model w2v {{\n  source = path({tiny.quoted(tmp_path / 'w2v')})\n}}\n\n"
            "finetune {\n  batch_size = 8\n  stage all {\n    train = all\n    epochs = 2\n"
            "    lr = 1e-3\n  }\n}\n\nmetrics {\n  wer\n  cer\n}\n\n"
            "report {\n  formats = [json]\n}\n")
    results = run_tiny(spec)
    cell = results["cells"][0]
    assert cell["identity"]["details"]["architecture"] == "wav2vec2"
    assert cell["test"]["cer"]["value"] is not None
    predictions = tiny.predictions(tmp_path / "out", cell)
    assert len(predictions) == 8 and all(isinstance(p["pred"], str) for p in predictions)


# --------------------------------------------------------------------------- pieces
@pytest.mark.parametrize(("text", "rule", "expected"), [
    ("Turn ON the light!", {}, "turn on the light"),
    ("Don't  stop,\tplease.", {}, "don't stop please"),
    ("'quoted' words", {}, "quoted words"),
    ("Keep: Case!", {"case": "keep"}, "Keep Case"),
    ("keep, punctuation.", {"punctuation": "keep"}, "keep, punctuation."),
])
def test_normalisation_rule(text: str, rule: dict[str, str], expected: str) -> None:
    assert normalize(text, Normalize(fn="normalize", **rule)) == expected


def test_greedy_decoding_merges_repeats_and_drops_blanks() -> None:
    chars = characters(["ab c"])
    assert chars == [" ", "a", "b", "c"]
    a, b, space, c = 2, 3, 1, 4
    assert greedy_transcript(np.array([0, a, a, 0, a, b, b, space, space, c, 0]), chars) \
        == "aab c"
    assert greedy_transcript(np.array([space, 0, a, space, space]), chars) == "a"


def test_padding_frames_do_not_change_the_ctc_loss() -> None:
    from evalspec.execute.models.audio import FrameHead

    torch.manual_seed(0)
    head = FrameHead(6, 4).eval()
    features = torch.randn(1, 12, 6)
    real = torch.cat([features, torch.ones(1, 12, 1)], dim=-1)
    padded = torch.cat([real, torch.cat([torch.randn(1, 8, 6), torch.zeros(1, 8, 1)], -1)], 1)
    objective = Ctc(("a", "b", "c"))
    targets = torch.tensor([[1, 2, 2, 0]])
    assert objective.loss(head(padded), targets).item() == pytest.approx(
        objective.loss(head(real), targets).item(), rel=1e-5)
