"""Label metrics: scikit-learn on one set of predictions, confusion matrices for resamples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from evalspec.metrics.inputs import ClassInputs
from evalspec.metrics.kernel import Evaluator, Kernel, guarded, skm
from evalspec.metrics.resample import Resample, divide
from evalspec.metrics.value import MetricValue

FromMatrix = Callable[[np.ndarray], np.ndarray]


def _pred(inputs: ClassInputs) -> np.ndarray:
    assert inputs.pred is not None  # the engine checked that label metrics have y_pred
    return inputs.pred


def confusion(inputs: ClassInputs, resample: Resample) -> np.ndarray:
    """(rows, k, k) confusion matrices, true label (rows) against predicted label (columns)."""
    k = len(inputs.labels)
    cells = inputs.truth * k + _pred(inputs)
    return resample.shared(("confusion", inputs),
                           lambda: resample.counts(cells, k * k).reshape(-1, k, k))


def margins(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per label: correct, predicted and true counts, over leading batch axes."""
    return np.diagonal(matrix, axis1=-2, axis2=-1), matrix.sum(-2), matrix.sum(-1)


def accuracy(matrix: np.ndarray) -> np.ndarray:
    return divide(np.trace(matrix, axis1=-2, axis2=-1), matrix.sum((-2, -1)))


def balanced_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Mean recall over the labels present in y_true, as scikit-learn defines it."""
    correct, _, true = margins(matrix)
    recall = np.where(true > 0, divide(correct, true), 0.0)
    return divide(recall.sum(-1), (true > 0).sum(-1))


def mcc(matrix: np.ndarray) -> np.ndarray:
    """Matthews correlation (scikit-learn's formula); NaN when y_true or y_pred is constant."""
    correct, pred, true = margins(matrix)
    total = matrix.sum((-2, -1))
    cov_tp = correct.sum(-1) * total - (true * pred).sum(-1)
    cov_pp = total**2 - (pred * pred).sum(-1)
    cov_tt = total**2 - (true * true).sum(-1)
    return divide(cov_tp, np.sqrt(cov_tt * cov_pp))


RATIOS = {  # per label: numerator and denominator from (correct, predicted, true) counts
    "precision": lambda tp, pred, true: (tp, pred),
    "recall": lambda tp, pred, true: (tp, true),
    "f1": lambda tp, pred, true: (2 * tp, pred + true),
}
AVERAGES = {  # (numerator, denominator, true counts, positive) -> average; NaN propagates
    "binary": lambda num, den, true, pos: divide(num[..., pos], den[..., pos]),
    "micro": lambda num, den, true, pos: divide(num.sum(-1), den.sum(-1)),
    "macro": lambda num, den, true, pos: divide(num, den).mean(-1),
    "weighted": lambda num, den, true, pos: divide((divide(num, den) * true).sum(-1),
                                                   true.sum(-1)),
}
WHY = {
    "precision": "no item is predicted as {names}",
    "recall": "no test item is labelled {names}",
    "f1": "{names} occur in neither y_true nor y_pred",
}


def resolve_average(average: str, inputs: ClassInputs) -> str:
    """`auto` is binary for two labels, else macro; binary needs exactly two labels."""
    k = len(inputs.labels)
    if average == "auto":
        return "binary" if k == 2 else "macro"
    if average == "binary" and k != 2:
        raise ValueError(f"average = binary needs exactly two labels, this task has {k}; "
                         f"use macro, micro or weighted")
    return average


def ratio(metric: str, average: str, positive: int) -> FromMatrix:
    """Precision, recall or F1 under an average, from confusion matrices."""
    def value(matrix: np.ndarray) -> np.ndarray:
        tp, pred, true = margins(matrix)
        num, den = RATIOS[metric](tp, pred, true)
        return AVERAGES[average](num, den, true, positive)
    return value


def _matrix(inputs: ClassInputs) -> np.ndarray:
    return confusion(inputs, Resample.identity(inputs.n))[0]


def _names(inputs: ClassInputs, positions: np.ndarray) -> str:
    return ", ".join(repr(inputs.labels[i]) for i in positions)


def _ratio_point(metric: str) -> Callable[..., MetricValue]:
    scorer = {"precision": "precision_score", "recall": "recall_score", "f1": "f1_score"}[metric]

    def point(inputs: ClassInputs, average: str) -> MetricValue:
        average = resolve_average(average, inputs)
        tp, pred, true = margins(_matrix(inputs))
        num, den = RATIOS[metric](tp, pred, true)
        per_class = divide(num, den)
        detail = {"per_class": {str(label): None if np.isnan(v) else float(v)
                                for label, v in zip(inputs.labels, per_class, strict=True)}}
        if np.isnan(AVERAGES[average](num, den, true, inputs.positive)):
            bad = [inputs.positive] if average == "binary" else np.flatnonzero(den == 0)
            why = WHY[metric].format(names=_names(inputs, np.asarray(bad)))
            return MetricValue.not_defined(f"{metric} is undefined: {why}", detail)
        options = ({"pos_label": inputs.positive} if average == "binary"
                   else {"labels": list(range(len(inputs.labels)))})
        return guarded(lambda: getattr(skm, scorer)(inputs.truth, inputs.pred, average=average,
                                                    **options),
                       detail=detail)
    return point


def _ratio_resampled(metric: str) -> Callable[..., Evaluator]:
    def resampled(inputs: ClassInputs, average: str) -> Evaluator:
        value = ratio(metric, resolve_average(average, inputs), inputs.positive)
        return lambda resample: value(confusion(inputs, resample))
    return resampled


def _from_matrix(value: FromMatrix) -> Callable[..., Evaluator]:
    def resampled(inputs: ClassInputs) -> Evaluator:
        return lambda resample: value(confusion(inputs, resample))
    return resampled


def _accuracy_point(inputs: ClassInputs) -> MetricValue:
    return guarded(lambda: skm.accuracy_score(inputs.truth, inputs.pred))


def _balanced_point(inputs: ClassInputs) -> MetricValue:
    # scikit-learn warns when a predicted label is absent from y_true (it leaves it out of
    # the mean, which is the definition) and when only one label occurs at all (its
    # confusion matrix is 1×1): the value is well defined either way.
    return guarded(lambda: skm.balanced_accuracy_score(inputs.truth, inputs.pred),
                   benign=("y_pred contains classes not in y_true", "A single label was found"))


def _mcc_point(inputs: ClassInputs) -> MetricValue:
    for name, column in (("y_true", inputs.truth), ("y_pred", _pred(inputs))):
        if len(np.unique(column)) < 2:
            return MetricValue.not_defined(
                f"{name} holds a single label; MCC is undefined (0/0), not 0")
    return guarded(lambda: skm.matthews_corrcoef(inputs.truth, inputs.pred))


def _confusion_point(inputs: ClassInputs) -> MetricValue:
    """Value: accuracy (the matrix's trace over its total); detail: the matrix itself."""
    matrix = skm.confusion_matrix(inputs.truth, inputs.pred,
                                  labels=list(range(len(inputs.labels))))
    detail = {"labels": list(inputs.labels), "matrix": matrix.tolist()}
    return MetricValue.of(np.trace(matrix) / matrix.sum(), detail)


KERNELS = {
    "accuracy": Kernel(_accuracy_point, _from_matrix(accuracy)),
    "balanced_accuracy": Kernel(_balanced_point, _from_matrix(balanced_accuracy)),
    "mcc": Kernel(_mcc_point, _from_matrix(mcc)),
    "confusion_matrix": Kernel(_confusion_point, _from_matrix(accuracy)),
    **{name: Kernel(_ratio_point(name), _ratio_resampled(name)) for name in RATIOS},
}
