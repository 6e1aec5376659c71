"""Closed sets of names as data: task types, metrics, data sources, model sources."""
