"""Token classification: cross-entropy over every word's tag (padding ignored);
predictions are one tag list per sentence, from each word's most probable tag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from evalspec.execute.data.examples import Examples
from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.outcome import Predictions

IGNORED = -100  # the target of a padding position


@dataclass(frozen=True)
class TagCrossEntropy(Objective):
    labels: tuple[str, ...]

    def targets(self, examples: Examples) -> torch.Tensor:
        """(sentences, longest sentence) tag indices; padding is IGNORED."""
        index = {label: i for i, label in enumerate(self.labels)}
        width = max((len(tags) for tags in examples.targets), default=1)
        targets = torch.full((len(examples), width), IGNORED, dtype=torch.long)
        for row, tags in enumerate(examples.targets):
            targets[row, :len(tags)] = torch.tensor([index[t] for t in tags], dtype=torch.long)
        return targets

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the real words of the batch."""
        scores = outputs.float()
        return F.cross_entropy(scores.reshape(-1, scores.size(-1)),
                               targets[:, :scores.size(1)].reshape(-1), ignore_index=IGNORED)

    def decode(self, outputs: torch.Tensor) -> np.ndarray:
        """Tag probabilities (sentences, words, tags)."""
        return torch.softmax(outputs.double(), dim=-1).numpy()


class TokenClassification(FamilyPlugin):
    name = "token"
    per_token = True

    def outputs(self, labels: list[str]) -> int:
        return len(labels)

    def objective(self, labels: list[str], train: Examples) -> Objective:
        return TagCrossEntropy(tuple(labels))

    def predictions(self, examples: Examples, labels: list[str],
                    decoded: np.ndarray) -> Predictions:
        best = decoded.argmax(axis=-1)
        tags = [[labels[j] for j in best[row, :len(words)]]
                for row, words in enumerate(examples.inputs["tokens"])]
        return Predictions(examples.ids, [list(t) for t in examples.targets], labels, tags=tags,
                           words=[list(w) for w in examples.inputs["tokens"]])


PLUGIN = TokenClassification()
