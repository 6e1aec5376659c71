"""evalspec: pick the best pretrained model for your task from one declarative file."""

__version__ = "0.1.0"
