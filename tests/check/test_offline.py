"""Offline (`HF_HUB_OFFLINE=1` or `TRANSFORMERS_OFFLINE=1`), a hub model that is not in the
local cache: `check` warns with the download to run, and `run` stops on that very message,
as an error, before it reads any data or trains any model."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalspec import api
from evalspec.check.models import downloads_refused
from evalspec.cli.main import main
from tests import tiny

from .conftest import CASES

MISSING = "evalspec-tests/never-cached"


def spec_with_a_missing_hub_model(folder: Path) -> Path:
    """A scratch model, then a hub model (at a revision) the cache does not hold."""
    return tiny.write(folder, tiny.spec(
        tiny.task(tiny.reviews(tiny.REVIEWS)),
        tiny.model("lstm", tiny.scratch("lstm", hidden=16), max_length=16),
        tiny.model("hub", f'hf("{MISSING}", revision = "v1")', max_length=16)))


@pytest.fixture
def no_data_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a task's data fails the test."""
    import evalspec.execute.runner as runner

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run read data before refusing the download")

    monkeypatch.setattr(runner, "load_data", refuse)


def message(spec: Path, hub_cache: Path, severity: str, variable: str) -> str:
    return (f"{spec}:12:19: {severity}[ES406]: `{MISSING}` is not in the local Hugging Face "
            f"cache ({hub_cache}), and {variable}=1 forbids downloading it")


HINT = (f"`evalspec run` stops here: fetch it first where the hub is reachable (`hf download "
        f"{MISSING} --revision v1`, with HF_HUB_OFFLINE unset) or use `path(…)`")


def test_run_stops_at_once_with_the_message_check_gives(
        tmp_path: Path, hub_cache: Path, no_data_read: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = spec_with_a_missing_hub_model(tmp_path)
    assert main(["check", str(spec)]) == 0
    warned = capsys.readouterr().out
    assert message(spec, hub_cache, "warning", "HF_HUB_OFFLINE") in warned and HINT in warned

    out = tmp_path / "out"
    assert tiny.run(spec, out) == 1  # the spec cannot run here: exit 1, as for check errors
    stopped = capsys.readouterr().out
    assert message(spec, hub_cache, "error", "HF_HUB_OFFLINE") in stopped and HINT in stopped
    assert not (out / "results.json").exists()  # the scratch model was not trained either


def test_transformers_offline_is_named_when_it_decides(
        tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch, no_data_read: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    spec = spec_with_a_missing_hub_model(tmp_path)
    assert tiny.run(spec, tmp_path / "out") == 1
    assert message(spec, hub_cache, "error", "TRANSFORMERS_OFFLINE") in capsys.readouterr().out


def test_online_the_missing_model_is_only_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    checked = api.check(spec_with_a_missing_hub_model(tmp_path))
    [warning] = checked.diagnostics
    assert checked.ok and not warning.is_error
    assert warning.hint == (f"`evalspec run` will download it; to work offline, fetch it first "
                            f"(`hf download {MISSING} --revision v1`) or use `path(…)`")
    assert checked.validated is not None
    assert downloads_refused(checked.validated, tmp_path) == []


def test_only_the_models_that_run_are_refused(tmp_path: Path) -> None:
    checked = api.check(spec_with_a_missing_hub_model(tmp_path))
    assert checked.validated is not None
    assert [d.code for d in downloads_refused(checked.validated, tmp_path)] == ["ES406"]
    assert downloads_refused(checked.validated, tmp_path, ("lstm",)) == []


def test_a_pretrained_timm_model_is_refused_the_same_way(hub_cache: Path) -> None:
    checked = api.check(CASES / "valid_images.evalspec")
    assert checked.validated is not None
    [refused] = downloads_refused(checked.validated, CASES)
    assert (refused.is_error, refused.span.line, refused.span.column) == (True, 33, 21)
    assert refused.message == ("timm model `resnet18.a1_in1k` is not in the local Hugging Face "
                               f"cache ({hub_cache}), and HF_HUB_OFFLINE=1 forbids downloading it")
    assert "`hf download timm/resnet18.a1_in1k`" in (refused.hint or "")
