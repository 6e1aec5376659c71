"""Fixtures for the whole suite: offline model hubs, one intra-op thread where tests train,
the committed results folder, and a tiny spec written and run (see tests/tiny.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import tiny
from tests.committed import RUN

os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub reads it at import
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def single_threaded() -> Iterator[None]:
    """Offline; one intra-op thread (tiny models on a few shared cores run several times
    faster without thread contention). torch loads here, not when this file is read, so
    tests that must not load it still can."""
    import torch
    from transformers.utils import logging

    os.environ["HF_HUB_OFFLINE"] = "1"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A private copy of the committed results folder (results.json + predictions)."""
    folder = tmp_path / "run"
    shutil.copytree(RUN, folder)
    return folder


@pytest.fixture
def run_tiny(tmp_path: Path) -> Callable[..., tiny.Results]:
    """`run_tiny(text, **options)`: the spec written to tmp_path/test.evalspec and run by
    `api.run` on the CPU into tmp_path/out; the results document."""
    def run(text: str, **options: Any) -> tiny.Results:
        return tiny.run_api(tiny.write(tmp_path, text), tmp_path / "out", **options)
    return run
