"""Metrics engine: pure functions over predictions, bootstrap intervals, paired comparison.

Nothing here imports torch; every metric's number agrees with scikit-learn (or, where no
kept library has it, with seqeval's definitions or the plain formula).
"""

from evalspec.metrics.bootstrap import bootstrap, replicates, resample_indices
from evalspec.metrics.compare import (
    Comparison,
    McNemar,
    Standing,
    compare,
    compare_sets,
    holm,
    mcnemar_exact,
    p_floor,
    paired_p_value,
    rank,
)
from evalspec.metrics.engine import compute
from evalspec.metrics.inputs import Predictions
from evalspec.metrics.seeds import SeedSummary, aggregate_seeds
from evalspec.metrics.value import Interval, MetricValue

__all__ = [
    "Comparison",
    "Interval",
    "McNemar",
    "MetricValue",
    "Predictions",
    "SeedSummary",
    "Standing",
    "aggregate_seeds",
    "bootstrap",
    "compare",
    "compare_sets",
    "compute",
    "holm",
    "mcnemar_exact",
    "p_floor",
    "paired_p_value",
    "rank",
    "replicates",
    "resample_indices",
]
