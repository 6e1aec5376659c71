"""compute(): one catalogue metric on one set of predictions, dispatched through a table."""

from __future__ import annotations

import difflib
import numbers
import operator
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalspec.metrics import classification, entities, inputs, regression, scores, speech
from evalspec.metrics.kernel import Evaluator, Kernel
from evalspec.metrics.value import MetricValue
from evalspec.registry.metrics import METRICS, MetricDef, Param

KERNELS: dict[str, Kernel] = {
    **classification.KERNELS, **scores.KERNELS, **regression.KERNELS,
    **entities.KERNELS, **speech.KERNELS,
}
Prepare = Callable[..., inputs.Inputs]
PREPARE: dict[str, Prepare] = {  # what a metric needs -> how its inputs are read
    "labels": inputs.classes,
    "scores": inputs.classes,
    "values": inputs.values,
    "spans": inputs.sequences,
    "transcripts": inputs.sequences,
}
REQUIRED = {  # classification: the input each kind of metric reads, and how to say it
    "labels": ("pred", "y_pred: the predicted labels"),
    "scores": ("proba", "y_score: class probabilities, one column per label (never hard "
                        "labels)"),
}


@dataclass(frozen=True)
class Request:
    """A catalogue metric with its parameters checked and defaults filled in."""

    definition: MetricDef
    params: Mapping[str, Any]

    @property
    def prepare(self) -> Prepare:
        return PREPARE[self.definition.needs]

    def point(self, data: inputs.Inputs) -> MetricValue:
        _check_required(self.definition, data)
        if data.n == 0:
            return MetricValue.not_defined("there are no test items")
        return KERNELS[self.definition.name].point(data, **self.params)

    def evaluator(self, data: inputs.Inputs) -> Evaluator:
        _check_required(self.definition, data)
        return KERNELS[self.definition.name].resampled(data, **self.params)


def request(name: str, params: Mapping[str, Any] | None = None) -> Request:
    """Look `name` up in the catalogue and check `params` against its declared parameters."""
    definition = METRICS.get(name)
    if definition is None:
        raise ValueError(f"unknown metric `{name}`{_did_you_mean(name, METRICS)}")
    if definition.cost:
        raise ValueError(f"`{name}` is a cost metric: the executor measures it while the model "
                         f"runs; it is not computed from predictions")
    given = dict(params or {})
    for key in given:
        if key not in definition.params:
            allowed = ", ".join(f"`{p}`" for p in definition.params) or "none"
            raise ValueError(f"`{name}` has no parameter `{key}`"
                             f"{_did_you_mean(key, definition.params)} (parameters: {allowed})")
    return Request(definition, {key: _checked(name, key, param, given.get(key, param.default))
                                for key, param in definition.params.items()})


def compute(name: str, y_true: Any, *, y_pred: Any = None, y_score: Any = None,
            labels: Sequence[Hashable] | None = None, positive: Hashable | None = None,
            **params: Any) -> MetricValue:
    """One metric from the catalogue (`evalspec.registry.metrics.METRICS`) on one test set.

    - Classification: `y_true`/`y_pred` hold labels (strings or ints; with string `labels`,
      ints are positions into them); `y_score` is an (n, k) probability matrix whose columns
      follow `labels`, or for two labels a 1-D probability of `positive`. `labels` is the
      ordered label list (default: the sorted labels seen). `positive` is the positive label
      for `average = binary` and binary ROC AUC / average precision (default: the last label);
      other metrics accept it and do not depend on it.
    - Regression: numbers. Token classification: one tag list per sentence. Speech: one
      transcript string per utterance. `labels` and `positive` are not used there.

    Undefined results (a ratio over nothing, ROC AUC with one class) come back as
    `MetricValue.undefined` with the reason, never as NaN or a silent 0.
    """
    wanted = request(name, params)
    data = wanted.prepare(y_true, y_pred, y_score, labels, positive)
    return wanted.point(data)


def _checked(metric: str, key: str, param: Param, value: Any) -> Any:
    if param.choices and value not in param.choices:
        raise ValueError(f"`{metric}({key} = {value!r})`: choose one of "
                         f"{', '.join(param.choices)}{_did_you_mean(str(value), param.choices)}")
    if param.kind is int and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise ValueError(f"`{metric}({key} = {value!r})`: expected a whole number")
    for bound, holds, sign in ((param.gt, operator.gt, ">"), (param.lt, operator.lt, "<"),
                               (param.le, operator.le, "<=")):
        if bound is not None and not holds(value, bound):
            raise ValueError(f"`{metric}({key} = {value!r})`: must be {sign} {bound}")
    return int(value) if param.kind is int else value


def _check_required(definition: MetricDef, data: inputs.Inputs) -> None:
    attribute, what = REQUIRED.get(definition.needs, (None, ""))
    if attribute is not None and getattr(data, attribute) is None:
        raise ValueError(f"`{definition.name}` needs {what}")


def _did_you_mean(word: str, options: Mapping[str, Any] | Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean `{close[0]}`?" if close else ""
