"""Fine-tuning: the staged trainer, batches, optimisers, checkpoints, predictions, cost."""
