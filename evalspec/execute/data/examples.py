"""Loaded data as plain values: one `Examples` per split, and a task's splits together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Examples:
    """One split of a task's data, column-oriented.

    `ids` are stable example ids (the source's id column, else `file:row`). `inputs` holds
    one list per input keyword present: "text", "text_pair" (lists of str), "image" (list of
    file paths as str, or of HxW / HxWxC uint8 numpy arrays for built-in image sets),
    "audio" (file paths), "tokens" (list of token lists), "features" (a float32 numpy array
    of shape (n, d) for tabular data). `targets` are label strings (classification), floats
    (regression), tag lists (token classification) or transcripts (speech).
    """

    ids: list[str]
    inputs: dict[str, Any]
    targets: list[Any]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices: np.ndarray | list[int]) -> Examples:
        """The examples at `indices`, in that order."""
        picked = [int(i) for i in indices]
        inputs = {k: (v[picked] if isinstance(v, np.ndarray) else [v[i] for i in picked])
                  for k, v in self.inputs.items()}
        return Examples([self.ids[i] for i in picked], inputs, [self.targets[i] for i in picked])


@dataclass(frozen=True)
class TaskData:
    """A task's splits, its label set (classification: class names in order; token
    classification: tag names in order; else empty), where the data came from, (token
    classification) how many tags of each split reading them as IOB2 changed, and the
    extra evaluation sets with their own fingerprints (they shape no training)."""

    train: Examples
    validation: Examples | None
    test: Examples
    labels: list[str]
    fingerprints: dict[str, str] = field(default_factory=dict)  # file path → sha256
    tag_repairs: dict[str, int] = field(default_factory=dict)  # split → tags changed (>0 only)
    extra: dict[str, Examples] = field(default_factory=dict)  # set name → its examples
    extra_fingerprints: dict[str, dict[str, str]] = field(default_factory=dict)

    def shown(self, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """Test examples by id, as a report shows them (see `display.shown`)."""
        from evalspec.execute.data.display import shown

        return shown(self.test.inputs, self.test.ids, ids)

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train),
                "validation": len(self.validation) if self.validation else 0,
                "test": len(self.test)}


@dataclass(frozen=True)
class Loaded:
    """One data source as read: its examples, where each came from (`file:row`, for error
    messages) and a fingerprint of every file read (path or name → sha256 or version)."""

    origin: str
    examples: Examples
    locations: list[str]
    fingerprints: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.examples)

    def take(self, indices: np.ndarray | list[int]) -> Loaded:
        """The examples at `indices`, in that order, with their locations."""
        picked = [int(i) for i in indices]
        return Loaded(self.origin, self.examples.take(picked),
                      [self.locations[i] for i in picked], self.fingerprints)
