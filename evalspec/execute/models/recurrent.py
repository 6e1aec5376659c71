"""A recurrent encoder (stacked LSTM or GRU layers) over any embedded sequence: word ids for
text, frames of features for audio. It returns the sequence output, as a transformer does."""

from __future__ import annotations

import torch
from torch import nn

CELLS: dict[str, type[nn.Module]] = {"lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentEncoder(nn.Module):
    """`embed` maps `batch[input_key]` to [B, T, hidden] (or [B, T, first_input] when the
    first layer reads another width); each layer reads the packed
    sequence (padding skipped) and the output is [B, T, hidden] again."""

    def __init__(self, embed: nn.Module, hidden: int, layers: int, cell: str,
                 bidirectional: bool, input_key: str = "input_ids",
                 first_input: int | None = None):
        super().__init__()
        self.embed = embed
        self.input_key = input_key
        size = hidden // 2 if bidirectional else hidden
        self.layers = nn.ModuleList(
            CELLS[cell](first_input if i == 0 and first_input else hidden, size,
                        batch_first=True, bidirectional=bidirectional)
            for i in range(layers))

    def forward(self, attention_mask: torch.Tensor, **batch: torch.Tensor) -> torch.Tensor:
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        lengths = attention_mask.sum(dim=1).clamp(min=1).cpu()
        x = self.embed(batch[self.input_key])
        width = x.size(1)
        for layer in self.layers:
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, _ = layer(packed)
            x, _ = pad_packed_sequence(out, batch_first=True, total_length=width)
        return x
