"""Feeding the device: files decoded in worker processes (in order, errors intact), and
pinned memory only for a GPU."""

from __future__ import annotations

import multiprocessing
import os
from types import SimpleNamespace

import pytest
import torch

from evalspec.errors import RunError
from evalspec.execute.training import feed


def square(value: int) -> torch.Tensor:
    if value == 300:
        raise RunError(f"clip{value}.wav: no samples; record it again", "ES501")
    return torch.full((2, 3), float(value * value))


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers decode from MIN_CORES usable cores; this machine may have fewer, so two are
    made enough (the worker processes are real, one per core)."""
    if feed.usable_cores() < 2:
        pytest.skip("one usable core")
    monkeypatch.setattr(feed, "MIN_CORES", 2)


def test_many_inputs_decode_in_workers_in_order(two_cores: None) -> None:
    count = feed.PARALLEL_FROM + 37
    assert feed.decode_workers(count) == min(feed.usable_cores(), feed.MAX_WORKERS)

    def decode(value: int) -> tuple[int, torch.Tensor]:
        return os.getpid(), square(value)
    decoded = feed.decode_all(decode, list(range(count)))
    pids = [pid for pid, _ in decoded]
    assert os.getpid() not in pids and len(set(pids)) >= 2  # decoded by several workers
    assert [float(t[0, 0]) for _, t in decoded] == [float(i * i) for i in range(count)]
    assert all(isinstance(t, torch.Tensor) and t.shape == (2, 3) for _, t in decoded)


def test_decoded_tensors_hold_no_file_descriptors(two_cores: None) -> None:
    """A tensor sent from a worker as a tensor would keep a shared-memory file descriptor
    open while it lives; they come back as arrays, so 4,000 images do not approach the
    descriptor limit."""
    before = len(os.listdir("/proc/self/fd"))
    decoded = feed.decode_all(square, list(range(4000, 8000)))
    assert len(decoded) == 4000
    assert len(os.listdir("/proc/self/fd")) < before + 50


def test_few_cores_decode_here() -> None:
    if feed.usable_cores() >= feed.MIN_CORES:
        pytest.skip("this machine has enough cores for workers")
    assert feed.decode_workers(10 * feed.PARALLEL_FROM) == 0


def test_a_workers_error_arrives_as_raised(two_cores: None) -> None:
    with pytest.raises(RunError) as raised:
        feed.decode_all(square, list(range(2 * feed.PARALLEL_FROM)))
    assert raised.value.code == "ES501"
    assert str(raised.value) == "clip300.wav: no samples; record it again"  # no traceback


def test_few_inputs_or_a_daemon_decode_here(monkeypatch: pytest.MonkeyPatch) -> None:
    assert feed.decode_workers(feed.PARALLEL_FROM - 1) == 0
    here = feed.decode_all(lambda value: (os.getpid(), value), [1, 2])
    assert here == [(os.getpid(), 1), (os.getpid(), 2)]
    monkeypatch.setattr(multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    assert feed.decode_workers(10 * feed.PARALLEL_FROM) == 0


def test_pinned_memory_is_off_on_the_cpu() -> None:
    batch = feed.to_device({"x": torch.arange(6).reshape(2, 3)}, torch.device("cpu"))
    assert not batch["x"].is_pinned()
    assert not feed.moved(torch.tensor([4, 1]), torch.device("cpu")).is_pinned()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_batch_is_copied_from_pinned_memory() -> None:
    batch = feed.to_device({"x": torch.arange(6)}, torch.device("cuda"))
    assert batch["x"].device.type == "cuda"
    assert torch.equal(batch["x"].cpu(), torch.arange(6))
