"""The time a run has left, from its measured throughput: the training examples its
remaining cells hold, each stage at the examples per second that stage trained at so far,
plus per cell the time finished cells spent outside training."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass

from evalspec.execute.events import Event
from evalspec.plan import StagePlan

MIN_STEPS = 3  # optimizer steps measured before a rate is trusted


def stage_examples(stage: StagePlan, train_size: int) -> int:
    """Training examples a stage draws when it runs every epoch (`max_steps` caps it; early
    stopping and a race only shorten it, so the estimate is an upper bound)."""
    drawn = stage.epochs * train_size
    if stage.max_steps:
        drawn = min(drawn, stage.max_steps * stage.batch_size * stage.accumulate)
    return drawn


@dataclass(frozen=True)
class Work:
    """One cell of a run as the estimate sees it."""

    model: str
    stages: tuple[StagePlan, ...]
    train_size: int
    cached: bool  # finished in the cache when the run began: it costs nothing

    def left(self, position: Event | None) -> Iterator[tuple[int, int]]:
        """(stage index, examples) still to train after a step or epoch event's position
        (its stage, epoch and examples drawn in that epoch; None: before the first)."""
        for index, stage in enumerate(self.stages):
            total = stage_examples(stage, self.train_size)
            if position is None or index > position["stage_index"]:
                yield index, total
            elif index == position["stage_index"]:
                drawn = (position["epoch"] - 1) * self.train_size + position["examples"]
                yield index, max(0, total - drawn)


@dataclass
class Rate:
    """Examples trained, the seconds training them took (validation and checkpoints
    included) and the optimizer steps."""

    examples: int = 0
    seconds: float = 0.0
    steps: int = 0

    def known(self) -> bool:
        return self.steps >= MIN_STEPS and self.examples > 0


class TimeLeft:
    """Passes each event on, with `eta` (seconds) added to cell, step and epoch events once
    there is a measurement to base it on.

    Each stage still to train is charged at the rate measured for that model's same stage;
    else at another model's rate on that stage scaled by their parameter counts (`built`
    events: a model with N times the parameters is taken to train N times slower), else for
    that stage over every model, else for all training so far; the time a cell
    spends outside training (building the model, encoding, predicting, measuring cost) is
    the mean over the cells finished, charged once per cell still to train. Cached cells
    cost nothing.
    """

    def __init__(self, cells: Sequence[Work], forward: Callable[[Event], None],
                 clock: Callable[[], float] = time.perf_counter):
        self.cells, self.forward, self.clock = list(cells), forward, clock
        self.rates: dict[Hashable, Rate] = {}  # by (model, stage index), stage index, None
        self.current: int | None = None  # index of the cell in progress
        self.trains = False  # whether it trains (else it comes from the cache)
        self.started = 0.0  # when it began
        self.latest: Event | None = None  # its latest step or epoch event
        self.finished, self.outside = 0, 0.0  # cells trained; their time outside training
        self.parameters: dict[str, int] = {}  # by model, from its `built` event

    def __call__(self, event: Event) -> None:
        kind = event.get("kind")
        if kind == "cell":
            self._close()
            self.current, self.trains = event["number"] - 1, not event.get("cached")
            self.started, self.latest = self.clock(), None
        elif kind in ("step", "epoch"):
            self._measure(event)
        elif kind == "built":
            self.parameters[event["model"]] = event["parameters"]
        if kind in ("cell", "step", "epoch"):
            left = self.seconds_left()
            if left is not None:
                event = {**event, "eta": left}
        self.forward(event)

    def _measure(self, event: Event) -> None:
        """Add what the trainer did since its previous event to its stage's rates."""
        before = self.latest or {"trained": 0, "training": 0.0, "trained_steps": 0}
        assert self.current is not None
        stage = event["stage_index"]
        for key in ((self.cells[self.current].model, stage), stage, None):
            rate = self.rates.setdefault(key, Rate())
            rate.examples += event["trained"] - before["trained"]
            rate.seconds += event["training"] - before["training"]
            rate.steps += event["trained_steps"] - before["trained_steps"]
        self.latest = event

    def _close(self) -> None:
        """Count the time the cell that just ended spent outside training, if it trained."""
        if self.current is not None and self.trains:
            self.finished += 1
            self.outside += self._outside()

    def _outside(self) -> float:
        training = self.latest["training"] if self.latest else 0.0
        return self.clock() - self.started - training

    def _seconds_per_example(self, model: str, stage: int) -> float | None:
        own = self.rates.get((model, stage))
        if own is not None and own.known():
            return own.seconds / own.examples
        size = self.parameters.get(model)
        for key, rate in self.rates.items():
            if isinstance(key, tuple) and key[1] == stage and rate.known() and size \
                    and self.parameters.get(key[0]):
                return rate.seconds / rate.examples * size / self.parameters[key[0]]
        found = next((r for key in (stage, None)
                      if (r := self.rates.get(key)) is not None and r.known()), None)
        return found.seconds / found.examples if found else None

    def seconds_left(self) -> float | None:
        """None until a few steps, or a whole cell, are measured."""
        if self.current is None:
            return None
        later = [w for w in self.cells[self.current + 1:] if not w.cached]
        left = [(w.model, s, n) for w in later for s, n in w.left(None)]
        if self.trains:
            work = self.cells[self.current]
            left += [(work.model, s, n) for s, n in work.left(self.latest)]
        overall = self.rates.get(None)
        if not self.finished and (overall is None or not overall.known()):
            return None
        seconds = 0.0
        for model, stage, examples in left:
            if examples:
                each = self._seconds_per_example(model, stage)
                if each is None:
                    return None
                seconds += examples * each
        if self.finished:
            outside = self.outside / self.finished
            seconds += outside * len(later)
            if self.trains:  # what this cell has yet to spend outside training
                seconds += max(0.0, outside - self._outside())
        return seconds
