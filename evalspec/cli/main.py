"""The `evalspec` command: parses arguments, calls the api, maps errors to exit codes."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence

from evalspec import __version__
from evalspec.errors import EvalspecError, Interrupted, RunError, SpecError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def _parser() -> argparse.ArgumentParser:
    from evalspec.cli import commands

    parser = _Parser(prog="evalspec", description="Find the best pretrained model for your "
                     "task: check, run and report an .evalspec file.")
    parser.add_argument("--version", action="version", version=f"evalspec {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    commands.register(sub)
    return parser


# What a Ctrl-C that stops a command at once leaves, by command; the others keep nothing.
INTERRUPTED = {"run": "interrupted at once; finished cells and the last complete checkpoint "
                      "are kept — run the same command to resume"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see docs/cli.md)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = None
    try:
        args = _parser().parse_args(args_list)
        command = args.command
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except SpecError as error:
        from evalspec.cli.output import print_diagnostics

        print_diagnostics([(error.source, error.diagnostics)], "text")
        return error.exit_code
    except Interrupted as error:
        print(f"evalspec: {error}", file=sys.stderr)
        return error.exit_code
    except RunError as error:
        print(f"evalspec: error[{error.code}]: {error}", file=sys.stderr)
        return error.exit_code
    except EvalspecError as error:
        print(f"evalspec: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"evalspec: {INTERRUPTED.get(command or '', 'interrupted')}", file=sys.stderr)
        return Interrupted.exit_code
    except BrokenPipeError:
        return 0
    except Exception:  # noqa: BLE001 - the last line of defence: save the traceback
        return _internal_error()


def _internal_error() -> int:
    handle_id, path = tempfile.mkstemp(prefix=f"evalspec-crash-{int(time.time())}-",
                                       suffix=".txt")
    with os.fdopen(handle_id, "w", encoding="utf-8") as handle:
        handle.write(f"evalspec {__version__}\n{sys.version}\n\n")
        handle.write(traceback.format_exc())
    print(f"evalspec: internal error (a bug); the traceback is in {path} — please report it",
          file=sys.stderr)
    return 70
