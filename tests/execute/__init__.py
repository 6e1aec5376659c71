"""The executor: runs, the cell cache, resuming; data, models and training below."""
