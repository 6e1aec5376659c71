"""Tests here run real (tiny) trainings."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _single_threaded(single_threaded: None) -> None:
    """Offline, on one intra-op thread (see tests/conftest.py)."""
