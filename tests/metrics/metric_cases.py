"""Test data for the metrics engine: Hypothesis strategies and fixed cases per task family."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from hypothesis import strategies as st

from evalspec.registry.metrics import METRICS

NAMES = ["neg", "pos", "cat", "dog", "eel", "fox"]


@dataclass(frozen=True)
class Case:
    """One test set: what `compute` and `bootstrap` take, keyword for keyword."""

    y_true: Any
    y_pred: Any = None
    y_score: Any = None
    labels: Any = None
    positive: Any = None

    def kwargs(self) -> dict[str, Any]:
        return {"y_pred": self.y_pred, "y_score": self.y_score, "labels": self.labels,
                "positive": self.positive}

    def take(self, idx: np.ndarray) -> Case:
        pick = _picker(idx)
        return replace(self, y_true=pick(self.y_true), y_pred=pick(self.y_pred),
                       y_score=pick(self.y_score))


def _picker(idx: np.ndarray):
    def pick(column: Any) -> Any:
        if column is None:
            return None
        if isinstance(column, np.ndarray):
            return column[idx]
        return [column[i] for i in idx]
    return pick


def class_case(seed: int, n: int, k: int, *, present: int | None = None, skill: float = 0.6,
               grain: int = 4, strings: bool = True, skew: float = 0.0) -> Case:
    """Random classification data: `present` labels occur in y_true (absent classes),
    `skew` makes label 0 dominate (imbalance), a coarse `grain` makes tied scores."""
    rng = np.random.default_rng(seed)
    present = k if present is None else present
    weights = np.exp(-skew * np.arange(present))
    truth = rng.choice(present, size=n, p=weights / weights.sum())
    pred = np.where(rng.random(n) < skill, truth, rng.integers(0, k, n))
    raw = rng.integers(0, grain + 1, size=(n, k)).astype(float)
    raw[np.arange(n), pred] += grain * skill
    raw[raw.sum(axis=1) == 0] = 1.0
    score = raw / raw.sum(axis=1, keepdims=True)
    labels = NAMES[:k] if strings else list(range(k))
    order = rng.permutation(k)  # label lists need not be sorted
    labels = [labels[i] for i in order]
    decode = np.array(labels, dtype=object)
    positions = np.argsort(order)
    return Case([decode[positions[t]] for t in truth], [decode[positions[p]] for p in pred],
                score[:, order], labels, None)


@st.composite
def class_cases(draw: st.DrawFn, min_k: int = 2, max_k: int = 4) -> Case:
    k = draw(st.integers(min_k, max_k))
    case = class_case(draw(st.integers(0, 2**32 - 1)), draw(st.integers(1, 30)), k,
                      present=draw(st.integers(1, k)), skill=draw(st.sampled_from([0, .5, .9])),
                      grain=draw(st.sampled_from([1, 3, 50])),
                      strings=draw(st.booleans()), skew=draw(st.sampled_from([0.0, 2.0])))
    positive = draw(st.sampled_from(case.labels)) if k == 2 and draw(st.booleans()) else None
    return replace(case, positive=positive)


def value_case(seed: int, n: int, *, constant: bool = False, grain: int = 0) -> Case:
    rng = np.random.default_rng(seed)
    truth = rng.normal(3.0, 2.0, n)
    if grain:
        truth = np.round(truth * grain) / grain
    if constant:
        truth = np.full(n, 1.5)
    return Case(truth, truth + rng.normal(0, 1.0, n))


@st.composite
def value_cases(draw: st.DrawFn) -> Case:
    return value_case(draw(st.integers(0, 2**32 - 1)), draw(st.integers(1, 30)),
                      constant=draw(st.booleans()) and draw(st.booleans()),
                      grain=draw(st.sampled_from([0, 1])))


TAGS = ["O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def tag_case(seed: int, n: int) -> Case:
    rng = np.random.default_rng(seed)
    truth = [[str(t) for t in rng.choice(TAGS, rng.integers(0, 8))] for _ in range(n)]
    pred = [[t if rng.random() < 0.7 else str(rng.choice(TAGS)) for t in row] for row in truth]
    return Case(truth, pred)


WORDS = ["the", "cat", "sat", "on", "a", "mat"]


def text_case(seed: int, n: int) -> Case:
    rng = np.random.default_rng(seed)
    truth = [" ".join(rng.choice(WORDS, rng.integers(0, 6))) for _ in range(n)]
    pred = [" ".join(w for w in t.split() if rng.random() < 0.8) + " a" * int(rng.random() < .3)
            for t in truth]
    return Case(truth, pred)


FAMILY_CASES = {
    "labels": lambda seed, n: class_case(seed, n, 3, skew=1.0),
    "scores": lambda seed, n: class_case(seed, n, 3, skew=1.0),
    "values": value_case,
    "spans": tag_case,
    "transcripts": text_case,
}


def variants() -> list[tuple[str, dict[str, Any]]]:
    """Every non-cost catalogue metric with every choice of its closed-set parameters."""
    found = []
    for name, definition in METRICS.items():
        if definition.cost:
            continue
        choices = [(key, p.choices) for key, p in definition.params.items() if p.choices]
        if not choices:
            found.append((name, {}))
        for key, options in choices:
            found.extend((name, {key: option}) for option in options)
    return found


def case_for(name: str, params: dict[str, Any], seed: int = 0, n: int = 60) -> Case:
    """A test set for the metric; `average = binary` gets two labels."""
    if params.get("average") == "binary":
        return class_case(seed, n, 2, skew=1.0)
    return FAMILY_CASES[METRICS[name].needs](seed, n)
