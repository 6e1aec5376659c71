"""The results file: schema, provenance, rescoring and reproducing a run."""
