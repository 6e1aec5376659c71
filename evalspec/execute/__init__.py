"""Where torch, timm and transformers are imported: data, models, training, task-family plug-ins
and the cell runner."""
