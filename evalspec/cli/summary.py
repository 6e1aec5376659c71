"""The leaderboard as terminal text, from a results document."""

from __future__ import annotations

from typing import Any


def _number(value: float | None) -> str:
    if value is None:
        return "undefined"
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def leaderboard_text(results: dict[str, Any]) -> str:
    """Each task's leaderboard: value, interval and the p-value that decides a tie, as the
    report states it (`p ≤ 0.002` at the bootstrap's floor; Holm-adjusted when several
    models are compared with the first)."""
    from evalspec.report.significance import adjusts, ranking_floor, sentence
    from evalspec.results.schema import ResultsDocument

    document = ResultsDocument.model_validate(results)
    floor = ranking_floor(document)
    lines = []
    for task, summary in document.tasks.items():
        rows = summary.leaderboard
        if not rows:
            continue
        metric, level = rows[0].metric, rows[0].interval.level
        holm = "; p Holm-adjusted" if adjusts(rows) else ""
        lines.append(f"\n{task}: ranked by {metric} (test, {level:.0%} interval; "
                     f"* = tied for first{holm})")
        for row in rows:
            value, interval = row.value, row.interval
            shown = _number(value.value) if value.value is not None else \
                f"undefined ({value.undefined})"
            span = f"[{_number(interval.low)}, {_number(interval.high)}]" \
                if interval.low is not None else ""
            p = sentence(rows, row, floor).replace("Holm-adjusted p", "p") \
                if row.p_value is not None else ""
            tie = "*" if row.tied_for_first else " "
            lines.append(f"  {row.rank:>2}{tie} {row.model:<24} {shown:>10} {span:<22} {p}")
        tied = [r.model for r in rows if r.tied_for_first]
        if len(rows) == 1:
            lines.append(f"  {rows[0].model} is the only candidate")
        elif len(tied) == 1:
            lines.append(f"  verdict: {tied[0]} is best on {metric}; the others are "
                         "significantly worse")
        else:
            lines.append(f"  verdict: {', '.join(tied)} are not significantly different on "
                         f"{metric}; choose among them on cost")
    return "\n".join(lines).lstrip("\n")


def _count(n: int) -> str:
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n / 1e3:.1f} k" if n >= 1e3 else str(n)


def plan_text(report: Any) -> str:
    """The run matrix: split sizes, cells with digests, trainable parameters per stage."""
    plan = report.plan
    lines = []
    for task, sizes in report.sizes.items():
        lines.append(f"task {task}: train {sizes['train']}, validation {sizes['validation']}, "
                     f"test {sizes['test']}")
        also = [f"{e.name} ({'extra set' if e.kind == 'set' else 'perturbation'})"
                for e in plan.evaluations.get(task, ())]
        if also:
            lines.append(f"  also evaluates: {', '.join(also)}")
    lines.append("")
    for row in report.models:
        params = row["params"]
        lines.append(f"{row['task']} × {row['model']}: {_count(params['total'])} parameters")
        for stage in row["stages"]:
            lines.append(f"  stage {stage['stage']:<12} train = {stage['train']:<5} "
                         f"{_count(stage['trainable']):>9} trainable")
    lines.append("")
    shown = {row["model"] for row in report.models}
    cells = [c for c in plan.cells if c.model in shown]
    noun = "cell" if len(cells) == 1 else "cells"
    lines.append(f"{len(cells)} {noun} (task / model / seed → digest, cache):")
    for cell in cells:
        lines.append(f"  {cell.key:<48} {cell.digest}  {report.cache[cell.digest]}")
    return "\n".join(lines)


def reproduction_text(found: Any) -> str:
    """Original against reproduced value, metric by metric."""
    lines = [f"{'cell':<40} {'metric':<18} {'original':>12} {'reproduced':>12} {'gap':>10}"]
    for row in found.rows:
        gap = "—" if row.gap is None else f"{row.gap:.2e}"
        mark = "ok" if row.within(found.tolerance) else "DIFFERS"
        lines.append(f"{row.cell:<40} {row.metric:<18} {_number(row.original):>12} "
                     f"{_number(row.reproduced):>12} {gap:>10}  {mark}")
    lines.append(f"tolerance {found.tolerance:g}: {len(found.rows) - len(found.failures)} of "
                 f"{len(found.rows)} values reproduced")
    return "\n".join(lines)
