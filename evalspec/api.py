"""The pipeline as a table of contents: load → check → plan → run → report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalspec.atomic import probe_writable
from evalspec.check import check as check_rules
from evalspec.check.models import downloads_refused
from evalspec.diagnostics import Diagnostic, ordered
from evalspec.errors import RunError, SpecError, UsageError
from evalspec.parse import ast, parse
from evalspec.results.store import output_folder
from evalspec.source import SourceFile, Span
from evalspec.validate import Validated, validate

if TYPE_CHECKING:
    from evalspec.execute.cache import CellCache
    from evalspec.execute.data.examples import TaskData
    from evalspec.execute.events import Event
    from evalspec.execute.options import RunOptions
    from evalspec.execute.runner import Runner
    from evalspec.plan import Evaluation, Plan
    from evalspec.results.reproduction import Reproduction
    from evalspec.results.store import RunFolder
    from evalspec.session import Session
    from evalspec.validate.model import Spec

MAX_SPEC_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """A spec file and every diagnostic found in it; `validated` is None when it has errors."""

    source: SourceFile
    diagnostics: list[Diagnostic]
    validated: Validated | None

    @property
    def ok(self) -> bool:
        return self.validated is not None and not any(d.is_error for d in self.diagnostics)


def read_source(path: str | Path) -> SourceFile:
    """Read a spec file; a missing, unreadable or non-UTF-8 file is a one-line error."""
    spec = Path(path)
    if spec.is_dir():
        raise UsageError(f"{path}: is a directory; pass a .evalspec file")
    if not spec.exists():
        raise UsageError(f"{path}: no such file")
    if spec.stat().st_size > MAX_SPEC_BYTES:
        raise UsageError(f"{path}: larger than {MAX_SPEC_BYTES // (1024 * 1024)} MiB; "
                         "is this a spec file?")
    raw = spec.read_bytes()
    try:
        return SourceFile(str(path), raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        source = SourceFile(str(path), raw.decode("utf-8", errors="replace"))
        at = len(raw[:error.start].decode("utf-8", errors="replace"))
        raise SpecError(source, [Diagnostic(
            "ES105", "the file is not valid UTF-8", source.span(at, at + 1),
            "save the file as UTF-8")]) from None


def check(path: str | Path) -> Checked:
    """Parse, validate and check one spec file; every diagnostic at once, in source order."""
    try:
        source = read_source(path)
    except SpecError as error:
        assert error.source is not None
        return Checked(error.source, error.diagnostics, None)
    return check_source(source)


def check_source(source: SourceFile) -> Checked:
    """Parse, validate and check spec text; its path only places it (data paths resolve
    from its folder). After syntax errors the blocks that parsed are still validated and
    checked, and only their own diagnostics are kept: a block with a syntax error (and
    what its missing entries would cause elsewhere in the file) reports the syntax error
    alone."""
    tree, syntax = parse(source)
    validated, diagnostics = None, list(syntax)
    if tree is not None:
        validated, meaning = validate(tree)
        if validated is not None:
            meaning += check_rules(validated, source)
        diagnostics += meaning if not syntax else _in_clean_blocks(tree, syntax, meaning)
    result = Checked(source, ordered(diagnostics), validated)
    return result if result.ok or validated is None else Checked(source, result.diagnostics, None)


def _in_clean_blocks(tree: ast.File, syntax: list[Diagnostic],
                     meaning: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that lie inside a top-level block with no syntax error in it."""
    def inside(span: Span, found: Diagnostic) -> bool:
        return found.span is not None and span.start <= found.span.start < span.end

    clean = [entry.span for entry in tree.entries if isinstance(entry, ast.Block)
             and not any(inside(entry.span, d) for d in syntax)]
    return [d for d in meaning if any(inside(span, d) for span in clean)]


def load(spec: str | Path | SourceFile) -> Checked:
    """A spec that passed every check; raises SpecError with all diagnostics otherwise."""
    checked = check_source(spec) if isinstance(spec, SourceFile) else check(spec)
    if not checked.ok:
        raise SpecError(checked.source, checked.diagnostics)
    return checked


@dataclass(frozen=True)
class Formatted:
    """A spec file and its canonical layout; `text` is None (with the syntax errors in
    `diagnostics`) when it does not parse, since only text that parses is laid out."""

    source: SourceFile
    text: str | None
    diagnostics: list[Diagnostic]

    @property
    def changed(self) -> bool:
        return self.text is not None and self.text != self.source.text


def formatted(path: str | Path) -> Formatted:
    """The canonical layout of one spec file (`parse.layout`), written nowhere."""
    from evalspec.parse.layout import layout

    try:
        source = read_source(path)
    except SpecError as error:
        assert error.source is not None
        return Formatted(error.source, None, error.diagnostics)
    tree, diagnostics = parse(source)
    laid = layout(source) if tree is not None and not diagnostics else None
    return Formatted(source, laid, diagnostics)


@dataclass(frozen=True)
class Written:
    """What a run wrote: the results file, and the reports rendered from it."""

    results: Path
    reports: list[Path]


def run(spec_file: str | Path | SourceFile, options: RunOptions,
        out: Path | None = None, runner: Runner | None = None) -> Written:
    """Check, plan, train and evaluate every cell (by `runner`: default in this process,
    one after another), write the results and the reports the spec asks for. Nothing heavy
    starts before the spec and its data pass every check."""
    from evalspec.execute.runner import run_cells
    from evalspec.session import Session

    checked = load(spec_file)
    assert checked.validated is not None
    spec, path = checked.validated.spec, Path(checked.source.path)
    folder, cache = output_folder(path, spec.report.out, out), cell_cache(path, options)
    for writable in (folder.root, cache.root):  # fail now, not after the training
        probe_writable(writable)
    session = Session(checked.source, folder, options)
    base = checked.source.directory
    reused = reuse(unread_plan(spec, base), checked.source, folder, options, session.progress)
    if reused is None:  # the data read, then asked again (a table naming media files)
        refused = downloads_refused(checked.validated, base, options.only)  # offline
        if refused:
            raise SpecError(checked.source, refused)
        for found in checked.diagnostics:  # the warnings `check` gives, shown and logged
            where = f":{found.span.line}:{found.span.column}" if found.span else ""
            session.progress({"kind": "warning", "at": f"{checked.source.path}{where}",
                              "code": found.code, "message": found.message,
                              "hint": found.hint})
        session.begin(*planned(spec, base, session.progress))
        reused = reuse(session.plan, checked.source, folder, options, session.progress)
    if reused is not None:
        return reused
    run_cells(prescreened(session, cache), session.data, session.options, cache,
              session.validation_scorer(), session.finish_cell, runner, session.raced)
    results = session.write_results()
    return Written(results, report(results, spec.report.formats))


def reuse(plan: Plan | None, source: SourceFile, folder: RunFolder, options: RunOptions,
          progress: Callable[[Event], None]) -> Written | None:
    """The previous run's files in the output folder, when it was complete and holds this
    run's numbers: as they are when this very spec text ran on this data with these cells,
    versions and evaluations (`run_digest`) and every report asked for is there; restated
    and rendered again when only the report block, layout or comments changed
    (`results_digest`: nothing is recomputed). Else None; `--rerun` and `--only` always
    run."""
    from evalspec import report as reports
    from evalspec.results.files import read_json
    from evalspec.results.restate import restated

    if plan is None or options.rerun or options.only or not folder.results.is_file():
        return None
    try:
        previous = read_json(folder.results)
    except (OSError, ValueError):
        return None
    if not isinstance(previous, dict) or not previous.get("complete"):
        return None
    formats = plan.spec.report.formats
    written = [folder.root / reports.FILES[kind] for kind in dict.fromkeys(formats)
               if kind in reports.FILES]
    if previous.get("run_digest") == plan.run_digest(source.text) and \
            all(path.is_file() for path in written):
        progress({"kind": "up_to_date", "path": str(folder.results)})
        return Written(folder.results, written)
    if previous.get("results_digest") != plan.results_digest():
        return None
    folder.write_spec(source.path, source.text)
    folder.write_results(restated(previous, plan.spec, source))
    progress({"kind": "restated", "path": str(folder.results)})
    return Written(folder.results, reports.write(folder.results, formats))


def unread_plan(spec: Spec, base_dir: Path) -> Plan | None:
    """The plan, its data fingerprinted without being read (`unread_fingerprints`); None
    when some task's data can only be fingerprinted by reading it."""
    from evalspec.execute.data.loading import unread_fingerprints
    from evalspec.plan import build_plan

    found = {name: unread_fingerprints(task, base_dir) for name, task in spec.tasks.items()}
    if any(f is None for f in found.values()):
        return None
    return build_plan(spec, base_dir, {name: f[0] for name, f in found.items() if f},
                      {name: f[1] for name, f in found.items() if f})


def prescreened(session: Session, cache: CellCache) -> Plan:
    """The session's plan, less the candidates its pre-screen (if the spec has one) drops,
    best pre-screened first (so that a race meets its likely leader early); the scores go
    to the session for the results."""
    from evalspec.execute.prescreen import kept, screen
    from evalspec.prescreen.ranking import order

    plan = session.plan
    finetune = plan.spec.finetune
    if finetune is None or finetune.prescreen is None:
        return plan
    scores = screen(plan, session.data, session.options, cache, session.progress)
    session.prescreened(scores)
    chosen = kept(plan, scores)
    tasks = list(plan.spec.tasks)
    rank = {(task, model): i for task, by_model in scores.items()
            for i, model in enumerate(order(by_model, finetune.prescreen.fn))}
    return plan.only(lambda cell: (cell.task, cell.model) in chosen,
                     lambda cell: (tasks.index(cell.task), rank[(cell.task, cell.model)]))


def planned(spec: Spec, base_dir: Path, progress: Callable[[Event], None]
            ) -> tuple[Plan, dict[str, TaskData]]:
    """Every task's data read and checked, then the run matrix whose digests include the
    data's fingerprints (nothing is trained)."""
    from evalspec.execute.runner import load_data
    from evalspec.plan import build_plan

    data = load_data(spec, base_dir, progress)
    return build_plan(spec, base_dir, {name: d.fingerprints for name, d in data.items()},
                      {name: d.extra_fingerprints for name, d in data.items()}), data


def cell_cache(spec_path: Path, options: RunOptions) -> CellCache:
    """`--cache-dir`, else `.evalspec/cache` beside the spec."""
    from evalspec.execute.cache import CellCache

    return CellCache(options.cache_dir or spec_path.resolve().parent / ".evalspec" / "cache")


def report(results: str | Path, formats: Sequence[str] = ("html", "markdown"),
           spec: Path | None = None) -> list[Path]:
    """Render reports from a results file, beside it, without training; returns the files
    written (`json` names the results file itself and writes nothing).

    When the spec (`spec`, else the original file if it is still there) has changed since
    the run, the results file is first rewritten: restated (its text and title) when only
    the report block, layout or comments changed; else with every metric recomputed from the
    saved predictions (only the metrics block may change).
    """
    from evalspec import report as reports
    from evalspec.results import schema

    path = Path(results)
    recorded = schema.read(path).spec
    original = Path(recorded.directory) / Path(recorded.path).name if recorded.directory \
        else None
    current = spec or (original if original is not None and original.is_file() else None)
    if current is not None and read_source(current).text != recorded.text:
        from evalspec.results.files import read_json, write_json
        from evalspec.results.restate import restated, same_numbers

        changed = load(current)
        ran = validate_text(SourceFile(str(original or current), recorded.text))
        assert changed.validated is not None
        spec_now = changed.validated.spec
        if same_numbers(ran, spec_now):
            write_json(path, restated(read_json(path), spec_now, changed.source))
        else:
            from evalspec.results.rescore import rescore  # the metrics code: only when needed

            write_json(path, rescore(read_json(path), ran, spec_now, changed.source,
                                     path.parent))
    return reports.write(path, formats)


def validate_text(source: SourceFile) -> Spec:
    """A spec's text parsed and validated, without resolving its files (a recorded run's
    spec, whose data may be elsewhere now)."""
    tree, diagnostics = parse(source)
    validated, more = validate(tree) if tree is not None else (None, [])
    if validated is None or diagnostics:
        raise SpecError(source, ordered(diagnostics + more))
    return validated.spec


@dataclass(frozen=True)
class PlanReport:
    """The run matrix without training: cells with digests, split sizes, and per (task,
    model) the parameter counts each stage would train."""

    plan: Plan
    sizes: dict[str, dict[str, int]]
    models: list[dict[str, Any]]
    cache: dict[str, str]  # cell digest → "cached", "resumable" or "to run"


def cache_state(cache: CellCache, digest: str, device: str,
                evaluations: Sequence[Evaluation] = ()) -> str:
    """`cached` (and which extra sets or perturbations it will predict), `resumable` or
    `to run`."""
    from evalspec.execute.training.checkpoint import complete

    if cache.finished(digest) and cache.damage(digest) is not None:
        return "to run (cache entry damaged)"
    if cache.usable(digest, device):
        missing = [e.name for e in cache.missing(digest, evaluations)]
        if not missing:
            return "cached"
        if cache.weights(digest) is not None:
            return f"cached; predicts {', '.join(missing)}"
        return "to run (no kept weights to predict " + ", ".join(missing) + ")"
    return "resumable" if complete(cache.checkpoints(digest)) else "to run"


def plan(path: str | Path, options: RunOptions) -> PlanReport:
    from evalspec.execute.runner import describe_cells

    checked = load(path)
    assert checked.validated is not None
    options.progress({"kind": "planning", "step": "reading data"})
    matrix, data = planned(checked.validated.spec, checked.source.directory, options.progress)
    cache = cell_cache(Path(path), options)
    options.progress({"kind": "planning", "step": "building each model to count its parameters"})
    return PlanReport(matrix, {name: d.sizes() for name, d in data.items()},
                      describe_cells(matrix, data, options),
                      {cell.digest: cache_state(cache, cell.digest, options.device,
                                                matrix.evaluations.get(cell.task, ()))
                       for cell in matrix.cells})


def reproduce(results: Path, options: RunOptions, *, data_dir: Path | None = None,
              out: Path | None = None, tolerance: float | None = None) -> Reproduction:
    """Re-run the spec embedded in a results file on the same data (refusing if its
    fingerprints differ) and compare every test metric with the recorded one."""
    import dataclasses
    import tempfile

    from evalspec.results import reproduction, schema

    original = schema.read(results)
    directory = data_dir or Path(original.spec.directory or results.parent)
    source = SourceFile(str(directory / Path(original.spec.path).name), original.spec.text)
    checked = load(source)
    assert checked.validated is not None
    _, data = planned(checked.validated.spec, directory, options.progress)
    changed = reproduction.fingerprint_changes(
        original, {name: d.fingerprints for name, d in data.items()})
    if changed:
        raise RunError(f"the data differs from the recorded run ({'; '.join(changed[:5])}); "
                       "reproduce needs the same files — pass --data-dir to point at them",
                       "ES501")
    with tempfile.TemporaryDirectory(prefix="evalspec-reproduce-") as scratch:
        fresh = dataclasses.replace(options, rerun=True, cache_dir=Path(scratch) / "cache")
        written = run(source, fresh, out or Path(scratch) / "out")
        again = schema.read(written.results)
    return reproduction.compare(original, again, tolerance)
