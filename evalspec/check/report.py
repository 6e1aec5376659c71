"""Report rules (ES312): the report block's `out` stays inside the spec's folder (a shared
spec must not write elsewhere; `--out` on the command line may)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from evalspec.check.context import Context
from evalspec.diagnostics import Diagnostic


def report_out_stays_inside(ctx: Context) -> Iterator[Diagnostic]:
    """ES312: an absolute `out`, or one that climbs out of the spec's folder."""
    written = ctx.spec.report.out
    if written is None:
        return
    base = Path(os.path.normpath(ctx.base_dir.absolute()))
    target = Path(os.path.normpath(base / written))  # as written: no file system access
    if Path(written).is_absolute() or not target.is_relative_to(base):
        yield Diagnostic(
            "ES312", f"`out = \"{written}\"` leaves the spec's folder", ctx.spans.value(
                ("report", "out")),
            "write a folder inside it (`out = \"reports/name\"`), or choose any folder on the "
            "command line: `evalspec run SPEC --out DIR`")
