"""Task types: what each predicts and which inputs its data needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskType:
    name: str
    family: str  # classification | regression | token | speech
    inputs: tuple[str, ...]  # column keywords a tabular source must name
    target: str  # the column keyword holding the answer
    description: str
    runnable: bool  # `evalspec run` trains it today


TASK_TYPES: dict[str, TaskType] = {}


def task_type(name: str, family: str, inputs: tuple[str, ...], target: str,
              description: str, runnable: bool = True) -> None:
    TASK_TYPES[name] = TaskType(name, family, inputs, target, description, runnable)


task_type("text_classification", "classification", ("text",), "label",
          "assign one label to a text")
task_type("text_pair_classification", "classification", ("text", "text_pair"), "label",
          "assign one label to a pair of texts (entailment, paraphrase, …)")
task_type("token_classification", "token", ("tokens",), "tags",
          "tag every token of a sentence (named entities in IOB2)", runnable=False)
task_type("image_classification", "classification", ("image",), "label",
          "assign one label to an image")
task_type("audio_classification", "classification", ("audio",), "label",
          "assign one label to an audio clip", runnable=False)
task_type("speech_recognition", "speech", ("audio",), "transcript",
          "transcribe speech to text", runnable=False)
task_type("regression", "regression", (), "target",
          "predict a number (from text or tabular features)")

CLASSIFICATION = frozenset(n for n, t in TASK_TYPES.items() if t.family == "classification")
ALL_TASKS = frozenset(TASK_TYPES)
RUNNABLE = tuple(n for n, t in TASK_TYPES.items() if t.runnable)
