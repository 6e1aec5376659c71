"""Built-in data sets: small data that ships with installed packages, loaded by name."""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.registry.base import Registry
from evalspec.registry.tasks import TaskType


@dataclass(frozen=True)
class BuiltinDataset:
    """One `builtin(name)` data set: what it holds and which task family it serves."""

    name: str
    description: str
    family: str  # classification | regression (a family in registry.tasks)
    modality: str  # tabular | image
    classes: int | None  # number of classes; None for regression
    loader: str  # the function that loads it, as `module:function`

    def readable_by(self, task: TaskType) -> bool:
        """Its family is the task's; an image task needs images, any other task reads it
        as numeric features if it reads features at all (digits' pixels included)."""
        if self.family != task.family:
            return False
        return self.modality == "image" if task.modality == "image" else task.features_fallback

    def fits(self, task: TaskType) -> bool:
        """What `check` accepts: readable, and images only for an image task (pixels as
        features are almost always a mistake)."""
        return self.readable_by(task) and (self.modality != "image" or task.modality == "image")


BUILTIN_DATASETS: Registry[BuiltinDataset] = Registry("built-in data set")
for _dataset in (
        BuiltinDataset("digits", "8x8 grey-scale images of hand-written digits 0-9 (1,797)",
                       "classification", "image", 10, "sklearn.datasets:load_digits"),
        BuiltinDataset("breast_cancer", "30 tumour measurements, malignant or benign (569)",
                       "classification", "tabular", 2, "sklearn.datasets:load_breast_cancer"),
        BuiltinDataset("wine", "13 chemical measurements of wines from 3 cultivars (178)",
                       "classification", "tabular", 3, "sklearn.datasets:load_wine"),
        BuiltinDataset("iris", "4 flower measurements of 3 iris species (150)",
                       "classification", "tabular", 3, "sklearn.datasets:load_iris"),
        BuiltinDataset("diabetes", "10 patient measurements, disease progression after a year "
                       "(442)", "regression", "tabular", None, "sklearn.datasets:load_diabetes"),
):
    BUILTIN_DATASETS.add(_dataset)
