"""Reading a task's data: sources → examples → labels → splits, checked before training."""
