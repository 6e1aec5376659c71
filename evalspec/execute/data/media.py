"""Image and audio files: which extensions count, and fast checks that a file opens."""

from __future__ import annotations

from pathlib import Path

import soundfile
from PIL import Image

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
AUDIO_EXTENSIONS = frozenset({".wav", ".flac"})
AUDIO_ERRORS = (soundfile.SoundFileError, RuntimeError, OSError)  # what soundfile raises
NO_SAMPLES = "holds no samples; replace or remove the file"


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


def audio_problem(path: Path) -> str | None:
    """None when the file is a readable WAV or FLAC file with samples; else what is wrong
    and the fix. Reads only the header (`soundfile.info`); a silent clip is found when it
    is decoded (`audio.read_clip`)."""
    try:
        frames = soundfile.info(str(path)).frames
    except AUDIO_ERRORS as error:
        return unreadable_audio(error)
    return NO_SAMPLES if frames == 0 else None


def unreadable_audio(error: Exception) -> str:
    """The problem of a file soundfile cannot open or decode, with the fix."""
    reason = (getattr(error, "error_string", None) or getattr(error, "strerror", None)
              or str(error) or type(error).__name__)
    return f"not a readable WAV or FLAC file ({reason.rstrip('.')}); replace or remove the file"
