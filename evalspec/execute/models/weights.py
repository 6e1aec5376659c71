"""Safe loading of model files: safetensors first, `torch.load(weights_only=True)` only."""

from __future__ import annotations

import pickle
from pathlib import Path

import torch

from evalspec.errors import RunError

STATE_KEYS = ("state_dict", "model_state")  # where training checkpoints keep the weights


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """Tensors from a weights file; anything that would run code is refused (exit 3)."""
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except Exception as error:  # noqa: BLE001 - any parse failure is the file's fault
            raise RunError(f"{path}: not a valid safetensors file ({error})", "ES502") from None
    try:
        loaded = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise RunError(
            f"{path}: refused to load — the file holds Python objects, not only tensors, and "
            f"loading it could run code ({str(error).splitlines()[0][:120]}). Convert it to "
            "safetensors, or save only the state_dict", "ES503") from None
    except (RuntimeError, EOFError, OSError) as error:
        raise RunError(f"{path}: cannot be read as PyTorch weights ({error})", "ES502") from None
    state = next((loaded[k] for k in STATE_KEYS if k in loaded), loaded) \
        if isinstance(loaded, dict) else None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise RunError(f"{path}: holds no state_dict of tensors; save `model.state_dict()`",
                       "ES502")
    return state


def load_into(model: torch.nn.Module, state: dict[str, torch.Tensor], origin: str,
              skip_prefixes: tuple[str, ...] = (), *, ordered: bool = True) -> list[str]:
    """Load `state` into `model` by name, or by position when only the names differ.

    Returns notes for the run log. Classifier weights under `skip_prefixes` are left
    as initialised (the task gets a new head). `ordered` says whether `state` keeps the
    order it was saved in; safetensors files do not (they come back sorted by name), so
    loading them by position could swap same-shaped tensors and is refused.
    """
    own = {k: v for k, v in model.state_dict().items()
           if not k.startswith(skip_prefixes) and not k.endswith("num_batches_tracked")}
    theirs = {k: v for k, v in state.items()
              if not k.startswith(skip_prefixes) and not k.endswith("num_batches_tracked")}
    if set(own) <= set(theirs):
        mapped = {k: theirs[k] for k in own}
        notes = []
    elif not ordered:
        missing = sorted(set(own) - set(theirs))[:3]
        raise RunError(f"{origin}: parameter names differ from `{type(model).__name__}`'s "
                       f"(missing e.g. {', '.join(missing)}), and a safetensors file does not "
                       "keep the saved order, so the tensors cannot be matched by position; "
                       "save them under the architecture's names (or as a .pth state_dict)",
                       "ES502")
    else:
        shapes_own = [tuple(v.shape) for v in own.values()]
        rest = [v for k, v in state.items() if not k.endswith("num_batches_tracked")]
        shapes_theirs = [tuple(v.shape) for v in rest[:len(own)]]
        if shapes_own != shapes_theirs:
            missing = sorted(set(own) - set(theirs))[:3]
            raise RunError(f"{origin}: weights do not fit the architecture (missing e.g. "
                           f"{', '.join(missing)}); check `arch`", "ES502")
        mapped = dict(zip(own, rest[:len(own)], strict=True))
        notes = [f"{origin}: parameter names differ from the architecture's; loaded "
                 f"{len(mapped)} tensors by position (every shape matched in order)"]
    result = model.load_state_dict(mapped, strict=False)
    unexpected = [k for k in result.unexpected_keys if not k.startswith(skip_prefixes)]
    if unexpected:
        raise RunError(f"{origin}: unexpected weights {unexpected[:3]}", "ES502")
    return notes
