"""LogME against the authors' algorithm, re-derived here in its plain matrix form (THUML's
LogME.py: MacKay's fixed point from α = β = 1, at most 11 steps, stopping when α/β moves
by 1e-3 or less), and the cross-validated linear probe against scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evalspec.prescreen.scores import linear_probe, logme


def reference_evidence(f: np.ndarray, y: np.ndarray) -> float:
    """The maximised log evidence per example of y = F w + noise, with dense matrices:
    A = α I + β FᵀF, m = β A⁻¹ Fᵀ y, γ = d − α tr(A⁻¹)."""
    n, d = f.shape
    gram = f.T @ f
    alpha, beta = 1.0, 1.0
    for _ in range(11):
        ratio = alpha / beta
        inverse = np.linalg.inv(ratio * np.eye(d) + gram)  # (A / β)⁻¹
        m = inverse @ f.T @ y
        gamma = d - ratio * np.trace(inverse)
        weights2 = float(m @ m)
        residual2 = float(np.sum((y - f @ m) ** 2))
        alpha = gamma / (weights2 + 1e-5)
        beta = (n - gamma) / (residual2 + 1e-5)
        if abs(alpha / beta - ratio) / ratio <= 1e-3:
            break
    _, log_det = np.linalg.slogdet(alpha * np.eye(d) + beta * gram)
    value = (d / 2 * math.log(alpha) + n / 2 * math.log(beta) - log_det / 2
             - beta / 2 * residual2 - alpha / 2 * weights2 - n / 2 * math.log(2 * math.pi))
    return value / n


def reference_logme(f: np.ndarray, y: np.ndarray, regression: bool) -> float:
    columns = y.reshape(len(y), -1) if regression else \
        np.stack([(y == c).astype(float) for c in range(int(y.max()) + 1)], axis=1)
    return float(np.mean([reference_evidence(f, columns[:, i])
                          for i in range(columns.shape[1])]))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("n", "d"), [(200, 16), (120, 40), (30, 64)])
def test_classification_logme_agrees_with_the_reference(seed: int, n: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    f = rng.normal(size=(n, d)) + np.eye(4)[labels] @ rng.normal(size=(4, d))  # informative
    assert logme(f, labels) == pytest.approx(reference_logme(f, labels, False), abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("n", "d", "k"), [(150, 12, 1), (80, 20, 3), (25, 50, 2)])
def test_regression_logme_agrees_with_the_reference(seed: int, n: int, d: int, k: int) -> None:
    rng = np.random.default_rng(100 + seed)
    f = rng.normal(size=(n, d))
    y = f @ rng.normal(size=(d, k)) * 0.3 + rng.normal(size=(n, k))
    target = y[:, 0] if k == 1 else y
    assert logme(f, target, regression=True) == \
        pytest.approx(reference_logme(f, y, True), abs=1e-6)


def test_rank_deficient_features_count_the_directions_they_do_not_span() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(size=(90, 5))
    f = np.concatenate([base, base[:, :3] * 2.0], axis=1)  # rank 5 of 8
    labels = rng.integers(0, 3, 90)
    assert logme(f, labels) == pytest.approx(reference_logme(f, labels, False), abs=1e-6)


def test_informative_features_score_higher_than_noise() -> None:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 300)
    noise = rng.normal(size=(300, 20))
    signal = noise + 3 * np.eye(3)[labels] @ rng.normal(size=(3, 20))
    assert logme(signal, labels) > logme(noise, labels)
    assert linear_probe(signal, labels)[0] > linear_probe(noise, labels)[0] + 0.3


def test_the_linear_probe_is_scikit_learns_cross_validation() -> None:
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(5)
    labels = rng.integers(0, 2, 120)
    f = rng.normal(size=(120, 6)) + labels[:, None]
    expected = cross_val_score(make_pipeline(StandardScaler(), RidgeClassifier(alpha=1.0)),
                               f, labels, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    mean, sd = linear_probe(f, labels)
    assert mean == pytest.approx(expected.mean(), abs=1e-12)
    assert sd == pytest.approx(expected.std(ddof=1), abs=1e-12)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        logme(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="one row per example"):
        logme(np.ones((4, 2)), np.array([0, 1, 0]))
