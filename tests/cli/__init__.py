"""The command line beyond `check` (which tests/check covers)."""
