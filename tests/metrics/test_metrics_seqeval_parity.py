"""Entity metrics and token accuracy agree with seqeval 1.2.2 on random tag sequences,
wherever seqeval's denominators are not 0; where one is, ours is undefined (seqeval warns
and reports 0)."""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval import metrics as seqeval
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from evalspec.metrics import compute, replicates, resample_indices

METRICS = {"entity_precision": seqeval.precision_score, "entity_recall": seqeval.recall_score,
           "entity_f1": seqeval.f1_score}
OPTIONS: dict[str, dict[str, Any]] = {"default": {"mode": None},
                                      "strict": {"mode": "strict", "scheme": IOB2}}
PREFIXES = {"default": "BIESO", "strict": "BIO"}
TYPES = ["PER", "LOC", "ORG", "MISC", "DATE-TIME", ""]  # "" is a bare prefix: `B`, `I`
Tags = list[list[str]]


@st.composite
def tagged(draw: st.DrawFn, mode: str) -> tuple[Tags, Tags]:
    """Random (y_true, y_pred) sentences over a random handful of types and prefixes."""
    kinds = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=4, unique=True))
    tag = st.builds(lambda prefix, kind: "O" if prefix == "O" else f"{prefix}-{kind}".rstrip("-"),
                    st.sampled_from(PREFIXES[mode]), st.sampled_from(kinds))
    lengths = draw(st.lists(st.integers(0, 8), min_size=1, max_size=6))
    sentences = [st.lists(tag, min_size=k, max_size=k) for k in lengths]
    return draw(st.tuples(*sentences)), draw(st.tuples(*sentences))


def seqeval_entities(tags: Tags, mode: str) -> set[tuple]:
    """Entities as seqeval itself reads them: (type, where) pairs."""
    if mode == "default":  # offsets into the sentences joined with an `O` between them
        return {(kind, start, end) for kind, start, end in get_entities([list(s) for s in tags])}
    return {(e.tag, e.to_tuple()) for sentence in Entities([list(s) for s in tags], IOB2).entities
            for e in sentence}


def seqeval_counts(y_true: Tags, y_pred: Tags, mode: str) -> tuple[Counter, Counter, int]:
    """True and predicted entities per type, and correct entities, as seqeval reads them."""
    true, predicted = seqeval_entities(y_true, mode), seqeval_entities(y_pred, mode)
    return (Counter(e[0] for e in true), Counter(e[0] for e in predicted),
            len(true & predicted))


def undefined_in_seqeval(metric: str, average: str, true: Counter, predicted: Counter) -> bool:
    """Where one of seqeval's denominators is 0 (micro: the pooled one; macro: any type's)."""
    kinds = set(true) | set(predicted)
    if average == "micro":
        return {"entity_precision": not predicted, "entity_recall": not true,
                "entity_f1": not kinds}[metric]
    if not kinds:
        return True
    return {"entity_precision": any(predicted[k] == 0 for k in kinds),
            "entity_recall": any(true[k] == 0 for k in kinds), "entity_f1": False}[metric]


def reference(function: Any, y_true: Tags, y_pred: Tags, **options: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function([list(s) for s in y_true], [list(s) for s in y_pred], **options)


def expected(metric: str, average: str, y_true: Tags, y_pred: Tags, mode: str) -> float | None:
    """seqeval's value, or None where its denominator is 0 (it warns and reports 0)."""
    true, predicted, _ = seqeval_counts(y_true, y_pred, mode)
    if undefined_in_seqeval(metric, average, true, predicted):
        return None
    return float(reference(METRICS[metric], y_true, y_pred, average=average, **OPTIONS[mode]))


def check_parity(y_true: Tags, y_pred: Tags, mode: str) -> None:
    for metric in METRICS:
        for average in ("micro", "macro"):
            got = compute(metric, y_true, y_pred=y_pred, mode=mode, average=average)
            want = expected(metric, average, y_true, y_pred, mode)
            where = f"{metric}, {mode}, {average}"
            if want is None:
                assert got.value is None and got.undefined, where
            else:
                assert got.value == pytest.approx(want, abs=1e-12, rel=0), where


@settings(max_examples=300, deadline=None)
@given(tagged("default"))
def test_default_mode_agrees_with_seqeval(case: tuple[Tags, Tags]) -> None:
    check_parity(*case, "default")


@settings(max_examples=300, deadline=None)
@given(tagged("strict"))
def test_strict_mode_agrees_with_seqeval(case: tuple[Tags, Tags]) -> None:
    check_parity(*case, "strict")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["default", "strict"]).flatmap(
    lambda mode: st.tuples(st.just(mode), tagged(mode))))
def test_per_type_detail_agrees_with_the_classification_report(
        case: tuple[str, tuple[Tags, Tags]]) -> None:
    mode, (y_true, y_pred) = case
    true, predicted, correct = seqeval_counts(y_true, y_pred, mode)
    report = reference(seqeval.classification_report, y_true, y_pred, output_dict=True,
                       **OPTIONS[mode])
    expected = {k: v for k, v in report.items() if not k.endswith(" avg")}
    for metric in METRICS:
        detail = compute(metric, y_true, y_pred=y_pred, mode=mode).detail
        assert detail is not None
        assert list(detail["per_type"]) == sorted(expected)
        for kind, row in detail["per_type"].items():
            assert row["support"] == expected[kind]["support"] == true[kind]
            assert type(row["support"]) is int
            assert row["f1"] == pytest.approx(expected[kind]["f1-score"], abs=1e-12, rel=0)
            for key, denominator in (("precision", predicted[kind]), ("recall", true[kind])):
                if denominator == 0:
                    assert row[key] is None, (kind, key)
                else:
                    assert type(row[key]) is float
                    assert row[key] == pytest.approx(expected[kind][key], abs=1e-12, rel=0)
        assert (detail["correct"], detail["predicted"], detail["true"]) == (
            correct, sum(predicted.values()), sum(true.values()))


@settings(max_examples=200, deadline=None)
@given(tagged("default"))
def test_token_accuracy_agrees_with_seqeval(case: tuple[Tags, Tags]) -> None:
    y_true, y_pred = case
    got = compute("token_accuracy", y_true, y_pred=y_pred)
    if sum(map(len, y_true)) == 0:  # seqeval divides by zero
        assert got.value is None and got.undefined
        return
    assert got.value == pytest.approx(reference(seqeval.accuracy_score, y_true, y_pred),
                                      abs=1e-12, rel=0)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["default", "strict"]).flatmap(
    lambda mode: st.tuples(st.just(mode), tagged(mode))))
def test_each_resample_agrees_with_seqeval_on_the_resampled_sentences(
        case: tuple[str, tuple[Tags, Tags]]) -> None:
    """The bootstrap resamples sentences; macro takes each resample's own set of types."""
    mode, (y_true, y_pred) = case
    indices = resample_indices(len(y_true), 6, seed=len(y_true))
    specs = [(f"{m}-{a}", m, {"mode": mode, "average": a})
             for m in METRICS for a in ("micro", "macro")]
    got = replicates([*specs, "token_accuracy"], y_true, y_pred=y_pred, indices=indices)
    for r, row in enumerate(indices):
        true_r, pred_r = [y_true[i] for i in row], [y_pred[i] for i in row]
        for key, metric, params in specs:
            want = expected(metric, params["average"], true_r, pred_r, mode)
            assert np.isnan(got[key][r]) == (want is None), key
            if want is not None:
                assert got[key][r] == pytest.approx(want, abs=1e-12, rel=0), key
        tokens = sum(map(len, true_r))
        want_tokens = reference(seqeval.accuracy_score, true_r, pred_r) if tokens else None
        assert np.isnan(got["token_accuracy"][r]) == (want_tokens is None)
        if want_tokens is not None:
            assert got["token_accuracy"][r] == pytest.approx(want_tokens, abs=1e-12, rel=0)
