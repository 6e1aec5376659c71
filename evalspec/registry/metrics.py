"""The metric catalogue as data: tasks each fits, inputs it needs, direction, parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evalspec.registry.tasks import ALL_TASKS, CLASSIFICATION


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
    name: str
    description: str
    tasks: frozenset[str]
    needs: str  # labels | scores | values | spans | transcripts | cost
    higher_is_better: bool
    params: dict[str, Param] = field(default_factory=dict)
    cost: bool = False


METRICS: dict[str, MetricDef] = {}


def metric(name: str, description: str, tasks: frozenset[str], needs: str,
           higher_is_better: bool, **params: Param) -> None:
    METRICS[name] = MetricDef(name, description, tasks, needs, higher_is_better, params,
                              cost=needs == "cost")


AVERAGE = Param(str, "auto", "how per-class scores combine: `binary` (the positive class only), "
                "`macro`, `micro` or `weighted`; `auto` is binary for two labels, else macro",
                choices=("auto", "binary", "macro", "micro", "weighted"))
MODE = Param(str, "default", "`default` (seqeval's lenient chunking) or `strict` (IOB2 only)",
             choices=("default", "strict"))
BATCH_1 = Param(int, 1, "inputs per forward pass", gt=0)
BATCH_32 = Param(int, 32, "inputs per forward pass", gt=0)
TOKEN = frozenset({"token_classification"})
SPEECH = frozenset({"speech_recognition"})
REGRESSION = frozenset({"regression"})

metric("accuracy", "fraction of test items whose predicted label is the true one",
       CLASSIFICATION, "labels", True)
metric("balanced_accuracy", "mean recall over classes; robust to imbalance",
       CLASSIFICATION, "labels", True)
metric("precision", "of items predicted as a class, the fraction that are",
       CLASSIFICATION, "labels", True, average=AVERAGE)
metric("recall", "of items of a class, the fraction predicted as it",
       CLASSIFICATION, "labels", True, average=AVERAGE)
metric("f1", "harmonic mean of precision and recall",
       CLASSIFICATION, "labels", True, average=AVERAGE)
metric("auc", "area under the ROC curve, from predicted probabilities",
       CLASSIFICATION, "scores", True,
       multi_class=Param(str, "ovr", "multiclass: one-vs-rest (`ovr`) or one-vs-one (`ovo`)",
                         choices=("ovr", "ovo")))
metric("average_precision", "area under the precision-recall curve, from probabilities",
       CLASSIFICATION, "scores", True)
metric("log_loss", "cross-entropy of the predicted probabilities (lower is better)",
       CLASSIFICATION, "scores", False)
metric("mcc", "Matthews correlation coefficient, from -1 to 1",
       CLASSIFICATION, "labels", True)
metric("ece", "expected calibration error of the top-class confidence (lower is better)",
       CLASSIFICATION, "scores", False,
       bins=Param(int, 15, "number of equal-width confidence bins", gt=0))
metric("confusion_matrix", "counts of true label (rows) against predicted label (columns)",
       CLASSIFICATION, "labels", True)
metric("mse", "mean squared error (lower is better)", REGRESSION, "values", False)
metric("rmse", "root mean squared error (lower is better)", REGRESSION, "values", False)
metric("mae", "mean absolute error (lower is better)", REGRESSION, "values", False)
metric("r2", "coefficient of determination (1 is perfect)", REGRESSION, "values", True)
metric("entity_f1", "F1 over whole entities (type and boundaries must match)",
       TOKEN, "spans", True, mode=MODE)
metric("entity_precision", "precision over whole entities", TOKEN, "spans", True, mode=MODE)
metric("entity_recall", "recall over whole entities", TOKEN, "spans", True, mode=MODE)
metric("wer", "word error rate: word edits per reference word (lower is better)",
       SPEECH, "transcripts", False)
metric("cer", "character error rate: character edits per reference character",
       SPEECH, "transcripts", False)
metric("params", "number of model parameters (total, backbone and head)", ALL_TASKS, "cost", False)
metric("latency", "milliseconds per input at a batch size (p50 and p95)", ALL_TASKS, "cost",
       False, batch=BATCH_1)
metric("throughput", "inputs per second at a batch size", ALL_TASKS, "cost", True,
       batch=BATCH_32)
metric("train_time", "wall-clock seconds spent fine-tuning", ALL_TASKS, "cost", False)
metric("peak_memory", "peak memory while fine-tuning, in MiB (GPU, else process RSS)",
       ALL_TASKS, "cost", False)
