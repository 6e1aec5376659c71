"""Audio candidates: an encoder over each clip's frames (mel features or raw samples) whose
frame features are averaged over the clip (classification) or scored frame by frame (CTC)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from evalspec.errors import RunError
from evalspec.execute.data.audio import read_clip
from evalspec.execute.data.examples import Examples
from evalspec.execute.models.candidate import Batch, Candidate, Encoded, Identity, new_head
from evalspec.execute.models.melspec import MelSettings, mel_frames, spec_augment
from evalspec.execute.models.recurrent import RecurrentEncoder
from evalspec.execute.models.weights import load_into, load_state_dict
from evalspec.execute.training.feed import decode_all

BLANK_ONLY = -1e4  # the score of every symbol but the blank on a padding frame
Prepare = Callable[[np.ndarray], np.ndarray]  # clip samples → the encoder's input frames


class FrameHead(nn.Module):
    """Per-frame scores from frame features whose last channel marks real frames; padding
    frames score the blank (index 0) with certainty."""

    def __init__(self, in_features: int, outputs: int, dropout: float = 0.1):
        super().__init__()
        self.score = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, outputs))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        scores = self.score(features[..., :-1])
        padding = torch.full_like(scores, BLANK_ONLY)
        padding[..., 0] = 0.0
        return torch.where(features[..., -1:] > 0.5, scores, padding)


class MelRecurrent(nn.Module):
    """Stacked LSTM/GRU layers over mel frames: (B, T, mels) → (B, T, hidden)."""

    def __init__(self, mels: int, hidden: int, layers: int, cell: str, bidirectional: bool,
                 project: bool = True):
        super().__init__()
        embed = nn.Linear(mels, hidden) if project else nn.Identity()
        self.encoder = RecurrentEncoder(embed, hidden, layers, cell, bidirectional,
                                        input_key="frames", first_input=None if project else mels)
        self.width = hidden

    def forward(self, frames: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(mask, frames=frames), mask

    def blocks(self) -> list[nn.Module]:
        return list(self.encoder.layers)


class HubAudio(nn.Module):
    """A wav2vec2-style Hugging Face encoder over raw samples: (B, S) → (B, T, hidden)."""

    def __init__(self, model: Any):
        super().__init__()
        self.model = model
        self.width = int(model.config.hidden_size)
        self.pass_mask = getattr(model.config, "feat_extract_norm", "layer") == "layer"

    def forward(self, samples: torch.Tensor, mask: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.model(samples, attention_mask=mask.long() if self.pass_mask else None
                            ).last_hidden_state
        lengths = self.model._get_feat_extract_output_lengths(mask.sum(dim=1).long())
        frames = torch.arange(hidden.size(1), device=hidden.device)[None, :] < lengths[:, None]
        return hidden, frames.to(hidden.dtype)

    def blocks(self) -> list[nn.Module]:
        return list(self.model.encoder.layers)


class AudioCandidate(Candidate):
    """Clips are read at the model's rate, turned into encoder input once per split, padded
    to the split's longest clip; `augment` masks mel frames while training (SpecAugment)."""

    def __init__(self, backbone: Any, identity: Identity, *, outputs: int, per_frame: bool,
                 prepare: Prepare, rate: int, max_seconds: float, augment: bool = False):
        head = FrameHead(backbone.width, outputs) if per_frame else \
            new_head(backbone.width, outputs)
        super().__init__(backbone, head, identity)
        self.per_frame, self.prepare, self.augment = per_frame, prepare, augment
        self.rate, self.max_seconds = rate, max_seconds

    def encode(self, examples: Examples) -> Encoded:
        inputs = decode_all(self._frames, examples.inputs["audio"])
        width = max((len(x) for x in inputs), default=1)
        return Encoded([{"input": x, "width": width} for x in inputs], [len(x) for x in inputs])

    def _frames(self, source: Any) -> torch.Tensor:
        return torch.from_numpy(self.prepare(read_clip(source, self.rate,
                                                       self.max_seconds).samples))

    def collate(self, items: Sequence[dict[str, Any]]) -> Batch:
        width = items[0]["width"]
        first = items[0]["input"]
        inputs = torch.zeros((len(items), width, *first.shape[1:]), dtype=first.dtype)
        mask = torch.zeros(len(items), width)
        for row, item in enumerate(items):
            inputs[row, :len(item["input"])] = item["input"]
            mask[row, :len(item["input"])] = 1.0
        return {"input": inputs, "mask": mask}

    def features(self, batch: Batch) -> torch.Tensor:
        inputs, mask = batch["input"], batch["mask"]
        if self.augment and self.training:
            inputs = spec_augment(inputs, mask.sum(dim=1).long())
        hidden, frames = self.backbone(inputs, mask)
        if self.per_frame:
            return torch.cat([hidden, frames.unsqueeze(-1)], dim=-1)
        weights = frames.unsqueeze(-1)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)

    def blocks(self) -> list[nn.Module]:
        backbone: Any = self.backbone
        return list(backbone.blocks())


def _standardised(frames: np.ndarray) -> np.ndarray:
    """Each mel band at zero mean and unit variance over the clip (cepstral mean and
    variance normalisation: it removes the channel and the speaker's level)."""
    return ((frames - frames.mean(axis=0)) / (frames.std(axis=0) + 1e-5)).astype(np.float32)


def scratch_audio_candidate(arch: str, *, outputs: int, per_frame: bool, layers: int | None,
                            hidden: int | None, bidirectional: bool | None, rate: int,
                            max_seconds: float, augment: bool,
                            identity: Identity) -> AudioCandidate:
    """A randomly initialised LSTM/GRU over standardised 80-band log-mel frames."""
    settings = MelSettings(rate=rate, n_mels=80)
    hidden, layers = hidden or 128, layers or 2
    bidirectional = True if bidirectional is None else bidirectional
    backbone = MelRecurrent(settings.n_mels, hidden, layers, arch, bidirectional)
    identity.details.update(features=settings.describe(), normalisation="per-clip mean and "
                            "variance per band", hidden=hidden, layers=layers,
                            bidirectional=bidirectional, spec_augment=augment)
    return AudioCandidate(backbone, identity, outputs=outputs, per_frame=per_frame,
                          prepare=lambda s: _standardised(mel_frames(s, settings)),
                          rate=rate, max_seconds=max_seconds, augment=augment)


RESEMBLYZER_MEL = MelSettings(rate=16000, n_mels=40, window_ms=25.0, hop_ms=10.0, log=False)
RESEMBLYZER_DBFS = -30.0  # clips are raised (never lowered) to this level, as it was trained


def _raised(samples: np.ndarray, target_dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    change = target_dbfs - 20 * np.log10(max(rms, 1e-12))
    return samples * np.float32(10 ** (change / 20)) if change > 0 else samples


def resemblyzer_candidate(weights: Path, *, outputs: int, per_frame: bool, max_seconds: float,
                          augment: bool, identity: Identity) -> AudioCandidate:
    """Resemblyzer's speaker encoder (3 LSTM layers of 256 over 40-band mel power frames at
    16 kHz) as a backbone: its per-frame outputs of the last layer; its speaker-embedding
    projection is not used."""
    state = load_state_dict(weights)
    backbone = MelRecurrent(RESEMBLYZER_MEL.n_mels, 256, 3, "lstm", False, project=False)
    renamed = {f"encoder.layers.{key[-1]}.{key[len('lstm.'):-1]}0": value
               for key, value in state.items() if key.startswith("lstm.")}
    if len(renamed) != 12:
        raise RunError(f"{weights}: not a Resemblyzer checkpoint (expected 3 LSTM layers "
                       "under `lstm.`); check `arch`", "ES502")
    notes = load_into(backbone, renamed, str(weights))
    identity.details.update(features=RESEMBLYZER_MEL.describe(), level_dbfs=RESEMBLYZER_DBFS,
                            architecture="resemblyzer", notes=notes, spec_augment=augment)
    return AudioCandidate(
        backbone, identity, outputs=outputs, per_frame=per_frame, rate=RESEMBLYZER_MEL.rate,
        prepare=lambda s: mel_frames(_raised(s, RESEMBLYZER_DBFS), RESEMBLYZER_MEL),
        max_seconds=max_seconds, augment=augment)


def hub_audio_candidate(location: str, *, revision: str | None, outputs: int, per_frame: bool,
                        rate: int | None, max_seconds: float, trust_remote_code: bool,
                        identity: Identity) -> AudioCandidate:
    """A wav2vec2/HuBERT-style encoder (`AutoModel`; a CTC or audio-classification checkpoint
    gives its encoder) over raw samples, normalised as its feature extractor says."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoModel

    try:
        config = AutoConfig.from_pretrained(location, revision=revision,
                                            trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as error:
        raise RunError(f"`{location}` could not be loaded: {error}", "ES502") from None
    if not hasattr(config, "conv_dim"):
        raise RunError(f"`{location}` is a {config.model_type} model; audio tasks need a "
                       "wav2vec2-style audio encoder (wav2vec2, HuBERT, WavLM, …)", "ES502")
    model = AutoModel.from_pretrained(location, revision=revision, config=config,
                                      trust_remote_code=trust_remote_code)
    try:
        extractor = AutoFeatureExtractor.from_pretrained(location, revision=revision)
        normalise, own_rate = bool(extractor.do_normalize), int(extractor.sampling_rate)
    except (OSError, ValueError):
        normalise, own_rate = True, 16000
    rate = rate or own_rate
    identity.details.update(architecture=config.model_type, sample_rate=rate,
                            normalise_samples=normalise, hidden=int(config.hidden_size))

    def prepare(samples: np.ndarray) -> np.ndarray:
        if not normalise:
            return np.array(samples)  # a writable copy: decoded clips are shared, read-only
        return ((samples - samples.mean()) / np.sqrt(samples.var() + 1e-7)).astype(np.float32)

    return AudioCandidate(HubAudio(model), identity, outputs=outputs, per_frame=per_frame,
                          prepare=prepare, rate=rate, max_seconds=max_seconds)
