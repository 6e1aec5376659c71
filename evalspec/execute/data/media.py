"""Image and audio files: which extensions count, and a fast check that an image opens."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
AUDIO_EXTENSIONS = frozenset({".wav", ".flac"})


def image_problem(path: Path) -> str | None:
    """None when the file is a readable image; else what is wrong and the fix. Reads only
    the header (PIL's `verify`), so a folder of thousands of images checks in seconds."""
    try:
        with Image.open(path) as image:
            image.verify()
    except Exception as error:  # noqa: BLE001 - PIL raises many kinds for a broken file
        reason = str(error) or type(error).__name__
        return f"not a readable image ({reason}); replace or remove the file"
    return None
