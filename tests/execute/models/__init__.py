"""Building candidates from each model source, and loading their weights safely."""
