"""Metrics: parity with scikit-learn, invariances, bootstrap, comparisons."""
