"""How the report states paired-bootstrap p-values: at the bootstrap's floor as `≤`, and the
Holm-adjusted p that decides whether a model is significantly worse than the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evalspec.metrics.compare import RESAMPLES, p_floor
from evalspec.report import numbers as fmt
from evalspec.results.schema import ResultsDocument, Standing


@dataclass(frozen=True)
class Floor:
    """The smallest p-value a paired bootstrap over `resamples` can give."""

    resamples: int

    @property
    def value(self) -> float:
        return p_floor(self.resamples)

    def reached(self, p: float | None) -> bool:
        """No resample flipped the sign: the true p may be smaller than the one shown."""
        return p is not None and p <= self.value * (1 + 1e-9)

    def text(self, p: float | None) -> str:
        """`0.012`, `< 0.001`, or `≤ 0.002` at the floor."""
        return fmt.p_value(p, at_most=self.reached(p))

    def note(self, ps: Sequence[float | None]) -> str:
        """What `≤` means, when one of `ps` is at the floor; else empty."""
        if not any(self.reached(p) for p in ps):
            return ""
        return (f"p {self.text(self.value)}: no resample of the {self.resamples:,} reversed "
                "the difference, and a bootstrap of that many gives no smaller p-value; the "
                "true one may be smaller.")


def ranking_floor(document: ResultsDocument) -> Floor:
    """The floor of the leaderboards' tests and of a perturbation's change: over the spec's
    resamples, or the 1,000 the ranking draws with `confidence = none`."""
    confidence = document.confidence
    return Floor(confidence.n if confidence.method == "bootstrap" and confidence.n
                 else RESAMPLES)


RACE_FLOOR = Floor(RESAMPLES)  # the race compares on 1,000 validation resamples


def deciding(row: Standing) -> float | None:
    """The p that decides a tie: Holm-adjusted (the raw p in files written before it was
    recorded)."""
    return row.p_adjusted if row.p_adjusted is not None else row.p_value


def sort_key(row: Standing) -> float:
    """Rows by their deciding p (rows without one first)."""
    return deciding(row) or 0.0


def adjusts(rows: Sequence[Standing]) -> bool:
    """Whether the leaderboard makes two or more comparisons, so that Holm's adjustment can
    change a p-value."""
    return sum(r.p_adjusted is not None for r in rows) >= 2


def adjusted_text(row: Standing, floor: Floor) -> str:
    """The deciding p as shown; `≤` when the raw p it comes from is at the floor."""
    return fmt.p_value(deciding(row), at_most=floor.reached(row.p_value))


def sentence(rows: Sequence[Standing], row: Standing, floor: Floor) -> str:
    """`p = 0.545`, `p ≤ 0.002`, or `Holm-adjusted p = 0.060` when the leaderboard adjusts."""
    text = adjusted_text(row, floor)
    name = "Holm-adjusted p" if adjusts(rows) else "p"
    return f"{name} {text}" if text[:1] in "<≤" else f"{name} = {text}"
