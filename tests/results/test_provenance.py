"""Provenance: the hub commit of a cached model, the device's name, preprocessing."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec.results import provenance

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_hub_commit_is_read_from_the_local_cache(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("huggingface_hub")
    import huggingface_hub.constants as constants

    repo = tmp_path / "models--org--tiny"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "snapshots" / COMMIT).mkdir(parents=True)
    (repo / "snapshots" / COMMIT / "config.json").write_text("{}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    assert provenance.hub_commit({"hub_id": "org/tiny", "revision": "main"}) == COMMIT
    assert provenance.hub_commit({"hub_id": "org/absent", "revision": "main"}) is None
    assert provenance.hub_commit({"hub_id": "org/x", "revision": COMMIT}) == COMMIT
    assert provenance.hub_commit({"architecture": "resnet18"}) is None


def test_identity_and_preprocessing_from_details() -> None:
    details = {"architecture": "resnet10t", "image_size": 32, "mean": [0.5, 0.5, 0.5],
               "std": [0.25, 0.25, 0.25], "interpolation": "bicubic"}
    found = provenance.identity({"family": "image", "source": "scratch", "details": details})
    assert found["revision"] is None and found["details"] == details
    assert provenance.preprocessing(details) == {
        "image_size": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
        "interpolation": "bicubic", "max_length": None}


def test_the_cpu_has_a_name() -> None:
    assert provenance.device_name("cpu").strip()
