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


def test_many_inputs_decode_in_workers_in_order() -> None:
    count = feed.PARALLEL_FROM + 37
    assert feed.decode_workers(count) == min(len(os.sched_getaffinity(0)), feed.MAX_WORKERS)
    if feed.decode_workers(count) < 2:
        pytest.skip("one usable core: decoding stays in this process")
    def decode(value: int) -> tuple[int, torch.Tensor]:
        return os.getpid(), square(value)
    decoded = feed.decode_all(decode, list(range(count)))
    pids = [pid for pid, _ in decoded]
    assert os.getpid() not in pids and len(set(pids)) >= 2  # decoded by several workers
    assert [float(t[0, 0]) for _, t in decoded] == [float(i * i) for i in range(count)]


def test_decoded_tensors_hold_no_file_descriptors() -> None:
    """A tensor sent from a worker keeps a shared-memory file descriptor open while it
    lives; the decoded ones are copied, so 4,000 images do not hit the descriptor limit."""
    if feed.decode_workers(4000) < 2:
        pytest.skip("one usable core: decoding stays in this process")
    before = len(os.listdir("/proc/self/fd"))
    decoded = feed.decode_all(square, list(range(4000, 8000)))
    assert len(decoded) == 4000
    assert len(os.listdir("/proc/self/fd")) < before + 50


def test_a_workers_error_arrives_as_raised() -> None:
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
    assert torch.equal(feed.indices_on([4, 1], torch.device("cpu")), torch.tensor([4, 1]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_batch_is_copied_from_pinned_memory() -> None:
    batch = feed.to_device({"x": torch.arange(6)}, torch.device("cuda"))
    assert batch["x"].device.type == "cuda"
    assert torch.equal(batch["x"].cpu(), torch.arange(6))
