"""Task-family plug-ins: each module owns one family's objective, its batch → loss →
predictions step and its prediction format; `plugin_for` finds the one a task type names
in the registry (registry/tasks.py)."""

from __future__ import annotations

import importlib

from evalspec.execute.families.base import FamilyPlugin, Objective
from evalspec.registry.tasks import TASK_TYPES


def plugin_for(task_type: str) -> FamilyPlugin:
    """The plug-in that trains `task_type` (a name in TASK_TYPES)."""
    module = TASK_TYPES[task_type].facts.plugin
    plugin = importlib.import_module(module).PLUGIN
    assert isinstance(plugin, FamilyPlugin), f"{module}.PLUGIN is not a FamilyPlugin"
    return plugin


__all__ = ["FamilyPlugin", "Objective", "plugin_for"]
