"""Candidates: one builder per model source, and the text, image and tabular families."""
