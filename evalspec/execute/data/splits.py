"""Dividing one source into train, validation and test: deterministic for a seed, and
stratified (class proportions kept in every split) when asked for on classification."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from evalspec.errors import RunError
from evalspec.execute.data.examples import Loaded
from evalspec.validate.model import Holdout


def holdout(loaded: Loaded, split: Holdout,
            stratify: bool) -> tuple[Loaded, Loaded | None, Loaded]:
    """(train, validation or None, test). `split.test` and `split.validation` are fractions
    of the whole (test 20%, validation 10% gives 70/10/20), each rounded to whole examples
    and at least one; each split keeps the source's order."""
    n = len(loaded)
    n_test = _count(n, split.test)
    n_validation = _count(n, split.validation) if split.validation > 0 else 0
    if n - n_test - n_validation < 1:
        raise RunError(f"{loaded.origin}: {n} examples leave no training data after a "
                       f"{split.test:.0%} test and {split.validation:.0%} validation split; "
                       "add data or lower the fractions", "ES307")
    labels = np.asarray(loaded.examples.targets) if stratify else None
    if labels is not None:
        _check_classes(loaded.origin, labels, 3 if n_validation else 2)
    seed = split.seed % 2**32
    rest, test = _divide(loaded.origin, np.arange(n), n_test, seed, labels, "test")
    validation = None
    if n_validation:
        strata = None if labels is None else labels[rest]
        rest, picked = _divide(loaded.origin, rest, n_validation, seed, strata, "validation")
        validation = loaded.take(np.sort(picked))
    return loaded.take(np.sort(rest)), validation, loaded.take(np.sort(test))


def _count(n: int, fraction: float) -> int:
    return max(1, math.floor(n * fraction + 0.5))


def _check_classes(origin: str, labels: np.ndarray, parts: int) -> None:
    """Every class needs one example in each split to be stratified."""
    few = sorted((count, str(label)) for label, count in Counter(labels.tolist()).items()
                 if count < parts)
    if few:
        shown = ", ".join(f"`{label}` has {count}" for count, label in few[:5])
        raise RunError(f"{origin}: too few examples to stratify ({shown}); a stratified "
                       f"holdout needs at least {parts} per class, one for each split; add "
                       "examples, drop the class, or set `stratify = false`", "ES307")


def _divide(origin: str, indices: np.ndarray, size: int, seed: int, strata: np.ndarray | None,
            name: str) -> tuple[np.ndarray, np.ndarray]:
    """(kept, taken): `size` of `indices` taken at random (per class when stratified)."""
    from sklearn.model_selection import train_test_split

    try:
        kept, taken = train_test_split(indices, test_size=size, random_state=seed,
                                       shuffle=True, stratify=strata)
    except ValueError as error:
        raise RunError(f"{origin}: cannot stratify the {name} split ({error}); make "
                       f"`{name}` larger or set `stratify = false`", "ES307") from None
    return np.asarray(kept), np.asarray(taken)
