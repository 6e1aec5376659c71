"""File suffixes that hold model weights (safetensors first; the rest load tensors only)."""

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
