"""Transferability scores of frozen features: LogME (You et al., ICML 2021) and a
cross-validated linear probe. Higher is better for both."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_ITERATIONS = 11  # the fixed point settles in a few steps; the reference stops at 11
TOLERANCE = 1e-3  # relative change of alpha / beta that ends the iteration
EPSILON = 1e-5  # keeps the updates finite when a residual or the weights vanish
RANK_CUTOFF = 1e-10  # singular values at or below this are treated as zero


@dataclass(frozen=True)
class Evidence:
    """One target's LogME: the log evidence per example at the fitted prior precision
    `alpha` and noise precision `beta`."""

    value: float
    alpha: float
    beta: float


def logme(features: np.ndarray, targets: np.ndarray, *, regression: bool = False) -> float:
    """LogME of `features` (n × d) for `targets`: class indices 0..C-1 (one one-vs-rest
    column per class), or regression values (n,) or (n, k), one column per target. The
    mean over columns of each column's maximised log evidence per example (`evidence`)."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) == 0:
        raise ValueError("features must be a non-empty (examples × dimensions) matrix")
    y = np.asarray(targets)
    if regression:
        columns = y.astype(np.float64).reshape(len(y), -1)
    else:
        classes = int(y.max()) + 1
        columns = np.stack([(y == c).astype(np.float64) for c in range(classes)], axis=1)
    if len(columns) != len(f):
        raise ValueError("features and targets must have one row per example")
    basis = _svd(f)
    return float(np.mean([evidence(basis, columns[:, i]).value
                          for i in range(columns.shape[1])]))


@dataclass(frozen=True)
class _Basis:
    """F = U diag(s) Vᵀ kept to its rank k: `u` (n × k), `sigma` = s² (k), and F's shape."""

    u: np.ndarray
    sigma: np.ndarray
    n: int
    d: int


def _svd(f: np.ndarray) -> _Basis:
    """The thin SVD of F; for n > d from the d × d Gram matrix FᵀF (cheaper, as the
    reference does), its eigenvalues being the squared singular values."""
    n, d = f.shape
    if n > d:
        _, squared, vh = np.linalg.svd(f.T @ f)
        s = np.sqrt(np.clip(squared, 0.0, None))
        k = int(np.sum(s > RANK_CUTOFF))
        u = (f @ vh[:k].T) / s[:k]
    else:
        u, s, _ = np.linalg.svd(f, full_matrices=False)
        k = int(np.sum(s > RANK_CUTOFF))
        u = u[:, :k]
    return _Basis(u, s[:k] ** 2, n, d)


def evidence(basis: _Basis, y: np.ndarray) -> Evidence:
    """Maximise the evidence of y = F w + noise, w ~ N(0, α⁻¹ I), noise ~ N(0, β⁻¹), by
    MacKay's fixed-point updates in F's singular basis (α = β = 1 to start):

        γ = Σ σᵢ / (σᵢ + α/β),  α ← γ / (mᵀm + ε),  β ← (n − γ) / (‖y − F m‖² + ε),

    with m = (α/β I + FᵀF)⁻¹ Fᵀ y the posterior mean; stop when α/β changes by at most
    TOLERANCE (relatively) or after MAX_ITERATIONS. The log evidence, per example, is

        d/2 log α + n/2 log β − ½ log det(α I + β FᵀF) − β/2 ‖y − F m‖² − α/2 mᵀm − n/2 log 2π

    where det(α I + β FᵀF) has the eigenvalues α + β σᵢ and α for each of the d − k
    directions F does not span."""
    n, d, sigma = basis.n, basis.d, basis.sigma
    x2 = (basis.u.T @ y) ** 2  # y's squared coordinates along F's left singular vectors
    outside = float(y @ y - x2.sum())  # the part of ‖y‖² that F cannot reach
    alpha = beta = 1.0
    for _ in range(MAX_ITERATIONS):
        ratio = alpha / beta
        gamma = float(np.sum(sigma / (sigma + ratio)))
        weights2 = float(np.sum(sigma * x2 / (sigma + ratio) ** 2))  # mᵀm
        residual2 = float(np.sum(x2 * (ratio / (sigma + ratio)) ** 2)) + outside
        alpha = gamma / (weights2 + EPSILON)
        beta = (n - gamma) / (residual2 + EPSILON)
        if abs(alpha / beta - ratio) / ratio <= TOLERANCE:
            break
    log_det = float(np.sum(np.log(alpha + beta * sigma))) + (d - len(sigma)) * math.log(alpha)
    value = (d / 2 * math.log(alpha) + n / 2 * math.log(beta) - log_det / 2
             - beta / 2 * residual2 - alpha / 2 * weights2 - n / 2 * math.log(2 * math.pi))
    return Evidence(value / n, alpha, beta)


def linear_probe(features: np.ndarray, targets: np.ndarray, *, regression: bool = False,
                 folds: int = 5, seed: int = 0) -> tuple[float, float]:
    """Mean and standard deviation over `folds` cross-validation folds (stratified for
    classes, shuffled with `seed`) of a ridge model (penalty 1) on the standardised
    features, fitted in closed form: one-vs-rest least squares scored by accuracy, or
    ridge regression scored by R²."""
    from sklearn.linear_model import Ridge, RidgeClassifier
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y = np.asarray(targets)
    if regression:
        model = make_pipeline(StandardScaler(), Ridge(alpha=1.0))
        splitter: KFold | StratifiedKFold = KFold(folds, shuffle=True, random_state=seed)
        scoring = "r2"
    else:
        model = make_pipeline(StandardScaler(), RidgeClassifier(alpha=1.0))
        smallest = int(np.bincount(y.astype(int)).min())
        splitter = StratifiedKFold(max(2, min(folds, smallest)), shuffle=True,
                                   random_state=seed)
        scoring = "accuracy"
    found = cross_val_score(model, np.asarray(features, dtype=np.float64), y, cv=splitter,
                            scoring=scoring)
    return float(found.mean()), float(found.std(ddof=1)) if len(found) > 1 else 0.0
