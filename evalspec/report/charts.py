"""Charts as SVG text, drawn by matplotlib (Agg-free, no pyplot state) from the view
model's figures: `DRAW` by figure type. matplotlib writes text as escaped XML
(`svg.fonttype = none` keeps it as `<text>`); `svg.inline` then checks every chart before
it reaches a page. Only `drawings.py` calls this module, for the figures it has no
drawing of yet.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from evalspec.report.figures import Learning, Line, Plot, Tradeoff

INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"


@contextmanager
def _style(salt: str) -> Iterator[None]:
    with matplotlib.rc_context({
        "svg.fonttype": "none", "svg.hashsalt": salt, "text.parse_math": False,
        "font.family": "sans-serif", "font.size": 9, "axes.titlesize": 10,
        "axes.titleweight": "bold", "axes.titlecolor": INK, "axes.labelcolor": MUTED,
        "axes.edgecolor": "#d1d5db", "axes.linewidth": 0.8, "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.color": GRID,
        "grid.linewidth": 0.6, "xtick.color": MUTED, "ytick.color": MUTED,
        "xtick.major.size": 0, "ytick.major.size": 0, "legend.frameon": False,
        "legend.fontsize": 8, "lines.linewidth": 1.8, "path.simplify": True,
    }):
        yield


def _svg(figure: Figure, salt: str) -> str:
    buffer = io.StringIO()
    with _style(salt):
        figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.05,
                       metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return buffer.getvalue()


def _line(axes: Axes, line: Line) -> None:
    axes.plot(line.x, line.y, color=line.colour, label=line.label,
              linestyle=(0, (4, 3)) if line.dashed else "-",
              linewidth=1.1 if line.dashed else 1.8,
              marker="o" if line.markers else None, markersize=4)


def plot(figure_data: Plot) -> str:
    with _style(figure_data.id):
        figure = Figure(figsize=(3.5, 3.3))
        axes = figure.add_subplot()
        if figure_data.reference is not None:
            _line(axes, figure_data.reference)
        for line in figure_data.lines:
            _line(axes, line)
        axes.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.04), xlabel=figure_data.xlabel,
                 ylabel=figure_data.ylabel, title=figure_data.title)
        axes.set_aspect("equal")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1)
    return _svg(figure, figure_data.id)


def learning(figure_data: Learning) -> str:
    count = len(figure_data.panels)
    columns = min(count, 3)
    rows = -(-count // columns)
    with _style(figure_data.id):
        width = min(10.2 / columns, 4.6)
        figure = Figure(figsize=(width * columns, 2.8 * rows + 0.3), layout="constrained")
        grid = figure.subplots(rows, columns, squeeze=False, sharey=True)
        for index, axes in enumerate(grid.flat):
            if index >= count:
                axes.set_visible(False)
                continue
            panel = figure_data.panels[index]
            for number, boundary in enumerate(panel.boundaries):
                if number:
                    axes.axvline(boundary.x, color="#d1d5db", linewidth=0.8)
                axes.annotate(boundary.name, (boundary.x, 1), xycoords=("data", "axes fraction"),
                              xytext=(3, -2), textcoords="offset points", va="top",
                              fontsize=7.5, color=MUTED)
            for line in panel.lines:
                _line(axes, line)
                if len(line.x) == 1:  # a one-epoch curve is a point
                    axes.plot(line.x, line.y, marker="o", markersize=4, color=line.colour)
            last = max((x for line in panel.lines for x in line.x), default=1.0)
            axes.set_xlim(0.5, last + 0.5)
            if panel.best:
                xs, ys = zip(*panel.best, strict=True)
                axes.plot(xs, ys, linestyle="none", marker="o", markersize=4.5, color=INK)
            axes.set_title(panel.title, loc="left")
            axes.set_xlabel("epoch")
            axes.xaxis.get_major_locator().set_params(integer=True)
        grid[0][0].set_ylabel("loss")
    return _svg(figure, figure_data.id)


def tradeoff(figure_data: Tradeoff) -> str:
    count = len(figure_data.panels)
    with _style(figure_data.id):
        figure = Figure(figsize=(3.6 * count, 3.0), layout="constrained")
        grid = figure.subplots(1, count, squeeze=False, sharey=True)
        for axes, panel in zip(grid[0], figure_data.panels, strict=True):
            for point in panel.points:
                if point.low is not None and point.high is not None:
                    axes.vlines(point.x, point.low, point.high, color=point.colour,
                                linewidth=2.2, alpha=0.35)
                axes.plot([point.x], [point.y], marker="D" if point.pick else "o",
                          markersize=7 if point.pick else 5.5, color=point.colour,
                          markeredgecolor=INK if point.pick else point.colour)
                axes.annotate(point.label, (point.x, point.y), xytext=(6, 4),
                              textcoords="offset points", fontsize=8, color=INK)
            axes.set_xscale("log")
            axes.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axes.xaxis.set_major_formatter(FuncFormatter(_compact))
            axes.xaxis.set_minor_formatter(NullFormatter())
            axes.margins(x=0.25, y=0.15)
            axes.set_xlabel(panel.xlabel)
        grid[0][0].set_ylabel(figure_data.ylabel)
    return _svg(figure, figure_data.id)


def _compact(value: float, _position: int) -> str:
    """Log-axis ticks as plain text (no mathtext): 0.1, 1, 10, 1k, 1M."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


DRAW: dict[type, Callable[[Any], str]] = {Plot: plot, Learning: learning, Tradeoff: tradeoff}
