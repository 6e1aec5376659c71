"""The pre-screen in the document: each candidate's frozen-feature scores and rank, whether
it was fine-tuned, and how well each score's ranking agreed with the final one (Kendall τ
over the candidates that were fine-tuned and ranked)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evalspec.prescreen.ranking import order

METHODS = ("logme", "linear_probe")


def kendall_tau(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Kendall's τ between two rankings of the same items (no ties, so τ-a = τ-b); None
    for fewer than two items."""
    from scipy.stats import kendalltau

    items = [m for m in first if m in second]
    if len(items) < 2:
        return None
    return float(kendalltau(range(len(items)), [second.index(m) for m in items]).statistic)


def prescreen_record(settings: Mapping[str, Any], scores: Mapping[str, Mapping[str, Any]],
                     final: Sequence[str]) -> dict[str, Any]:
    """`settings`: the method, `keep` and `folds`; `scores`: per model its `logme`,
    `linear_probe` (`mean`, `sd`), `dimensions` and `examples`; `final`: the leaderboard's
    models, best first."""
    method, keep = settings["method"], settings["keep"]
    ranked = order(scores, method)
    kept = set(ranked[:keep or len(ranked)])
    candidates = {}
    for model in scores:
        rank = ranked.index(model) + 1
        candidates[model] = {
            **scores[model], "rank": rank, "fine_tuned": model in kept,
            "reason": None if model in kept else
            f"pre-screen rank {rank} of {len(ranked)} by {method}; keep = {keep}"}
    agreement = {m: {"tau": kendall_tau(order({k: scores[k] for k in final if k in scores},
                                               m), list(final)),
                     "models": sum(1 for k in final if k in scores)} for m in METHODS}
    return {**settings, "candidates": candidates, "agreement": agreement}
