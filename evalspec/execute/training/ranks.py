"""The processes that train one cell together (`run --nproc`): each rank's share of a batch
and the collectives that keep the ranks in step. One process (the default) needs none."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class Ranks:
    """This process's `rank` among `world` (a process group already set up when world > 1);
    `device` holds the tensors of the collectives (NCCL needs them on the GPU)."""

    rank: int = 0
    world: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def lead(self) -> bool:
        """The rank that writes checkpoints, weights and the outcome."""
        return self.rank == 0

    def share(self, indices: list[int]) -> tuple[list[int], float]:
        """This rank's examples of a batch (every `world`th, from its rank) and their
        fraction of the batch, which weights its mean loss so that the ranks' summed
        gradients are the whole batch's. A rank left without examples trains the batch's
        first one with weight 0, so that every rank's gradients have the same shape."""
        mine = indices[self.rank::self.world]
        return (mine, len(mine) / len(indices)) if mine else (indices[:1], 0.0)

    def seed_epoch(self, seed: int) -> None:
        """With several ranks, each its own random stream for an epoch (dropout masks that
        differ between ranks, as they differ between a batch's examples in one process)."""
        if self.world > 1:
            torch.manual_seed(seed * self.world + self.rank)

    def totals(self, values: torch.Tensor) -> list[float]:
        """Each of a vector's values summed over the ranks, read back to the host."""
        if self.world > 1:
            values = values.detach().to(self.device, torch.float64)
            torch.distributed.all_reduce(values)
        return [float(v) for v in values.tolist()]

    def any(self, flag: bool) -> bool:
        """Whether any rank's flag is set (all ranks stop at the same step)."""
        if self.world == 1:
            return flag
        found = torch.tensor([int(flag)], device=self.device)
        torch.distributed.all_reduce(found, torch.distributed.ReduceOp.MAX)
        return bool(found.item())

    def sum_gradients(self, parameters: Iterable[torch.nn.Parameter]) -> None:
        """Every gradient summed over the ranks, one flat all-reduce per dtype."""
        if self.world == 1:
            return
        grouped: dict[torch.dtype, list[torch.Tensor]] = {}
        for parameter in parameters:
            if parameter.grad is not None:
                grouped.setdefault(parameter.grad.dtype, []).append(parameter.grad)
        for grads in grouped.values():
            flat = torch.cat([g.reshape(-1) for g in grads])
            torch.distributed.all_reduce(flat)
            offset = 0
            for grad in grads:
                grad.copy_(flat[offset:offset + grad.numel()].view_as(grad))
                offset += grad.numel()
