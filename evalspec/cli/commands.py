"""The subcommands: each a small function from parsed arguments to an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from evalspec.errors import Interrupted, RunError, SpecError, UsageError

if TYPE_CHECKING:
    from evalspec.execute.runner import Runner


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    check = sub.add_parser("check", help="check specs like a compiler, without running them")
    check.add_argument("specs", nargs="+", metavar="SPEC")
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.set_defaults(handler=cmd_check)

    init = sub.add_parser("init", help="write a commented starter spec for a data file or "
                          "folder, after looking into it")
    init.add_argument("data", type=Path, metavar="DATA",
                      help="a table (.csv, .tsv, .jsonl), a CoNLL file, or a folder with one "
                           "sub-folder per class")
    init.add_argument("--task", metavar="TYPE", help="the task type (default: chosen from "
                      "the data)")
    init.add_argument("--out", type=Path, metavar="SPEC",
                      help="where to write the spec (default: DATA's name + .evalspec, here)")
    init.add_argument("--force", action="store_true", help="replace an existing spec file")
    init.set_defaults(handler=cmd_init)

    lsp = sub.add_parser("lsp", help="the language server for editors, over stdio "
                         "(needs `pip install 'evalspec[lsp]'`)")
    lsp.set_defaults(handler=cmd_lsp)

    fmt = sub.add_parser("fmt", help="lay specs out in the canonical format (comments kept)")
    fmt.add_argument("specs", nargs="+", metavar="SPEC")
    fmt.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if a file would change")
    fmt.add_argument("--diff", action="store_true",
                     help="write nothing; print the changes as a unified diff")
    fmt.set_defaults(handler=cmd_fmt)

    run = sub.add_parser("run", help="fine-tune and evaluate every candidate, then rank them")
    run.add_argument("spec", metavar="SPEC")
    run.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    run.add_argument("--out", type=Path, help="output folder (default: the report block's)")
    run.add_argument("--only", action="append", default=[], metavar="MODEL",
                     help="run only this model (repeatable)")
    run.add_argument("--trust-remote-code", action="store_true",
                     help="allow Hugging Face models to run their own Python code")
    run.add_argument("--rerun", action="store_true",
                     help="ignore cached cells and checkpoints; train everything again")
    run.add_argument("--cache-dir", type=Path, metavar="DIR",
                     help="where finished cells and checkpoints are kept "
                          "(default: .evalspec/cache beside the spec)")
    run.add_argument("--deterministic", action="store_true",
                     help="deterministic algorithms on CUDA (slower); the CPU always is")
    run.add_argument("--executor", choices=("local", "ray"), default="local",
                     help="where cells train: here, one after another, or as tasks on a Ray "
                          "cluster (needs `pip install 'evalspec[ray]'`; docs/scale.md)")
    run.add_argument("--address", metavar="ADDR",
                     help="with --executor ray: the cluster to connect to (default: start a "
                          "local Ray instance)")
    run.add_argument("--gpus-per-cell", type=float, metavar="N",
                     help="with --executor ray: GPUs each cell's task asks for (default 0: "
                          "cells train on the workers' CPUs)")
    run.add_argument("--nproc", type=int, metavar="N",
                     help="train each cell with N data-parallel processes on this machine "
                          "(gloo on the CPU, NCCL on N GPUs; docs/scale.md)")
    run.set_defaults(handler=cmd_run)

    again = sub.add_parser("reproduce", help="re-run the spec inside a results file and "
                           "compare every metric with the recorded one")
    again.add_argument("results", type=Path, metavar="RESULTS.json")
    again.add_argument("--data-dir", type=Path, metavar="DIR",
                       help="the folder data paths resolve from (default: the original spec's)")
    again.add_argument("--tolerance", type=float, metavar="T",
                       help="largest allowed absolute difference (default 1e-9 for the same "
                            "CPU and library versions, else 1e-3)")
    again.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    again.add_argument("--out", type=Path, help="keep the reproduced run's output here")
    again.set_defaults(handler=cmd_reproduce)

    plan = sub.add_parser("plan", help="show the run matrix, stages and split sizes without "
                          "training")
    plan.add_argument("spec", metavar="SPEC")
    plan.add_argument("--only", action="append", default=[], metavar="MODEL")
    plan.add_argument("--cache-dir", type=Path, metavar="DIR")
    plan.set_defaults(handler=cmd_plan)

    listing = sub.add_parser("list", help="list metrics, task types or sources")
    listing.add_argument("what", choices=("metrics", "tasks", "sources", "perturbations"))
    listing.set_defaults(handler=cmd_list)

    schema = sub.add_parser("schema", help="print the JSON Schema of the spec model")
    schema.add_argument("--results", action="store_true",
                        help="print the JSON Schema of results.json instead")
    schema.set_defaults(handler=cmd_schema)

    report = sub.add_parser("report", help="render reports from a results file, without "
                            "training")
    report.add_argument("results", type=Path, metavar="RESULTS.json")
    report.add_argument("--format", action="append", choices=("html", "markdown"),
                        help="html or markdown (repeatable; default: both)")
    report.add_argument("--spec", type=Path, metavar="SPEC",
                        help="recompute metrics under this spec's metrics block (default: the "
                             "run's spec file, when it changed since the run)")
    report.set_defaults(handler=cmd_report)


def cmd_check(args: argparse.Namespace) -> int:
    from evalspec import api
    from evalspec.cli.output import print_diagnostics, summary

    reports = []
    usage_errors = []
    for path in args.specs:
        try:
            checked = api.check(path)
        except UsageError as error:
            usage_errors.append(str(error))
            continue
        reports.append((checked.source, checked.diagnostics))
    print_diagnostics(reports, args.format)
    for message in usage_errors:
        print(f"evalspec: error: {message}", file=sys.stderr)
    if args.format == "text" and reports:
        print(summary(reports), file=sys.stderr)
    if usage_errors:
        return UsageError.exit_code
    return SpecError.exit_code if any(d.is_error for _, ds in reports for d in ds) else 0


def cmd_init(args: argparse.Namespace) -> int:
    from evalspec.atomic import write_text
    from evalspec.starter import starter

    data: Path = args.data
    if not data.exists():
        raise UsageError(f"{data}: no such file or folder")
    spec: Path = args.out or Path(f"{data.stem if data.is_file() else data.name}.evalspec")
    if spec.exists() and not args.force:
        raise UsageError(f"{spec}: already exists; pass --force to replace it, or --out to "
                         "write elsewhere")
    written = starter(data, spec, args.task)
    write_text(spec, written.text)
    print(f"wrote {spec}: {written.task_type} on {written.described}", file=sys.stderr)
    print(f"next: `evalspec check {spec}`, then `evalspec run {spec}`", file=sys.stderr)
    return 0


def cmd_lsp(args: argparse.Namespace) -> int:
    try:
        from evalspec.lsp.server import main
    except ImportError as error:
        raise UsageError(f"the language server needs pygls ({error.name} is missing); "
                         "`pip install 'evalspec[lsp]'`") from None
    main()
    return 0


def cmd_fmt(args: argparse.Namespace) -> int:
    import difflib

    from evalspec import api
    from evalspec.atomic import write_text
    from evalspec.cli.output import print_diagnostics

    changed = unchanged = failed = 0
    dry = args.check or args.diff
    for path in args.specs:
        try:
            found = api.formatted(path)
        except UsageError as error:
            print(f"evalspec: error: {error}", file=sys.stderr)
            return UsageError.exit_code
        if found.text is None:  # never lay out (or write) what does not parse
            print_diagnostics([(found.source, found.diagnostics)], "text")
            failed += 1
            continue
        if not found.changed:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                found.source.text.splitlines(keepends=True),
                found.text.splitlines(keepends=True), f"{path} (as written)",
                f"{path} (formatted)"))
        if dry:
            print(f"would reformat {path}", file=sys.stderr)
        else:
            write_text(Path(path), found.text)
            print(f"reformatted {path}", file=sys.stderr)
    verb = "would be reformatted" if dry else "reformatted"
    print(f"{changed} file{'s' * (changed != 1)} {verb}, {unchanged} left unchanged"
          + (f", {failed} not formatted (syntax errors)" if failed else ""), file=sys.stderr)
    return SpecError.exit_code if failed or (dry and changed) else 0


def cmd_run(args: argparse.Namespace) -> int:
    from evalspec import api
    from evalspec.cli.progress import progress_display
    from evalspec.cli.summary import leaderboard_text
    from evalspec.execute.options import RunOptions
    from evalspec.results.files import read_json

    _check_only(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: is a file; name a folder")
    runner = _runner(args)
    display = progress_display()
    try:
        options = RunOptions(device=args.device, only=tuple(args.only),
                             trust_remote_code=args.trust_remote_code, rerun=args.rerun,
                             cache_dir=args.cache_dir, deterministic=args.deterministic,
                             progress=display)
        written = api.run(args.spec, options, args.out, runner)
    finally:
        display.close()
    print(leaderboard_text(read_json(written.results)))
    for path in (written.results, *written.reports):
        print(f"wrote {path}")
    return 0


def _runner(args: argparse.Namespace) -> Runner | None:
    """The Ray runner for `--executor ray`, the data-parallel one for `--nproc N` (N > 1),
    else None (cells train here, one process), its options checked."""
    if args.nproc is not None and args.nproc < 1:
        raise UsageError(f"--nproc {args.nproc}: must be 1 or more")
    if args.executor != "ray":
        for flag, given in (("--address", args.address), ("--gpus-per-cell",
                                                          args.gpus_per_cell)):
            if given is not None:
                raise UsageError(f"{flag} needs --executor ray")
        if args.nproc is None or args.nproc == 1:
            return None
        from evalspec.execute.parallel import DataParallelRunner

        return DataParallelRunner(args.nproc)
    if args.nproc is not None:
        raise UsageError("--nproc trains cells here; it cannot be combined with --executor ray")
    gpus = args.gpus_per_cell or 0
    if gpus < 0:
        raise UsageError(f"--gpus-per-cell {args.gpus_per_cell:g}: must be 0 or more")
    if args.device == "cuda" and not gpus:
        raise UsageError("--device cuda with --executor ray needs --gpus-per-cell N: a Ray "
                         "task sees no GPU unless it asks for one")
    from evalspec.execute.cluster import ray_runner

    return ray_runner(args.address, gpus)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from evalspec import api
    from evalspec.cli.progress import progress_display
    from evalspec.cli.summary import reproduction_text
    from evalspec.execute.options import RunOptions

    display = progress_display()
    try:
        found = api.reproduce(args.results, RunOptions(device=args.device, progress=display),
                              data_dir=args.data_dir, out=args.out, tolerance=args.tolerance)
    except (Interrupted, KeyboardInterrupt):
        raise Interrupted(_reproduction_interrupted(args.out)) from None
    finally:
        display.close()
    print(reproduction_text(found))
    if found.failures:
        raise RunError(f"{len(found.failures)} of {len(found.rows)} metric values differ by "
                       f"more than {found.tolerance:g}", "ES505")
    return 0


def _reproduction_interrupted(out: Path | None) -> str:
    """What an interrupted reproduction leaves: it trains every cell anew (`--rerun`) with a
    cache in a temporary folder, so nothing resumes it."""
    kept = f"the cells it finished are in {out}, but" if out is not None else \
        "nothing is kept (it trains in a temporary folder), and"
    return (f"interrupted; {kept} a reproduction cannot resume: it trains every cell again "
            "— run the same command to start it over")


def cmd_plan(args: argparse.Namespace) -> int:
    from evalspec import api
    from evalspec.cli.progress import progress_display
    from evalspec.cli.summary import plan_text
    from evalspec.execute.options import RunOptions

    _check_only(args)
    display = progress_display()
    try:
        planned = api.plan(args.spec, RunOptions(only=tuple(args.only),
                                                 cache_dir=args.cache_dir, progress=display))
    finally:
        display.close()
    print(plan_text(planned))
    return 0


def _check_only(args: argparse.Namespace) -> None:
    """`--only` must name models of the spec (checked before anything heavy starts)."""
    from evalspec import api

    checked = api.load(args.spec)
    assert checked.validated is not None
    models = checked.validated.spec.models
    unknown = [m for m in args.only if m not in models]
    if unknown:
        raise UsageError(f"--only {unknown[0]}: no such model in {args.spec}; models are "
                         f"{', '.join(models)}")


def cmd_list(args: argparse.Namespace) -> int:
    from evalspec.cli.listing import catalogue

    for line in catalogue(args.what):
        print(line)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from evalspec.published import schemas, text

    found = schemas()
    sys.stdout.write(text(found["results.schema.json" if args.results else "evalspec.schema.json"]))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from evalspec import api

    for path in api.report(args.results, args.format or ("html", "markdown"), args.spec):
        print(f"wrote {path}")
    return 0
