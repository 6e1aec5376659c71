"""The spec as frozen Pydantic models: every block, key and call of the language."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeAlias, Union, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
)

from evalspec.registry.metrics import METRICS, MetricDef
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.spans import PLAIN


class Frozen(BaseModel):
    """Immutable, strict, no unknown keys, no infinities."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class Call(Frozen):
    """A call such as `csv("x.csv", text = "t")`; `positional` names its positional arguments."""

    positional: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str] = ""


def _call_or_name(value: Any) -> Any:
    """A bare name stands for a call without arguments: `optimizer = adamw`."""
    return {"fn": value} if isinstance(value, str) else value


def choice(*calls: type[Call]) -> Any:
    """A discriminated union of calls, also accepting a bare name for an argument-free call."""
    union = Union[calls] if len(calls) > 1 else calls[0]  # noqa: UP007 - built at run time
    if len(calls) == 1:
        return Annotated[union, BeforeValidator(_call_or_name)]
    return Annotated[union, Field(discriminator="fn"), BeforeValidator(_call_or_name)]


Fraction = Annotated[float, Field(ge=0, lt=1)]
PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]
if TYPE_CHECKING:  # built at run time from the registry; mypy sees a plain name
    TaskTypeName: TypeAlias = str
else:
    TaskTypeName = Literal[tuple(TASK_TYPES)]


# --------------------------------------------------------------------------- data sources
def _integer_as_text(value: Any) -> Any:
    """An integer where text is expected stands for its digits: `text = 0` names column
    `0` of a file without a header, and `label(1, "positive")` the label `1`."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Written = Annotated[Text, BeforeValidator(_integer_as_text)]  # text, or an integer as text


class Columns(Call):
    """Column keywords shared by tabular sources."""

    text: Written | None = Field(None, description="column holding the input text")
    text_pair: Written | None = Field(None, description="column holding the second text of a "
                                      "pair")
    image: Written | None = Field(None, description="column holding image file paths")
    audio: Written | None = Field(None, description="column holding audio file paths")
    label: Written | None = Field(None, description="column holding the class label")
    target: Written | None = Field(None, description="column holding the regression target")
    tokens: Written | None = Field(None, description="column holding a list of tokens")
    tags: Written | None = Field(None, description="column holding a list of tags")
    transcript: Written | None = Field(None, description="column holding the reference "
                                       "transcript")
    id: Written | None = Field(None, description="column holding a stable example id")

    def named_columns(self) -> dict[str, str]:
        """Column keyword → column name, for the keywords given."""
        names = ("text", "text_pair", "image", "audio", "label", "target", "tokens", "tags",
                 "transcript", "id")
        return {k: getattr(self, k) for k in names if getattr(self, k) is not None}


class TableFile(Columns):
    """A file of rows whose columns the keywords name."""

    positional = ("path",)
    path: Text = Field(description="file path, relative to the spec file")


class ClassFolder(Call):
    """A folder with one sub-folder per class."""

    positional = ("dir",)
    dir: Text = Field(description="folder path, relative to the spec file")


class Delimited(TableFile):
    """A text file of rows whose fields a delimiter separates: CSV or TSV. With `header =
    false` every row is data, and the columns are named by `columns`, else by their 0-based
    index (`"0"`, `"1"`, …)."""

    fn: str
    header: bool = Field(True, description="the first row names the columns; `false`: every "
                         "row is data, its columns named by `columns` or by index (`text = 0`)")
    columns: list[Text] | None = Field(
        None, min_length=1, description="with `header = false`: the columns' names, in order")
    quoting: Literal["csv", "none"]

    @property
    def separator(self) -> str:
        """The character between fields."""
        raise NotImplementedError

    def dialect(self) -> dict[str, Any]:
        """How Python's `csv.reader` splits this file: `quoting = none` reads `"` as an
        ordinary character."""
        return {"delimiter": self.separator,
                "quoting": csv.QUOTE_NONE if self.quoting == "none" else csv.QUOTE_MINIMAL}

    def names(self, first: list[str]) -> list[str]:
        """The column names of a file whose first row is `first`: that row itself, or with
        `header = false` the declared `columns`, else each column's index."""
        if self.header:
            return first
        return list(self.columns) if self.columns else [str(i) for i in range(len(first))]


class Csv(Delimited):
    summary = "a CSV file, its first row naming the columns unless `header = false`"
    fn: Literal["csv"]
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = Field(
        ",", description="field separator")
    quoting: Literal["csv", "none"] = Field(
        "csv", description="`csv`: a field in double quotes may hold the delimiter, line "
        "breaks and doubled quotes; `none`: `\"` is an ordinary character")

    @property
    def separator(self) -> str:
        return self.delimiter


class Tsv(Delimited):
    summary = "a tab-separated file, `\"` an ordinary character unless `quoting = csv`"
    fn: Literal["tsv"]
    quoting: Literal["csv", "none"] = Field(
        "none", description="`none`: `\"` is an ordinary character; `csv`: read quotes as "
        "CSV does")

    @property
    def separator(self) -> str:
        return "\t"


class Jsonl(TableFile):
    summary = "a JSON Lines file, one object per line"
    fn: Literal["jsonl"]


class Parquet(TableFile):
    summary = "an Apache Parquet file (needs pyarrow)"
    fn: Literal["parquet"]


class Images(ClassFolder):
    summary = "a folder of images with one sub-folder per class"
    fn: Literal["images"]


class Audio(ClassFolder):
    summary = "a folder of WAV/FLAC clips with one sub-folder per class"
    fn: Literal["audio"]


class Conll(Call):
    """A CoNLL file. `tokens` and `tags` left out are decided by the file's first sentence:
    when each of its lines has three or more columns and the first column counts 1, 2, 3, …
    (UNER's `index token tag …`), tokens = 1 and tags = 2; otherwise tokens = 0 and tags =
    -1 (the last column)."""

    positional = ("path",)
    summary = "a CoNLL/IOB file: one token per line, a blank line between sentences"
    fn: Literal["conll"]
    path: Text = Field(description="file path, relative to the spec file")
    tokens: Annotated[int, Field(ge=0)] | None = Field(
        None, description="0-based column index of the token; default from the file's layout")
    tags: Annotated[int, Field(ge=-1)] | None = Field(
        None, description="0-based column index of the tag, -1 for the last column; default "
        "from the file's layout")

    @staticmethod
    def fields(line: str) -> list[str]:
        """A line's columns: split on tabs when it has one, else on runs of whitespace;
        trailing whitespace (a `\\r` too) is not a column."""
        line = line.rstrip()
        return line.split("\t") if "\t" in line else line.split()

    @staticmethod
    def skipped(line: str) -> bool:
        """A `-DOCSTART-` line: it ends a sentence and is no token."""
        return line.startswith("-DOCSTART-")

    @classmethod
    def first_sentence(cls, lines: Iterable[str]) -> list[tuple[int, list[str]]]:
        """(line number from 1, columns) of each line of the first sentence, `#` lines left
        out: the lines that decide the layout."""
        found: list[tuple[int, list[str]]] = []
        for number, line in enumerate(lines, start=1):
            columns = cls.fields(line)
            if not columns or cls.skipped(line):
                if found:
                    break
            elif not line.startswith("#"):
                found.append((number, columns))
        return found

    def columns(self, first: list[tuple[int, list[str]]]) -> tuple[int, int]:
        """(token column, tag column, -1 for the last) for a file whose first sentence is
        `first`: the arguments given, the rest from the layout."""
        numbered = bool(first) and all(len(columns) >= 3 and columns[0] == str(position)
                                       for position, (_, columns) in enumerate(first, start=1))
        tokens, tags = (1, 2) if numbered else (0, -1)
        return (tokens if self.tokens is None else self.tokens,
                tags if self.tags is None else self.tags)


class HfDataset(Columns):
    positional = ("name",)
    summary = "a dataset from the Hugging Face hub or its local cache (needs `datasets`)"
    fn: Literal["hf_dataset"]
    name: Text = Field(description="dataset id on the hub")
    split: Text = Field("train", description="which split of the dataset to read")
    config: Text | None = Field(None, description="dataset configuration name")


class Builtin(Call):
    positional = ("name",)
    summary = "a small data set shipped with an installed package, e.g. scikit-learn's digits"
    fn: Literal["builtin"]
    name: Text = Field(description="`digits`, `breast_cancer`, `wine`, `iris`, `diabetes`, …")


DATA_SOURCES: tuple[type[Call], ...] = (Csv, Tsv, Jsonl, Parquet, Images, Audio, Conll,
                                         HfDataset, Builtin)
if TYPE_CHECKING:  # a discriminated union built at run time
    Source: TypeAlias = Any
else:
    Source = choice(*DATA_SOURCES)


class Label(Call):
    positional = ("value", "name")
    summary = "a class whose value in the data goes by another name in results and reports"
    fn: Literal["label"]
    value: Written = Field(description="the label as the data writes it, e.g. `\"1\"` or `1`")
    name: Text = Field(description="the name it goes by everywhere else, e.g. `\"positive\"`")


def _label_kind(value: Any) -> Any:
    """A call by its name (so that a misspelt one is "did you mean `label`"), else plain;
    a `Label` itself (when serialised) is a call."""
    if isinstance(value, dict):
        return value.get("fn")
    return "label" if isinstance(value, Label) else PLAIN


LabelEntry = Annotated[Union[Annotated[Written, Tag(PLAIN)],  # noqa: UP007 - a tagged union
                             Annotated[Label, Tag("label")]], Discriminator(_label_kind)]


class Holdout(Call):
    summary = "divide one data source into train/validation/test, deterministically"
    fn: Literal["holdout"]
    test: Annotated[float, Field(gt=0, lt=1)] = Field(default=0.2,
                                                      description="fraction for test")
    validation: Fraction = Field(default=0.1, description="fraction for validation (0 for none)")
    seed: int = Field(default=0, description="seed of the shuffle")
    stratify: bool = Field(default=True, description="keep class proportions in every split")


class Normalize(Call):
    summary = "how transcripts are normalised before training and scoring (speech)"
    fn: Literal["normalize"]
    case: Literal["lower", "keep"] = Field("lower", description="`lower`: lower-case every "
                                           "letter; `keep`: as written")
    punctuation: Literal["remove", "keep"] = Field(
        "remove", description="`remove`: drop punctuation (an apostrophe inside a word stays)")


# --------------------------------------------------------------------------- perturbations
Rate = Annotated[float, Field(gt=0, le=1)]


class Perturbation(Call):
    """A change applied to every test example before predicting (nothing is retrained);
    its randomness comes from `seed` and each example's id only."""

    seed: int = Field(0, description="seed of the per-example randomness")


class Typos(Perturbation):
    summary = "character typos: letters deleted, doubled, swapped or mistyped at a rate"
    fn: Literal["typos"]
    rate: Rate = Field(0.05, description="chance that a letter is edited")


class Case(Perturbation):
    positional = ("mode",)
    summary = "change the case of every text"
    fn: Literal["case"]
    mode: Literal["lower", "upper", "title"] = Field("lower", description="`lower`, `upper` "
                                                     "or `title`")


class DropWords(Perturbation):
    summary = "drop words at a rate (one always kept)"
    fn: Literal["drop_words"]
    rate: Rate = Field(0.1, description="chance that a word is dropped")


class StripPunctuation(Perturbation):
    summary = "remove every punctuation character"
    fn: Literal["strip_punctuation"]


class GaussianNoise(Perturbation):
    summary = "Gaussian pixel noise"
    fn: Literal["gaussian_noise"]
    std: Annotated[float, Field(gt=0, le=1)] = Field(
        0.1, description="standard deviation as a fraction of the pixel range")


class Blur(Perturbation):
    summary = "Gaussian blur"
    fn: Literal["blur"]
    radius: PositiveFloat = Field(1.0, description="blur radius in pixels")


class Jpeg(Perturbation):
    summary = "JPEG compression"
    fn: Literal["jpeg"]
    quality: Annotated[int, Field(ge=1, le=95)] = Field(30, description="JPEG quality, 1 to 95")


class Brightness(Perturbation):
    summary = "scale the brightness"
    fn: Literal["brightness"]
    factor: PositiveFloat = Field(0.6, description="brightness factor (1 leaves it as is)")


class Rotate(Perturbation):
    summary = "rotate about the centre, black corners"
    fn: Literal["rotate"]
    degrees: Annotated[float, Field(ge=-180, le=180)] = Field(
        15.0, description="angle, counter-clockwise")


class BackgroundNoise(Perturbation):
    summary = "white noise at a signal-to-noise ratio"
    fn: Literal["background_noise"]
    snr: float = Field(20.0, description="signal-to-noise ratio in dB")


class Speed(Perturbation):
    summary = "play faster or slower (pitch moves with it)"
    fn: Literal["speed"]
    factor: Annotated[float, Field(ge=0.25, le=4)] = Field(
        1.1, description="speed factor, 0.25 to 4 (above 1 is faster)")


class Gain(Perturbation):
    summary = "change the loudness, clipped to full scale"
    fn: Literal["gain"]
    db: Annotated[float, Field(ge=-60, le=60)] = Field(-6.0, description="change in dB")


PERTURBATION_CALLS: tuple[type[Call], ...] = (
    Typos, Case, DropWords, StripPunctuation, GaussianNoise, Blur, Jpeg, Brightness, Rotate,
    BackgroundNoise, Speed, Gain)
if TYPE_CHECKING:  # a discriminated union built at run time
    PerturbationCall: TypeAlias = Any
else:
    PerturbationCall = choice(*PERTURBATION_CALLS)

class Task(Frozen):
    type: TaskTypeName = Field(description="what the task predicts")
    data: Source | None = Field(None, description="one source that `split` divides")
    train: Source | None = Field(None, description="explicit training split")
    validation: Source | None = Field(None, description="explicit validation split")
    test: Source | None = Field(None, description="explicit test split")
    split: choice(Holdout) = Field(  # type: ignore[valid-type]
        default_factory=lambda: Holdout(fn="holdout"), description="how `data` is divided")
    labels: list[LabelEntry] | None = Field(
        None, min_length=1, description="label set and order, inferred when absent; "
        "`label(VALUE, NAME)` gives a value of the data a name; token classification: entity "
        "types (`PER`, expanded to `O`, `B-PER`, `I-PER`) or IOB2 tags")
    positive: Text | None = Field(None, description="binary tasks: the positive class")
    normalize: choice(Normalize) = Field(  # type: ignore[valid-type]
        default_factory=lambda: Normalize(fn="normalize", case="lower", punctuation="remove"),
        description="speech recognition: transcript normalisation (whitespace is always "
        "collapsed)")
    evaluate: dict[str, Source] = Field(
        default_factory=dict, description="extra evaluation sets by name (other domains), "
        "read with the task's columns and labels; each is scored like the test split")
    perturb: dict[str, PerturbationCall] = Field(
        default_factory=dict, description="perturbations of the test split by name; each is "
        "scored like the test split, and its drop from the clean test split reported")

    def declared(self) -> list[tuple[str, str]] | None:
        """(value in the data, name) of each declared label, in order; None when labels are
        inferred. A plain string is its own name."""
        if self.labels is None:
            return None
        return [(entry, entry) if isinstance(entry, str) else (entry.value, entry.name)
                for entry in self.labels]

    def label_names(self) -> list[str] | None:
        """The declared labels by the names results and reports use; None when inferred."""
        declared = self.declared()
        return None if declared is None else [name for _, name in declared]

    def evaluations(self) -> list[str]:
        """Names of what is evaluated beside the test split: extra sets, then perturbations."""
        return [*self.evaluate, *self.perturb]


# --------------------------------------------------------------------------- model sources
class Hf(Call):
    positional = ("id",)
    summary = "a Hugging Face hub model (BERT- or GPT-style), or a folder in its cache"
    fn: Literal["hf"]
    id: Text = Field(description="model id, e.g. `bert-base-uncased`")
    revision: Text | None = Field(None, description="branch, tag or commit to pin")


class Timm(Call):
    positional = ("name",)
    summary = "a timm image model with its pretrained weights"
    fn: Literal["timm"]
    name: Text = Field(description="timm model name, e.g. `resnet18.a1_in1k`")
    pretrained: bool = Field(True, description="load pretrained weights")


class PathModel(Call):
    positional = ("path",)
    summary = "a local Hugging Face folder, or a safetensors file with `arch`"
    fn: Literal["path"]
    path: Text = Field(description="folder or file, relative to the spec file")
    arch: Text | None = Field(None, description="architecture for a bare weights file "
                              "(a timm name, or `transformer`/`lstm`/`gru`/`mlp`)")


class Package(Call):
    positional = ("module", "subpath")
    summary = "a model folder shipped inside an installed Python package"
    fn: Literal["package"]
    module: Text = Field(description="importable package name")
    subpath: Text = Field("", description="folder or file inside the package")
    arch: Text | None = Field(None, description="architecture for a bare weights file")


class Scratch(Call):
    positional = ("arch",)
    summary = "a randomly initialised model: the control that shows what pretraining is worth"
    fn: Literal["scratch"]
    arch: Text = Field(description="`transformer`, `lstm`, `gru`, `mlp` or a timm name")
    layers: PositiveInt | None = Field(None, description="number of layers")
    hidden: PositiveInt | None = Field(None, description="hidden size")
    heads: PositiveInt | None = Field(None, description="attention heads (transformer)")
    bidirectional: bool | None = Field(None, description="bidirectional recurrence (lstm/gru)")


MODEL_SOURCES: tuple[type[Call], ...] = (Hf, Timm, PathModel, Package, Scratch)


class Model(Frozen):
    source: choice(*MODEL_SOURCES) = Field(  # type: ignore[valid-type]
        description="where the model comes from")
    max_length: PositiveInt = Field(128, description="text models: tokens per input")
    image_size: PositiveInt | None = Field(
        None, description="image models: input size; default from the model's pretrained config")
    sample_rate: PositiveInt = Field(16000, description="audio models: samples per second "
                                     "(clips at another rate are resampled)")
    max_seconds: PositiveFloat = Field(30.0, description="audio models: longer clips are cut "
                                       "to this many seconds")
    spec_augment: bool = Field(False, description="audio models on mel frames: SpecAugment "
                               "masking while training")
    pooling: Literal["cls", "mean"] | None = Field(
        None, description="text encoders: `cls` or `mean`; default as the model was trained")
    head: Literal["new", "pretrained"] = Field(
        "new", description="a fresh head for the task's labels, or the model's own classifier")


# --------------------------------------------------------------------------- fine-tuning
class Adam(Call):
    summary = "Adam"
    fn: Literal["adam"]
    weight_decay: Annotated[float, Field(ge=0)] = Field(0.0, description="L2 penalty")
    beta1: Annotated[float, Field(gt=0, lt=1)] = Field(0.9, description="first-moment decay")
    beta2: Annotated[float, Field(gt=0, lt=1)] = Field(0.999, description="second-moment decay")


class AdamW(Adam):
    summary = "AdamW (decoupled weight decay)"
    fn: Literal["adamw"]  # type: ignore[assignment]
    weight_decay: Annotated[float, Field(ge=0)] = Field(0.01, description="weight decay")


class Sgd(Call):
    summary = "stochastic gradient descent with momentum"
    fn: Literal["sgd"]
    momentum: Annotated[float, Field(ge=0, lt=1)] = Field(0.9, description="momentum")
    weight_decay: Annotated[float, Field(ge=0)] = Field(0.0, description="L2 penalty")
    nesterov: bool = Field(False, description="Nesterov momentum")


if TYPE_CHECKING:  # a discriminated union built at run time
    Optimizer: TypeAlias = Any
else:
    Optimizer = choice(AdamW, Adam, Sgd)


class Constant(Call):
    summary = "constant learning rate"
    fn: Literal["constant"]


class Linear(Call):
    summary = "linear warmup, then linear decay to 0"
    fn: Literal["linear"]
    warmup: Fraction = Field(0.0, description="fraction of the stage's steps spent warming up")


class Cosine(Call):
    summary = "linear warmup, then cosine decay to 0"
    fn: Literal["cosine"]
    warmup: Fraction = Field(0.0, description="fraction of the stage's steps spent warming up")


if TYPE_CHECKING:  # a discriminated union built at run time
    Schedule: TypeAlias = Any
else:
    Schedule = choice(Constant, Linear, Cosine)


class TrainHead(Call):
    summary = "train only the new head; backbone and its normalisation statistics frozen"
    fn: Literal["head"]


class TrainAll(Call):
    summary = "train every parameter"
    fn: Literal["all"]


class TrainTop(Call):
    positional = ("n",)
    summary = "train the last N blocks of the backbone plus the head"
    fn: Literal["top"]
    n: int = Field(description="number of top blocks to unfreeze")


class Patience(Call):
    positional = ("n", "monitor")
    summary = "stop a stage when the monitored validation metric stops improving"
    fn: Literal["patience"]
    n: PositiveInt = Field(description="epochs without improvement before stopping")
    monitor: Text = Field("val.loss", description="`val.METRIC` or `val.loss`")
    min_delta: Annotated[float, Field(ge=0)] = Field(0.0, description="smallest improvement")

    @field_validator("monitor")
    @classmethod
    def _monitor_is_val_ref(cls, value: str) -> str:
        if not re.fullmatch(r"val\.[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError("monitor must name a validation metric, e.g. `val.f1` or `val.loss`")
        return value

    @property
    def metric(self) -> str:
        return self.monitor.split(".", 1)[1]


Precision = Literal["auto", "fp32", "tf32", "bf16", "fp16"]


class StageOverrides(Frozen):
    """Fine-tuning defaults that a stage may override."""

    batch_size: PositiveInt | None = Field(None, description="examples per step")
    optimizer: Optimizer | None = Field(None, description="`adamw(…)`, `adam(…)` or `sgd(…)`")
    precision: Precision | None = Field(
        None, description="`auto`, `fp32`, `tf32`, `bf16` or `fp16`")
    compile: bool | None = Field(None, description="`true`: train the model through "
                                 "`torch.compile` (stages that train only the head do not)")
    grad_clip: PositiveFloat | None = Field(None, description="clip the gradient norm to this")
    accumulate: PositiveInt | None = Field(None, description="micro-batches per optimizer step")
    max_steps: PositiveInt | None = Field(None, description="cap on optimizer steps")


class Stage(StageOverrides):
    train: choice(TrainHead, TrainAll, TrainTop) = Field(  # type: ignore[valid-type]
        default_factory=lambda: TrainAll(fn="all"), description="`head`, `all` or `top(N)`")
    epochs: PositiveInt = Field(description="passes over the training split")
    lr: PositiveFloat = Field(description="peak learning rate")
    schedule: Schedule = Field(default_factory=lambda: Constant(fn="constant"),
                               description="`constant`, `linear(warmup = P)`, `cosine(…)`")
    layer_decay: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="per-layer learning-rate decay from the top down")
    early_stop: choice(Patience) | None = Field(  # type: ignore[valid-type]
        None, description="`patience(N, monitor = val.METRIC)`")


class PrescreenCall(Call):
    """A pre-screen: how many candidates per task it keeps for fine-tuning."""

    keep: PositiveInt | None = Field(None, description="fine-tune only the best N per task; "
                                     "absent: fine-tune every candidate, scores reported")


class LogMe(PrescreenCall):
    summary = "rank candidates by LogME (the evidence of a Bayesian linear model) on frozen "\
        "features of the training split"
    fn: Literal["logme"]


class LinearProbe(PrescreenCall):
    summary = "rank candidates by a cross-validated linear model on frozen features of the "\
        "training split"
    fn: Literal["linear_probe"]
    folds: Annotated[int, Field(ge=2, le=20)] = Field(5, description="cross-validation folds")


class Race(Call):
    summary = "stop fine-tuning a candidate once it is significantly worse than the leader "\
        "on the validation split"
    fn: Literal["race"]
    level: Annotated[float, Field(gt=0.5, lt=1)] = Field(
        0.95, description="confidence of the paired test: stopped when p < 1 − level")
    after: PositiveInt = Field(1, description="validated epochs a candidate trains before it "
                               "may be stopped")


class Finetune(StageOverrides):
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1,
                             description="each (task, model) pair is trained once per seed")
    prescreen: choice(LogMe, LinearProbe) | None = Field(  # type: ignore[valid-type]
        None, description="before fine-tuning, score every candidate from frozen features "
        "(`logme(keep = N)` or `linear_probe(keep = N, folds = K)`) and keep the best N")
    race: choice(Race) | None = Field(  # type: ignore[valid-type]
        None, description="`race(level = 95%, after = 1)`: stop a candidate whose validation "
        "primary metric is significantly worse than the best finished candidate's")
    stages: dict[str, Stage] = Field(default_factory=dict, description="stages, in order")


# --------------------------------------------------------------------------- metrics
def _metric_model(definition: MetricDef) -> type[Call]:
    fields: dict[str, Any] = {"fn": (Literal[definition.name], ...)}  # type: ignore[valid-type]
    for name, param in definition.params.items():
        kind: Any = Literal[param.choices] if param.choices else param.kind  # type: ignore[valid-type]
        bounds = {k: v for k in ("gt", "lt", "le") if (v := getattr(param, k)) is not None}
        fields[name] = (kind, Field(param.default, description=param.description, **bounds))
    name = f"Metric_{definition.name}"
    model = create_model(name, __base__=Call, __module__=__name__, **fields)
    model.summary = definition.description
    globals()[name] = model  # found by name, so specs pickle (a cell job carries its spec)
    return model


METRIC_CALLS: tuple[type[Call], ...] = tuple(_metric_model(d) for d in METRICS.values())
if TYPE_CHECKING:  # a discriminated union built at run time
    MetricCall: TypeAlias = Any
else:
    MetricCall = choice(*METRIC_CALLS)


class MetricEntry(Frozen):
    name: Text = Field(description="the metric's name in reports and references")
    metric: MetricCall = Field(description="the metric and its parameters")


class Bootstrap(Call):
    summary = "percentile bootstrap over test examples"
    fn: Literal["bootstrap"]
    n: Annotated[int, Field(ge=100, le=100_000)] = Field(default=1000, description="resamples")
    level: Annotated[float, Field(gt=0.5, lt=1)] = Field(default=0.95,
                                                         description="confidence level")
    seed: int = Field(default=0, description="seed of the resampling")


class NoConfidence(Call):
    summary = "no confidence intervals"
    fn: Literal["none"]


class Metrics(Frozen):
    entries: list[MetricEntry] = Field(min_length=1, description="metrics in declared order")
    primary: Text | None = Field(None, description="the metric that ranks the models")
    confidence: choice(Bootstrap, NoConfidence) = Field(  # type: ignore[valid-type]
        default_factory=lambda: Bootstrap(fn="bootstrap"),
        description="`bootstrap(n = N, level = P)` or `none`")

    def primary_entry(self) -> MetricEntry:
        """The entry of the metric that ranks the models."""
        name = self.primary_name()
        return next(e for e in self.entries if e.name == name)

    def primary_name(self) -> str:
        """The declared primary, else the first quality metric, else the first metric."""
        if self.primary:
            return self.primary
        quality = [e.name for e in self.entries if not METRICS[e.metric.fn].cost]
        return (quality or [self.entries[0].name])[0]


class Report(Frozen):
    title: Text | None = Field(default=None,
                               description="report title; default from the spec name")
    formats: list[Literal["html", "markdown", "json"]] = Field(
        default_factory=lambda: cast(list[Literal["html", "markdown", "json"]],
                                     ["html", "markdown", "json"]), min_length=1,
        description="formats to write; results.json is always written")
    out: Text | None = Field(default=None, description="output folder, relative to the spec file")


class Spec(Frozen):
    """A whole evalspec file."""

    version: Literal[1] = Field(description="language version from the `evalspec N` line")
    tasks: dict[str, Task] = Field(min_length=1, description="tasks by name")
    models: dict[str, Model] = Field(min_length=1, description="candidate models by name")
    finetune: Finetune | None = Field(None, description="the schedule; absent: evaluate as is")
    metrics: Metrics = Field(description="what to measure")
    report: Report = Field(default_factory=Report, description="what to write where")


CALLS: dict[str, type[Call]] = {
    model.model_fields["fn"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in cast(tuple[type[Call], ...], (
        *DATA_SOURCES, Label, Holdout, *MODEL_SOURCES, AdamW, Adam, Sgd, Constant, Linear, Cosine,
        TrainHead, TrainAll, TrainTop, Patience, *METRIC_CALLS, Bootstrap, NoConfidence,
        *PERTURBATION_CALLS, LogMe, LinearProbe, Race))
}
