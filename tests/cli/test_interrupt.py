"""Ctrl-C that stops a command at once: exit 130, and only `run` promises to resume."""

from __future__ import annotations

import pytest

from evalspec import api
from evalspec.cli import main
from tests.committed import PROJECT


def stopped_at_once(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def test_run_keeps_what_finished_and_resumes(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(api, "run", stopped_at_once)
    assert main(["run", str(PROJECT / "tickets.evalspec")]) == 130
    assert capsys.readouterr().err.endswith("finished cells and the last complete checkpoint "
                                            "are kept — run the same command to resume\n")


def test_other_commands_promise_nothing(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(api, "check", stopped_at_once)
    assert main(["check", str(PROJECT / "tickets.evalspec")]) == 130
    assert capsys.readouterr().err == "evalspec: interrupted\n"
