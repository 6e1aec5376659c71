"""argv → api → exit code: the only code that prints or exits."""

from evalspec.cli.main import main

__all__ = ["main"]
