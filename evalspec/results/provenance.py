"""Provenance: where a run happened and exactly what each candidate was."""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path
from typing import Any

from evalspec.plan.matrix import runtime_versions

COMMIT = re.compile(r"[0-9a-f]{40}")


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else what the platform reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(device: str) -> str:
    """The GPU's name for a CUDA device (torch is already loaded during a run), else the CPU's."""
    if device.startswith("cuda"):
        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            return str(torch.cuda.get_device_name(device))
    return cpu_name()


def environment(device: str) -> dict[str, Any]:
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "machine": platform.machine(), "device": device, "device_name": device_name(device),
            "versions": runtime_versions()}


def hub_commit(details: dict[str, Any]) -> str | None:
    """The commit hash of a hub model's snapshot in the local cache, when it is there."""
    hub_id = details.get("hub_id")
    if not hub_id:
        return None
    revision = details.get("revision")
    if isinstance(revision, str) and COMMIT.fullmatch(revision):
        return revision
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(hub_id, "config.json", revision=revision)
    if not isinstance(found, str):
        return None
    snapshot = Path(found).parent.name
    return snapshot if COMMIT.fullmatch(snapshot) else None


def identity(raw: dict[str, Any]) -> dict[str, Any]:
    details = dict(raw.get("details") or {})
    return {"family": raw["family"], "source": raw["source"], "details": details,
            "revision": hub_commit(details)}


def preprocessing(details: dict[str, Any]) -> dict[str, Any]:
    """Input preparation recorded in a candidate's identity details."""
    def listed(key: str) -> list[float] | None:
        value = details.get(key)
        return [float(v) for v in value] if value is not None else None

    return {"image_size": details.get("image_size"), "mean": listed("mean"),
            "std": listed("std"), "interpolation": details.get("interpolation"),
            "max_length": details.get("max_length")}
