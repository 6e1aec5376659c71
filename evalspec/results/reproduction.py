"""Comparing a reproduced run with the original: data fingerprints first, then every test
metric of every cell against a tolerance."""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.results.schema import ResultsDocument

EXACT = 1e-9  # the same CPU run gives identical numbers
LOOSE = 1e-3  # other devices or library versions: rounding may differ


@dataclass(frozen=True)
class Difference:
    cell: str
    metric: str
    original: float | None
    reproduced: float | None

    @property
    def gap(self) -> float | None:
        if self.original is None or self.reproduced is None:
            return None
        return abs(self.original - self.reproduced)

    def within(self, tolerance: float) -> bool:
        if self.original is None or self.reproduced is None:
            return self.original is None and self.reproduced is None
        return abs(self.original - self.reproduced) <= tolerance


@dataclass(frozen=True)
class Reproduction:
    rows: list[Difference]
    tolerance: float

    @property
    def failures(self) -> list[Difference]:
        return [row for row in self.rows if not row.within(self.tolerance)]


def fingerprint_changes(original: ResultsDocument,
                        found: dict[str, dict[str, str]]) -> list[str]:
    """Data files whose sha256 differs from the recorded run's, as `task: file` lines."""
    changes = []
    for task, recorded in original.tasks.items():
        now = found.get(task, {})
        for name in sorted(set(recorded.fingerprints) | set(now)):
            if recorded.fingerprints.get(name) != now.get(name):
                changes.append(f"{task}: {name}")
    return changes


def default_tolerance(original: ResultsDocument, again: ResultsDocument) -> float:
    same = (original.environment.device == again.environment.device == "cpu"
            and original.environment.versions == again.environment.versions)
    return EXACT if same else LOOSE


def compare(original: ResultsDocument, again: ResultsDocument,
            tolerance: float | None = None) -> Reproduction:
    """Every test metric of every original cell next to the reproduced one."""
    mine = {(c.task, c.model, c.seed): c for c in again.cells}
    rows = []
    for cell in original.cells:
        twin = mine.get((cell.task, cell.model, cell.seed))
        for name, metric in cell.test.items():
            other = twin.test.get(name) if twin else None
            rows.append(Difference(f"{cell.task}/{cell.model}/seed{cell.seed}", name,
                                   metric.value, other.value if other else None))
    return Reproduction(rows, tolerance if tolerance is not None
                        else default_tolerance(original, again))
