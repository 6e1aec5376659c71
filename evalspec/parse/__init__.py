"""Text to syntax tree with spans; the only package that knows Lark."""

from evalspec.parse.parser import parse

__all__ = ["parse"]
