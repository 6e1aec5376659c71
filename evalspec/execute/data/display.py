"""Examples as a report shows them: texts cut to a readable length, images as small inline
PNG thumbnails, audio clips by file name."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

MAX_CHARACTERS = 400
THUMBNAIL = 96  # pixels on the longer side
SHOWN_FEATURES = 6


def shown(inputs: Mapping[str, Any], order: Sequence[str],
          ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per id (of those in `order`, the ids of `inputs`' rows): each input column as text a
    report can print."""
    position = {example: i for i, example in enumerate(order)}
    return {example: {column: _shown(column, values[position[example]])
                      for column, values in inputs.items()}
            for example in ids if example in position}


def _shown(column: str, value: Any) -> str:
    if column == "image":
        return thumbnail(value)
    if column == "audio":
        return "/".join(Path(str(getattr(value, "name", value))).parts[-2:])
    if column == "features":
        numbers = [f"{float(v):.4g}" for v in np.asarray(value)[:SHOWN_FEATURES]]
        more = ", …" if len(value) > SHOWN_FEATURES else ""
        return ", ".join(numbers) + more
    text = " ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= MAX_CHARACTERS else text[:MAX_CHARACTERS - 1] + "…"


def thumbnail(image: str | np.ndarray) -> str:
    """A `data:image/png;base64,…` URI of the image scaled to at most THUMBNAIL pixels a
    side (small images are scaled up, without smoothing, so that their pixels show)."""
    from PIL import Image

    picture = Image.fromarray(image) if isinstance(image, np.ndarray) else Image.open(image)
    with picture:
        scale = THUMBNAIL / max(picture.size)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        resized = picture.convert("RGB").resize(size, Image.Resampling.NEAREST if scale > 1
                                                else Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
