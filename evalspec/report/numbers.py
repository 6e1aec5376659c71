"""How numbers read in reports: one function per kind of quantity, used by the view model."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import Any

MISSING = "—"

# Characters that reorder or hide text (bidi controls, zero-width marks): shown as U+XXXX.
_INVISIBLE = {0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def visible(text: str, *, keep_lines: bool = False) -> str:
    """`text` with control, bidi-override and zero-width characters written as `U+XXXX`, so
    a name can neither reorder nor hide what follows it."""
    out = []
    for char in str(text):
        if keep_lines and char in "\n\t":
            out.append(char)
        elif ord(char) in _INVISIBLE or unicodedata.category(char) == "Cc":
            out.append(f"U+{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


def written(value: Any) -> str:
    """A value read from a results file as the spec language writes it: a string as itself,
    `true`/`false`, lists in brackets, records as `key value` pairs; never a Python repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return MISSING
    if isinstance(value, Mapping):
        return ", ".join(f"{visible(str(k))} {written(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(written(v) for v in value) + "]"
    return visible(str(value))


def number(value: float | None) -> str:
    """A metric value: 3 decimals below 10, 1 below 1000, thousands separators above;
    scientific for tiny non-zero values."""
    if value is None or not math.isfinite(value):
        return MISSING
    size = abs(value)
    if size == 0:
        return "0.000"
    if size < 1e-3:
        return f"{value:.2e}"
    if size < 10:
        return f"{value:.3f}"
    if size < 1000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def signed(value: float) -> str:
    """A difference with its sign: +0.012, -0.081, 0.000."""
    text = number(value)
    return "+" + text if value > 0 and text != number(0.0) else text


def span(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return MISSING
    return f"{number(low)} – {number(high)}"


def p_value(value: float | None, *, at_most: bool = False) -> str:
    """A p-value: 3 decimals, `< 0.001` below that. With `at_most` (a bootstrap p-value at
    its floor, so the true p may be smaller) `≤ x`, x rounded up so that it stays true."""
    if value is None:
        return MISSING
    if at_most:
        return "≤ " + _rounded_up(value)
    return "< 0.001" if value < 1e-3 else f"{value:.3f}"


def _rounded_up(value: float) -> str:
    """3 decimals (3 significant digits below 0.001), never less than `value`."""
    if value >= 1e-3:
        return f"{math.ceil(value * 1000 - 1e-9) / 1000:.3f}"
    scale = 10.0 ** (math.floor(math.log10(value)) - 2)
    return f"{math.ceil(value / scale - 1e-9) * scale:.2e}"


def count(value: int | None) -> str:
    """Parameter counts: 4.93 M, 12.3 k, 812."""
    if value is None:
        return MISSING
    if value >= 1e9:
        return f"{value / 1e9:.2f} B"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k"
    return str(value)


def milliseconds(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms" if value < 100 \
        else f"{value:,.0f} ms"


def seconds(value: float | None) -> str:
    if value is None:
        return MISSING
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {rest:02d} s"


def mebibytes(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.0f} MiB"


def per_second(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.1f}/s"


def percent(value: float) -> str:
    """A share as a whole percentage (confidence levels)."""
    return f"{value * 100:.0f}%" if abs(value * 100 - round(value * 100)) < 1e-9 \
        else f"{value * 100:.1f}%"


def share(value: float) -> str:
    """A position along a bar, for CSS: 0.0% … 100.0%."""
    return f"{min(max(value, 0.0), 1.0) * 100:.1f}%"
