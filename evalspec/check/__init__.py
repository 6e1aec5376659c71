"""Meaning (ES3xx) and resolution (ES4xx) rules over a validated spec; no torch."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from evalspec.check import (
    data,
    evaluations,
    finetune,
    labels,
    metrics,
    models,
    report,
    tasks,
)
from evalspec.check.context import Context
from evalspec.diagnostics import Diagnostic
from evalspec.source import SourceFile
from evalspec.validate import Validated

Rule = Callable[[Context], Iterable[Diagnostic]]

# Every rule, in the order it runs; `api` puts the diagnostics in source order afterwards.
RULES: tuple[Rule, ...] = (
    data.data_paths_exist,
    data.builtin_known,
    data.data_readable,
    data.header_settings_fit,
    data.quotes_match_lines,
    metrics.metric_fits_a_task,
    metrics.binary_average_needs_two_labels,
    metrics.primary_is_declared,
    finetune.early_stop_needs_validation,
    metrics.early_stop_monitors_a_metric,
    tasks.labels_are_unique,
    tasks.split_leaves_training_data,
    tasks.positive_is_a_label,
    tasks.labels_fit_the_task,
    tasks.normalize_fits_the_task,
    evaluations.evaluation_names_distinct,
    evaluations.perturbations_fit_the_task,
    labels.token_labels_take_one_form,
    labels.labels_match_data,
    finetune.finetune_has_stages,
    finetune.stage_settings_possible,
    finetune.prescreen_fits,
    tasks.data_sources_consistent,
    data.source_fits_task,
    data.source_names_columns,
    models.model_fits_tasks,
    models.untrained_heads_need_finetuning,
    models.model_settings_fit,
    models.model_weights_found,
    report.report_out_stays_inside,
)


def check(validated: Validated, source: SourceFile) -> list[Diagnostic]:
    """Every meaning and resolution problem of a valid spec, in no particular order."""
    context = Context(validated.spec, validated.spans, source.directory)
    return [diagnostic for rule in RULES for diagnostic in rule(context)]


__all__ = ["RULES", "Rule", "check"]
