"""Task families and task types as data: every fact check, execute, results and report
need about what a task *is*, declared once.

A *family* is what one execute plug-in trains (its objective, its batch → loss →
predictions step, its prediction format); a *task type* is what users write in `type = …`:
a family applied to one kind of input.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.registry.base import Registry


@dataclass(frozen=True)
class Family:
    """What a group of task types predicts and how it is judged."""

    name: str
    labels: str  # classes | tags | characters (from the training transcripts) | none
    prediction: str  # probabilities | values | tags | transcripts: what a cell predicts
    metric_inputs: frozenset[str]  # what metrics can read from its predictions (MetricDef.needs)
    sections: tuple[str, ...]  # report sections beyond the tables: confusion, per_class, …
    stratify: bool  # `holdout` can keep class proportions
    plugin: str  # the execute module that trains it
    description: str

    @property
    def per_example(self) -> bool:
        """One prediction per example (not per word or frame): frozen features can be
        pre-screened, one vector per example."""
        return self.prediction in ("probabilities", "values")

    @property
    def declares_labels(self) -> bool:
        """`labels = […]` applies: the classes or tags a user may list."""
        return self.labels in ("classes", "tags")


@dataclass(frozen=True)
class TaskType:
    """One `type = …` value: its family, its input and the columns a table must name."""

    name: str
    family: str  # a name in FAMILIES
    modality: str  # text | image | audio | columns (decided by the input columns named)
    inputs: tuple[str, ...]  # column keywords a table must name
    target: str  # the column keyword holding the answer
    description: str
    optional_inputs: tuple[str, ...] = ()  # further input columns it may read
    features_fallback: bool = False  # with no input column: numeric features (tabular)

    @property
    def facts(self) -> Family:
        return FAMILIES[self.family]


FAMILIES: Registry[Family] = Registry("task family")
TASK_TYPES: Registry[TaskType] = Registry("task type")

FAMILIES.add(Family(
    "classification", "classes", "probabilities", frozenset({"labels", "scores"}),
    ("confusion", "quality_plots", "per_class", "disagreements"), True,
    "evalspec.execute.families.classification",
    "one label per example, from class probabilities"))
FAMILIES.add(Family(
    "regression", "none", "values", frozenset({"values"}), (), False,
    "evalspec.execute.families.regression", "one number per example"))
FAMILIES.add(Family(
    "token", "tags", "tags", frozenset({"spans"}), ("entity_types", "examples"), False,
    "evalspec.execute.families.token",
    "one tag per token (named entities in IOB2)"))
FAMILIES.add(Family(
    "speech", "characters", "transcripts", frozenset({"transcripts"}), ("transcripts",), False,
    "evalspec.execute.families.speech",
    "a transcript per audio clip, spelled with the training transcripts' characters (CTC)"))

TASK_TYPES.add(TaskType("text_classification", "classification", "text", ("text",), "label",
                        "assign one label to a text", features_fallback=True))
TASK_TYPES.add(TaskType("text_pair_classification", "classification", "text",
                        ("text", "text_pair"), "label",
                        "assign one label to a pair of texts (entailment, paraphrase, …)"))
TASK_TYPES.add(TaskType("token_classification", "token", "text", ("tokens",), "tags",
                        "tag every token of a sentence (named entities in IOB2)"))
TASK_TYPES.add(TaskType("image_classification", "classification", "image", ("image",), "label",
                        "assign one label to an image"))
TASK_TYPES.add(TaskType("audio_classification", "classification", "audio", ("audio",), "label",
                        "assign one label to an audio clip"))
TASK_TYPES.add(TaskType("speech_recognition", "speech", "audio", ("audio",), "transcript",
                        "transcribe speech to text"))
TASK_TYPES.add(TaskType("regression", "regression", "columns", (), "target",
                        "predict a number (from text or tabular features)",
                        optional_inputs=("text", "text_pair", "image"),
                        features_fallback=True))

def family_of(task_type: str) -> Family:
    """The family facts of a task type name."""
    return TASK_TYPES[task_type].facts


def tasks_reading(needs: str) -> frozenset[str]:
    """Task types whose predictions give metrics `needs` (labels, scores, values, …)."""
    return frozenset(n for n, t in TASK_TYPES.items() if needs in t.facts.metric_inputs)
