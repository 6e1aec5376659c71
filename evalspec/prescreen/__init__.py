"""Ranking candidates before fine-tuning, from frozen features (pure: no torch)."""
