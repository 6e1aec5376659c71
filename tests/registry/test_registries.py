"""The registries: duplicates refused, and every name declared once is honoured by every
stage that reads it (validation, check, execute) — no second list anywhere to drift."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest

from evalspec.registry.base import Registry
from evalspec.registry.data_sources import DATA_SOURCES
from evalspec.registry.datasets import BUILTIN_DATASETS
from evalspec.registry.metrics import METRICS
from evalspec.registry.models import MODEL_SOURCES, SCRATCH_ARCHS, WEIGHTS_LAYOUTS, modalities_of
from evalspec.registry.tasks import FAMILIES, TASK_TYPES
from evalspec.validate.model import CALLS
from evalspec.validate.model import DATA_SOURCES as DATA_CALLS
from evalspec.validate.model import MODEL_SOURCES as MODEL_CALLS


@dataclass(frozen=True)
class Entry:
    name: str
    value: int = 0


def test_a_registry_refuses_a_name_added_twice() -> None:
    registry: Registry[Entry] = Registry("thing")
    registry.add(Entry("a"))
    with pytest.raises(ValueError, match="thing `a` is registered twice"):
        registry.add(Entry("a", 1))
    assert dict(registry) == {"a": Entry("a")}


@pytest.mark.parametrize("registry", [TASK_TYPES, FAMILIES, METRICS, MODEL_SOURCES,
                                      DATA_SOURCES, BUILTIN_DATASETS, SCRATCH_ARCHS])
def test_the_real_registries_refuse_duplicates(registry: Registry) -> None:  # type: ignore[type-arg]
    first = next(iter(registry.values()))
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(first)


def test_every_task_type_names_a_known_family_with_a_plugin() -> None:
    from evalspec.execute.families import FamilyPlugin, plugin_for

    for name, task in TASK_TYPES.items():
        assert task.family in FAMILIES, name
        plugin = plugin_for(name)
        assert isinstance(plugin, FamilyPlugin)
        assert plugin.name == task.family


def test_every_metric_fits_some_task() -> None:
    readable = {need for family in FAMILIES.values() for need in family.metric_inputs}
    for name, metric in METRICS.items():
        assert metric.cost or metric.needs in readable, name
        assert metric.tasks, name


def test_model_sources_are_the_language_s_and_each_builder_exists() -> None:
    assert set(MODEL_SOURCES) == {c.model_fields["fn"].annotation.__args__[0]
                                  for c in MODEL_CALLS}
    for source in MODEL_SOURCES.values():
        module, _, function = source.builder.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), source.name
    for layout in WEIGHTS_LAYOUTS.values():
        module, _, function = layout.builder.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), layout.name


def test_data_sources_are_the_language_s_and_each_has_a_reader() -> None:
    from evalspec.execute.data.sources import READERS

    assert set(DATA_SOURCES) == {c.model_fields["fn"].annotation.__args__[0]
                                 for c in DATA_CALLS}
    assert set(READERS) == set(DATA_SOURCES)
    for source in DATA_SOURCES.values():
        if source.location is not None:
            assert source.location in CALLS[source.name].model_fields, source.name
        for task_type in source.task_types or ():
            assert task_type in TASK_TYPES


@pytest.mark.parametrize(("source", "modalities"), [
    ({"fn": "hf", "id": "bert-base-uncased"}, ("text", "audio")),
    ({"fn": "timm", "name": "resnet18"}, ("image",)),
    ({"fn": "scratch", "arch": "lstm"}, ("text", "audio")),
    ({"fn": "scratch", "arch": "transformer"}, ("text",)),
    ({"fn": "scratch", "arch": "mlp"}, ("tabular",)),
    ({"fn": "scratch", "arch": "resnet10t"}, ("image",)),
    ({"fn": "path", "path": "model"}, ("text", "image", "audio", "tabular")),
    ({"fn": "path", "path": "w.safetensors", "arch": "resnet18"}, ("image",)),
    ({"fn": "package", "module": "resemblyzer", "arch": "resemblyzer"}, ("audio",)),
    ({"fn": "package", "module": "m"}, ("text", "image", "audio", "tabular")),
])
def test_the_inputs_a_model_source_takes(source: dict[str, str],
                                         modalities: tuple[str, ...]) -> None:
    from evalspec.validate.model import Model

    assert modalities_of(Model.model_validate({"source": source}).source) == modalities


def test_builtin_data_sets_fit_the_task_types_of_their_family_and_modality() -> None:
    fits = {name: sorted(t for t in TASK_TYPES if data.fits(TASK_TYPES[t]))
            for name, data in BUILTIN_DATASETS.items()}
    assert fits["digits"] == ["image_classification"]
    assert fits["iris"] == ["text_classification"]
    assert fits["diabetes"] == ["regression"]
