"""`compile = true`: the training forward through `torch.compile`, and eager again when
compiling fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import nn

BACKEND: Any = "inductor"  # what torch.compile is given (tests give a failing one)
REASON_CHARS = 300
T = TypeVar("T")


class CompiledModel:
    """Calls `module` through `torch.compile` until compiling fails, then calls it as it is.

    Compiling happens on the first call, so `first` runs the first forward and backward:
    when they raise, it puts back what the attempt changed (the random number generators,
    the module's buffers such as batch-norm statistics, its gradients), keeps the reason in
    `failure`, and runs them again without compiling. Once they succeed, a later
    recompilation that fails (for a new input shape) runs that code eagerly instead
    (torch's `suppress_errors`, with torch's warning). The module's weights are shared, so
    its state dict is unchanged either way.
    """

    def __init__(self, module: nn.Module, dynamic: bool | None = None):
        """`dynamic`: compile for inputs of any shape at once (batches of varying length),
        rather than once per shape until dynamo sees that the shape varies."""
        self.module = module
        # what earlier cells compiled is dropped: their graphs guard on their own modules,
        # and they count towards dynamo's recompilation limit per function, past which it
        # would run this model eagerly without a word
        torch._dynamo.reset()
        self.compiled = torch.compile(module, backend=BACKEND, dynamic=dynamic)
        self.proven = False
        self.failure: str | None = None

    @property
    def untried(self) -> bool:
        """Whether the first forward and backward are still to run (through `first`)."""
        return not self.proven and self.failure is None

    def __call__(self, batch: Any) -> torch.Tensor:
        if self.failure:
            return self.module(batch)
        # once proven, code that fails to compile again (a new input shape) runs eagerly
        # with torch's warning rather than ending the run; before, failing is the signal
        with torch._dynamo.config.patch(suppress_errors=self.proven):
            return self.compiled(batch)

    def first(self, run: Callable[[], T]) -> T:
        """`run()` (a forward and backward through this model), eager if compiling fails."""
        cuda = sorted({p.device for p in self.module.parameters() if p.device.type == "cuda"},
                      key=str)
        generators = torch.get_rng_state(), [torch.cuda.get_rng_state(d) for d in cuda]
        buffers = {name: value.detach().clone() for name, value in
                   self.module.named_buffers()}
        try:
            found = run()
        except Exception as error:  # any failure to compile: eager is the fallback
            self.failure = reason(error)
        else:
            self.proven = True
            return found
        torch.set_rng_state(generators[0])
        for device, state in zip(cuda, generators[1], strict=True):
            torch.cuda.set_rng_state(state, device)
        with torch.no_grad():
            for name, value in self.module.named_buffers():
                value.copy_(buffers[name])
        self.module.zero_grad(set_to_none=True)
        return run()


def reason(error: BaseException) -> str:
    """The first line of the exception at the root of `error` (a compiler backend's own
    error, not dynamo's wrapper around it), for a one-line warning."""
    while (cause := getattr(error, "inner_exception", None) or error.__cause__) is not None:
        error = cause
    lines = [line for line in str(error).splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS - 1] + "…"
