"""The metric catalogue as data: tasks each fits, inputs it needs, direction, parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evalspec.registry.base import Registry
from evalspec.registry.tasks import TASK_TYPES, tasks_reading


@dataclass(frozen=True)
class Param:
    """One metric parameter: its type, default, allowed names (if a closed set) and bounds."""

    kind: type
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    gt: float | None = None
    lt: float | None = None
    le: float | None = None


@dataclass(frozen=True)
class MetricDef:
    """One metric: what it reads from predictions (`needs`), its direction and parameters.
    The task types it fits follow from `needs`: each task family declares what its
    predictions give (`Family.metric_inputs`); cost metrics fit every task."""

    name: str
    description: str
    needs: str  # labels | scores | values | spans | transcripts | cost
    higher_is_better: bool
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def cost(self) -> bool:
        return self.needs == "cost"

    @property
    def tasks(self) -> frozenset[str]:
        return frozenset(TASK_TYPES) if self.cost else tasks_reading(self.needs)


METRICS: Registry[MetricDef] = Registry("metric")


def metric(name: str, description: str, needs: str, higher_is_better: bool,
           **params: Param) -> None:
    METRICS.add(MetricDef(name, description, needs, higher_is_better, params))


AVERAGE = Param(str, "auto", "how per-class scores combine: `binary` (the positive class only), "
                "`macro`, `micro` or `weighted`; `auto` is binary for two labels, else macro",
                choices=("auto", "binary", "macro", "micro", "weighted"))
MODE = Param(str, "default", "`default` (seqeval's lenient chunking) or `strict` (IOB2 only)",
             choices=("default", "strict"))
ENTITY_AVERAGE = Param(str, "micro", "how entity types combine: `micro` (every entity counts "
                       "once) or `macro` (the unweighted mean over entity types)",
                       choices=("micro", "macro"))
BATCH_1 = Param(int, 1, "inputs per forward pass", gt=0)
BATCH_32 = Param(int, 32, "inputs per forward pass", gt=0)

metric("accuracy", "fraction of test items whose predicted label is the true one",
       "labels", True)
metric("balanced_accuracy", "mean recall over classes; robust to imbalance",
       "labels", True)
metric("precision", "of items predicted as a class, the fraction that are",
       "labels", True, average=AVERAGE)
metric("recall", "of items of a class, the fraction predicted as it",
       "labels", True, average=AVERAGE)
metric("f1", "harmonic mean of precision and recall",
       "labels", True, average=AVERAGE)
metric("auc", "area under the ROC curve, from predicted probabilities",
       "scores", True,
       multi_class=Param(str, "ovr", "multiclass: one-vs-rest (`ovr`) or one-vs-one (`ovo`)",
                         choices=("ovr", "ovo")))
metric("average_precision", "area under the precision-recall curve, from probabilities",
       "scores", True)
metric("log_loss", "cross-entropy of the predicted probabilities (lower is better)",
       "scores", False)
metric("mcc", "Matthews correlation coefficient, from -1 to 1",
       "labels", True)
metric("ece", "expected calibration error of the top-class confidence (lower is better)",
       "scores", False,
       bins=Param(int, 15, "number of equal-width confidence bins", gt=0))
metric("brier", "Brier score: mean squared distance between predicted probabilities and the "
       "one-hot truth (lower is better)", "scores", False)
metric("confusion_matrix", "counts of true label (rows) against predicted label (columns)",
       "labels", True)
metric("mse", "mean squared error (lower is better)", "values", False)
metric("rmse", "root mean squared error (lower is better)", "values", False)
metric("mae", "mean absolute error (lower is better)", "values", False)
metric("r2", "coefficient of determination (1 is perfect)", "values", True)
metric("entity_f1", "F1 over whole entities (type and boundaries must match)",
       "spans", True, mode=MODE, average=ENTITY_AVERAGE)
metric("entity_precision", "precision over whole entities", "spans", True, mode=MODE,
       average=ENTITY_AVERAGE)
metric("entity_recall", "recall over whole entities", "spans", True, mode=MODE,
       average=ENTITY_AVERAGE)
metric("token_accuracy", "fraction of tokens whose predicted tag is the true one",
       "spans", True)
metric("wer", "word error rate: word edits per reference word (lower is better)",
       "transcripts", False)
metric("cer", "character error rate: character edits per reference character",
       "transcripts", False)
metric("params", "number of model parameters (total, backbone and head)", "cost", False)
metric("latency", "milliseconds per input at a batch size (p50 and p95)", "cost",
       False, batch=BATCH_1)
metric("throughput", "inputs per second at a batch size", "cost", True,
       batch=BATCH_32)
metric("train_time", "wall-clock seconds spent fine-tuning", "cost", False)
metric("peak_memory", "peak memory while fine-tuning, in MiB (GPU, else process RSS)",
       "cost", False)
