"""The trainer, its precision and its checkpoints."""
