"""The results file: schema version, provenance, atomic read/write."""
