"""The only package that imports torch, timm and transformers: data, models, training."""
