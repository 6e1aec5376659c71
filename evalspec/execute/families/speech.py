"""Speech recognition: CTC over the training transcripts' characters (index 0 is the blank);
predictions are greedy-decoded transcripts.

The candidate's head gives one score vector per frame, padded to the split's longest clip;
padding frames score the blank with certainty, so the loss over every frame equals the loss
over each clip's own frames and decoding needs no lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.outcome import Predictions

BLANK = 0


@dataclass(frozen=True)
class Ctc(Objective):
    characters: tuple[str, ...]

    def targets(self, examples: Examples) -> torch.Tensor:
        """(clips, longest transcript) character indices from 1, padded with the blank; a
        character the training transcripts never use is left out (it cannot be spelled)."""
        index = {ch: i + 1 for i, ch in enumerate(self.characters)}
        rows = [[index[ch] for ch in text if ch in index] for text in examples.targets]
        targets = torch.zeros(len(rows), max((len(r) for r in rows), default=1) or 1,
                              dtype=torch.long)
        for row, indices in enumerate(rows):
            targets[row, :len(indices)] = torch.tensor(indices, dtype=torch.long)
        return targets

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean CTC loss per clip, each divided by its transcript's length (PyTorch's
        `mean`); a clip too short to spell its transcript counts 0 (`zero_infinity`)."""
        log_probs = F.log_softmax(outputs.float(), dim=-1).transpose(0, 1)  # (T, B, C)
        frames, batch = log_probs.shape[:2]
        lengths = (targets != BLANK).sum(dim=1)
        return F.ctc_loss(log_probs, targets, torch.full((batch,), frames, dtype=torch.long),
                          lengths, blank=BLANK, reduction="mean", zero_infinity=True)

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """The most probable symbol of every frame (clips, frames)."""
        return outputs.argmax(dim=-1).numpy()


def greedy_transcript(best: np.ndarray, characters: list[str]) -> str:
    """Best-path decoding: repeats merged, blanks dropped, whitespace collapsed."""
    kept = [int(s) for i, s in enumerate(best) if s != BLANK and (i == 0 or s != best[i - 1])]
    return " ".join("".join(characters[s - 1] for s in kept).split())


class SpeechRecognition(FamilyPlugin):
    name = "speech"
    per_frame = True

    def outputs(self, labels: list[str]) -> int:
        return len(labels) + 1

    def objective(self, labels: list[str], train: Examples) -> Objective:
        return Ctc(tuple(labels))

    def predictions(self, examples: Examples, labels: list[str],
                    decoded: np.ndarray) -> Predictions:
        return Predictions(examples.ids, list(examples.targets), labels,
                           transcripts=[greedy_transcript(row, labels) for row in decoded])


PLUGIN = SpeechRecognition()
