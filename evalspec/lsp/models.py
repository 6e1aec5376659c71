"""Model names the editor can offer inside `hf("…")`: those in the local Hugging Face cache
(the folder `check` looks in), so a completed name runs offline."""

from __future__ import annotations

from evalspec.check.models import hub_cache
from evalspec.lsp.language import Choice

PREFIX = "models--"


def cached_models() -> list[Choice]:
    """Every model in the local hub cache, as `owner/name` (timm's models too)."""
    try:
        folders = sorted(hub_cache().iterdir())
    except OSError:
        return []
    return [Choice(folder.name[len(PREFIX):].replace("--", "/"), "model",
                   "in the local Hugging Face cache")
            for folder in folders if folder.name.startswith(PREFIX) and folder.is_dir()]
