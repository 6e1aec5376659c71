"""The results file's schema: frozen Pydantic models of exactly what `document.build` writes.

`ResultsDocument.model_json_schema()` is the published JSON Schema (`evalspec schema
--results`); docs/results.md explains every field. Bump `SCHEMA_VERSION` on any change
that a reader of an older file would trip over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evalspec.errors import UsageError

SCHEMA_VERSION = 2


class Record(BaseModel):
    """Immutable, no unknown keys, no infinities or NaN."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# ------------------------------------------------------------------------------- numbers
class Interval(Record):
    """A percentile bootstrap interval."""

    low: float | None = Field(description="lower bound; null when every resample was undefined")
    high: float | None = Field(description="upper bound; null when every resample was undefined")
    level: float = Field(description="confidence level, e.g. 0.95")
    n: int = Field(description="resamples drawn")
    undefined_fraction: float = Field(
        description="fraction of resamples where the metric was undefined (dropped)")


class MetricValue(Record):
    """One metric on one set of predictions: a value, or the reason there is none."""

    value: float | None = Field(description="the number; null when undefined")
    undefined: str | None = Field(description="why there is no value; null when there is one")
    detail: dict[str, Any] | None = Field(
        description="what a report may show beside the number: a confusion matrix "
                    "(`labels`, `matrix`), per-class values (`per_class`), counts")


class TestMetric(MetricValue):
    """A metric on one cell's test predictions, with its bootstrap interval."""

    interval: Interval | None = Field(
        description="bootstrap interval; null with `confidence = none`")


class SeedSummary(Record):
    """One model's metric over its seeds."""

    metric: str = Field(description="the catalogue metric (`accuracy`, `f1`, …)")
    per_seed: list[MetricValue] = Field(description="the value on each seed, in seed order")
    mean: float | None = Field(description="mean over seeds; null if any seed is undefined")
    sd: float | None = Field(description="sample standard deviation (ddof = 1); null for one seed")
    interval: Interval = Field(
        description="pooled interval: every seed's bootstrap distribution on shared resamples")
    undefined: str | None = Field(description="why `mean` is null")


class McNemar(Record):
    """Exact McNemar test of one seed pair: the best model against this one."""

    a_only: int = Field(description="test items only the best model gets right")
    b_only: int = Field(description="test items only this model gets right")
    p_value: float = Field(description="two-sided exact p-value")


# ------------------------------------------------------------------------------- cost
class Params(Record):
    total: int = Field(description="parameters of backbone and head")
    backbone: int = Field(description="parameters of the pretrained (or scratch) backbone")
    head: int = Field(description="parameters of the task head")


class TrainTime(Record):
    seconds: float = Field(description="wall-clock training time over all stages")


class PeakMemory(Record):
    mib: float = Field(description="peak memory of the cell in MiB, once its model is built")
    scope: str = Field(description="`cuda cell` (the most it allocated on the GPU), `cpu cell` "
                       "(its weights and the most the process's heap rose above its level "
                       "then) or `process RSS` (the whole process's peak, the same for every "
                       "cell: older files, systems without /proc)")


class Latency(Record):
    p50: float = Field(description="median milliseconds per input")
    p95: float = Field(description="95th percentile milliseconds per input")
    p25: float | None = Field(default=None, description="first quartile (null in older files)")
    p75: float | None = Field(default=None, description="third quartile (null in older files)")
    batch: int = Field(description="inputs per forward pass")
    runs: int = Field(description="timed forward passes")
    warmup: int | None = Field(default=None, description="untimed forward passes before them "
                               "(null in older files)")
    load_per_core: float | None = Field(
        default=None, description="threads running or ready to run per core, this run's own "
        "included, after each timed pass (the mean; Linux: from /proc/loadavg; elsewhere the "
        "one-minute load average); null where the system tells neither, and in older files")
    busy: bool | None = Field(
        default=None, description="`load_per_core` above 1: more threads wanted a CPU than "
        "there were cores, so the timings may be slow (null with `load_per_core`)")


class Throughput(Record):
    per_second: float = Field(description="inputs per second")
    batch: int = Field(description="inputs per forward pass")


class Cost(Record):
    """What a candidate costs; latency and throughput keyed by the metric's name in the spec."""

    params: Params = Field(description="parameter counts")
    train_time: TrainTime = Field(description="training time (over seeds: the mean)")
    peak_memory: PeakMemory = Field(description="peak memory")
    latency: dict[str, Latency] = Field(description="per declared `latency` metric")
    throughput: dict[str, Throughput] = Field(description="per declared `throughput` metric")


# ------------------------------------------------------------------------------- cells
class Epoch(Record):
    epoch: int = Field(description="1-based epoch number within the stage")
    train_loss: float = Field(description="mean training loss over the epoch's steps")
    lr: float = Field(description="learning rate of the first parameter group at the epoch's end")
    val_loss: float | None = Field(description="validation loss; null without a validation split")
    val: dict[str, float | None] = Field(
        description="validation metrics by name (null: undefined); empty without validation")
    seconds: float = Field(description="wall-clock seconds for the epoch")
    examples_per_second: float | None = Field(
        None, description="training examples per second over the epoch's steps (validation "
        "excluded, compiling included); null when the epoch trained none here (resumed at "
        "its end) or in files written before it was recorded")


class Stage(Record):
    name: str = Field(description="the stage's name in the spec")
    train: str = Field(description="`head`, `all` or `top`")
    trainable_params: int = Field(description="parameters this stage trains")
    epochs: list[Epoch] = Field(description="the learning curve, one record per epoch run")
    best_epoch: int | None = Field(description="the epoch whose weights were kept")
    stopped_early: bool = Field(description="early stopping ended the stage")
    seconds: float = Field(description="wall-clock seconds for the stage")
    backbone_passes: int = Field(description="full backbone passes over an example set")
    precision: str | None = Field(None, description="`fp32`, `tf32`, `bf16` or `fp16`: the "
                                  "stage's `precision` as resolved for the device (`auto` "
                                  "is bf16 on a CUDA GPU that supports it, else fp32); null "
                                  "for a cell trained by an evalspec that did not record it")
    compiled: bool = Field(False, description="the stage trained through `torch.compile`")
    compile_failure: str | None = Field(None, description="with `compile = true`: why the "
                                        "stage trained without compiling (the first line of "
                                        "the error); null when it compiled or was not asked to")


class Identity(Record):
    """What the candidate was."""

    family: str = Field(description="input kind: `text`, `image` or `features`")
    source: str = Field(description="model source function: `hf`, `timm`, `path`, `package`, "
                                    "`scratch`")
    details: dict[str, Any] = Field(description="source arguments and what was resolved "
                                                "(architecture, weights sha256, pooling, …)")
    revision: str | None = Field(description="hub models: the commit hash of the snapshot used, "
                                             "when found in the local cache")


class Preprocessing(Record):
    """How inputs were prepared; null fields do not apply to the model."""

    image_size: int | None = Field(description="image models: input side in pixels")
    mean: list[float] | None = Field(description="image models: normalisation mean per channel")
    std: list[float] | None = Field(description="image models: normalisation std per channel")
    interpolation: str | None = Field(description="image models: resize interpolation")
    max_length: int | None = Field(description="text models: tokens per input")


class CellEvaluation(Record):
    """A cell's metrics on an extra set or a perturbed test split."""

    metrics: dict[str, TestMetric] = Field(description="quality metrics, by name")
    predictions: str = Field(description="the predictions file, relative to results.json")


class Cell(Record):
    """One (task, model, seed): learning curves, test metrics, cost, identity."""

    task: str = Field(description="task name")
    model: str = Field(description="model name")
    seed: int = Field(description="training seed")
    digest: str = Field(description="the cell's plan digest (keys the cache)")
    started: str = Field(description="ISO 8601 UTC time the cell started")
    finished: str = Field(description="ISO 8601 UTC time the cell ended")
    stages: list[Stage] = Field(description="the fine-tuning stages, in order")
    test: dict[str, TestMetric] = Field(description="quality metrics on the test split, by name")
    cost: Cost = Field(description="measured cost")
    identity: Identity = Field(description="what the candidate was")
    preprocessing: Preprocessing = Field(description="how inputs were prepared")
    predictions: str = Field(description="the predictions file, relative to results.json")
    evaluations: dict[str, CellEvaluation] = Field(
        default_factory=dict, description="per extra set and perturbation of its task, by name")


# ------------------------------------------------------------------------------- tasks
class ModelSummary(Record):
    seeds: list[int] = Field(description="the seeds summarised, in order")
    metrics: dict[str, SeedSummary] = Field(description="each quality metric over seeds")
    cost: Cost = Field(description="the first seed's cost, with training time averaged")


class Standing(Record):
    """One row of a task's leaderboard on the primary metric."""

    rank: int = Field(description="1 = best")
    model: str = Field(description="model name")
    metric: str = Field(description="the primary metric's name")
    value: MetricValue = Field(description="mean over seeds")
    interval: Interval = Field(description="pooled bootstrap interval")
    p_value: float | None = Field(description="paired-bootstrap p-value against the first; "
                                              "null for the first and for undefined values")
    p_adjusted: float | None = Field(
        default=None, description="`p_value` Holm-adjusted over the leaderboard's "
        "comparisons with the first; it decides `tied_for_first`; null where `p_value` is "
        "(and in files written before it was recorded)")
    tied_for_first: bool = Field(description="not significantly different from the first: "
                                 "`p_adjusted` is at least 1 − level")
    mcnemar: list[McNemar] | None = Field(
        description="classification: exact McNemar per seed pair against the first; null for "
                    "the first and for regression")


class Change(Record):
    """A metric's change from the clean test split to an extra set or perturbation."""

    test: MetricValue = Field(description="on the test split (mean over seeds)")
    evaluated: MetricValue = Field(description="on the extra set or perturbed test split")
    difference: float | None = Field(description="evaluated − test; null when either is "
                                                 "undefined")
    interval: Interval = Field(description="bootstrap interval of the difference: paired "
                               "resamples of the same examples for a perturbation, "
                               "independent resamples of each set for an extra set")
    p_value: float | None = Field(description="perturbations: paired-bootstrap two-sided "
                                  "p-value of the change; null for extra sets")


class EvaluatedModel(Record):
    metrics: dict[str, SeedSummary] = Field(description="each quality metric over seeds")


class EvaluationSummary(Record):
    """A task's extra set or perturbation: every model scored on it, and the change."""

    kind: Literal["set", "perturbation"] = Field(description="an extra evaluation set, or "
                                                 "the test split perturbed")
    description: str = Field(description="its source or perturbation call, as in the spec")
    size: int = Field(description="examples evaluated")
    models: dict[str, EvaluatedModel] = Field(description="per model: metrics over seeds")
    leaderboard: list[Standing] = Field(description="models ranked on the primary metric")
    changes: dict[str, dict[str, Change]] = Field(
        description="per model, per quality metric: the change from the test split")
    most_robust: str | None = Field(description="the model whose primary metric changes "
                                    "least for the worse; null when undefined")


class ClassMetrics(Record):
    """One class, one-vs-rest (the class as positive), over a model's seeds."""

    support: int = Field(description="test examples of the class")
    precision: SeedSummary = Field(description="of examples predicted as the class, the share "
                                   "that are")
    recall: SeedSummary = Field(description="of the class's examples, the share predicted as it")
    f1: SeedSummary = Field(description="harmonic mean of the two")


class Prediction(Record):
    pred: str = Field(description="the predicted label")
    confidence: float = Field(description="its probability (the model's top one)")


class Disagreement(Record):
    """A test example on which the models disagree, with its input as reports show it."""

    id: str = Field(description="the example's id")
    true: str = Field(description="its true label")
    input: dict[str, str] = Field(description="per input column: the text, an image as a "
                                  "`data:image/png` thumbnail, or an audio file's name")
    predictions: dict[str, Prediction] = Field(description="per model (first seed)")


class ProbeScore(Record):
    mean: float = Field(description="mean over folds: accuracy (classification) or R²")
    sd: float = Field(description="standard deviation over folds")


class Screened(Record):
    """One candidate's pre-screen on its task."""

    logme: float = Field(description="LogME: log evidence per example of a Bayesian linear "
                         "model on the frozen features (mean over classes or targets)")
    linear_probe: ProbeScore = Field(description="cross-validated linear model on the "
                                     "standardised frozen features")
    dimensions: int = Field(description="feature size")
    examples: int = Field(description="training examples scored")
    rank: int = Field(description="pre-screen rank by the declared method, 1 = best")
    fine_tuned: bool = Field(description="kept by the pre-screen and fine-tuned")
    reason: str | None = Field(description="why it was not fine-tuned; null when it was")


class Agreement(Record):
    tau: float | None = Field(description="Kendall τ between this score's ranking and the "
                              "final leaderboard; null with fewer than two fine-tuned models")
    models: int = Field(description="fine-tuned models the τ is over")


class Prescreen(Record):
    """Candidates ranked from frozen features before fine-tuning."""

    method: Literal["logme", "linear_probe"] = Field(description="the score that ranks")
    keep: int | None = Field(description="models fine-tuned per task; null: every one")
    folds: int = Field(description="cross-validation folds of the linear probe")
    candidates: dict[str, Screened] = Field(description="per model: scores and rank")
    agreement: dict[str, Agreement] = Field(description="per score (`logme`, `linear_probe`)"
                                            ": its agreement with the final ranking")


class RaceStop(Record):
    """A cell the race stopped before its training finished."""

    model: str = Field(description="model name")
    seed: int = Field(description="training seed")
    epochs: int = Field(description="validated epochs it trained, over its stages")
    metric: str = Field(description="the primary metric compared")
    value: float = Field(description="its value on the validation split when stopped")
    leader: str = Field(description="the model it lost to (best finished, same seed)")
    leader_value: float = Field(description="the leader's value on the validation split")
    p_value: float = Field(description="paired-bootstrap p-value of the difference")


class Race(Record):
    level: float = Field(description="confidence of the test: stopped when p < 1 − level")
    after: int = Field(description="validated epochs before a candidate may be stopped")
    stopped: list[RaceStop] = Field(description="cells stopped; their models are not ranked")


class SplitSizes(Record):
    train: int = Field(description="training examples")
    validation: int = Field(description="validation examples (0: none)")
    test: int = Field(description="test examples")


class Holdout(Record):
    test: float = Field(description="fraction for test")
    validation: float = Field(description="fraction for validation")
    seed: int = Field(description="seed of the shuffle")
    stratify: bool = Field(description="class proportions kept in every split")


class Task(Record):
    type: str = Field(description="task type, e.g. `text_classification`")
    labels: list[str] = Field(description="class labels in order; empty for regression")
    positive: str | None = Field(description="binary tasks: the positive class used")
    sizes: SplitSizes = Field(description="split sizes")
    split: Holdout | None = Field(description="how `data` was divided; null for explicit splits")
    fingerprints: dict[str, str] = Field(
        description="data file (or folder) → sha256; built-in data sets: the package and "
                    "version that provides them")
    tag_repairs: dict[str, int] = Field(
        default_factory=dict,
        description="token classification: per split, how many gold tags reading the data "
                    "as IOB2 changed (other schemes converted, a stray `I-` read as `B-`); "
                    "empty when none changed (and in files written before it was recorded)")
    models: dict[str, ModelSummary] = Field(description="per model: metrics over seeds, cost")
    leaderboard: list[Standing] = Field(description="models ranked on the primary metric; "
                                                    "empty when it does not fit the task")
    evaluations: dict[str, EvaluationSummary] = Field(
        default_factory=dict, description="extra sets, then perturbations, in declared order")
    per_class: dict[str, dict[str, ClassMetrics]] = Field(
        default_factory=dict, description="classification: per model, per class, its "
        "precision, recall and F1 with intervals")
    prescreen: Prescreen | None = Field(
        default=None, description="the pre-screen, when the spec has one")
    race: Race | None = Field(default=None, description="the race, when candidates race")
    disagreements: list[Disagreement] = Field(
        default_factory=list, description="classification: the test examples the models' "
        "first seeds disagree on most (most distinct predictions, then the widest spread of "
        "the true label's probability)")


# ------------------------------------------------------------------------------- top level
class SpecFile(Record):
    path: str = Field(description="the spec file as given on the command line")
    directory: str | None = Field(None, description="the spec's folder, absolute: data paths "
                                  "resolve from it (`evalspec reproduce` reads them there)")
    text: str = Field(description="its full text")
    sha256: str = Field(description="sha256 of the UTF-8 text")


class Environment(Record):
    python: str = Field(description="Python version")
    platform: str = Field(description="operating system and version")
    machine: str = Field(description="CPU architecture")
    device: str = Field(description="`cpu` or `cuda[:N]`: where training ran")
    device_name: str = Field(description="GPU name, or the CPU model when training ran on CPU")
    versions: dict[str, str] = Field(description="versions of evalspec and key libraries")


class MetricInfo(Record):
    name: str = Field(description="the name in reports (the spec's alias, else the metric)")
    metric: str = Field(description="the catalogue metric")
    params: dict[str, Any] = Field(description="its parameters")
    higher_is_better: bool = Field(description="direction")
    cost: bool = Field(description="a cost metric (params, latency, …), not a quality metric")
    definition: str = Field(description="one-line definition")


class Confidence(Record):
    method: Literal["bootstrap", "none"] = Field(description="how intervals were made")
    n: int | None = Field(description="bootstrap resamples")
    level: float | None = Field(description="confidence level")
    seed: int | None = Field(description="seed of the resampling")


class ResultsDocument(Record):
    """results.json: a run's every number and the provenance to reproduce it."""

    schema_version: Literal[2] = Field(description="this schema's version")
    evalspec_version: str = Field(description="the evalspec that wrote the file")
    complete: bool = Field(description="false while the run is in progress or if it failed")
    title: str = Field(description="the report title")
    spec: SpecFile = Field(description="the spec that was run")
    plan_digest: str = Field(description="digest of the run matrix")
    run_digest: str | None = Field(description="digest of everything the results "
                                   "follow from (spec text, plan, extra sets and "
                                   "perturbations): `run` skips an identical run")
    results_digest: str | None = Field(
        description="digest of everything the numbers follow from (the spec "
        "less its report block, plan, extra sets and perturbations): `run` and `report` "
        "restate the results without recomputing when only the report block, layout or "
        "comments changed (null in files written before it was recorded)")
    started: str = Field(description="ISO 8601 UTC start of the run")
    finished: str | None = Field(description="ISO 8601 UTC end; null until complete")
    environment: Environment = Field(description="where it ran")
    primary: str = Field(description="the metric that ranks the models")
    confidence: Confidence = Field(description="interval settings")
    seeds: list[int] = Field(description="training seeds")
    metrics: list[MetricInfo] = Field(description="declared metrics, in order")
    tasks: dict[str, Task] = Field(description="per task: data, summaries, leaderboard")
    cells: list[Cell] = Field(description="every finished (task, model, seed), in run order")

    @model_validator(mode="after")
    def _names_agree(self) -> ResultsDocument:
        """What a report looks up exists: every ranked model has a summary, every cell a
        task (a hand-edited file could say otherwise)."""
        for name, task in self.tasks.items():
            ranked: list[tuple[str, str, Mapping[str, object]]] = [
                (f"tasks.{name}.leaderboard", row.model, task.models) for row in task.leaderboard]
            ranked += [(f"tasks.{name}.evaluations.{set_}.leaderboard", row.model,
                        evaluation.models)
                       for set_, evaluation in task.evaluations.items()
                       for row in evaluation.leaderboard]
            for where, model, summaries in ranked:
                if model not in summaries:
                    raise ValueError(f"{where} ranks model `{model}`, which has no summary")
        for cell in self.cells:
            if cell.task not in self.tasks:
                raise ValueError(f"cell {cell.task}/{cell.model} names task `{cell.task}`, "
                                 "which the file does not describe")
        return self


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of results.json."""
    schema = ResultsDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def read(path: Path) -> ResultsDocument:
    """A results file, validated; a missing, foreign or older file is a one-line error."""
    if not path.is_file():
        raise UsageError(f"{path}: no such results file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a JSON file ({error})") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        raise UsageError(f"{path}: results schema version {version!r}, but this evalspec reads "
                         f"version {SCHEMA_VERSION}; re-run the spec to write a current file")
    try:
        return ResultsDocument.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{path}: not a valid results file: {where}: {first['msg']} "
                         f"({error.error_count()} problem(s))") from None
