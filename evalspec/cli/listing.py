"""`evalspec list`: the closed sets of names with one-line descriptions."""

from __future__ import annotations

from evalspec.registry.metrics import METRICS
from evalspec.registry.perturbations import PERTURBATIONS
from evalspec.registry.tasks import TASK_TYPES
from evalspec.validate.model import DATA_SOURCES, MODEL_SOURCES, PERTURBATION_CALLS, Call


def _name(call: type[Call]) -> str:
    return str(call.model_fields["fn"].annotation.__args__[0])  # type: ignore[union-attr]


def _signature(call: type[Call]) -> str:
    fn = _name(call)
    own = vars(call).get("__annotations__", {})  # its own arguments before inherited ones
    names = sorted((n for n in call.model_fields if n != "fn"), key=lambda n: n not in own)
    positional = [n for n in call.positional]
    keywords = [f"{n} = …" for n in names if n not in positional]
    return f"{fn}({', '.join(positional + keywords)})"


def catalogue(what: str) -> list[str]:
    """Lines of `name  description` for metrics, tasks, sources or perturbations."""
    if what == "metrics":
        rows = []
        for m in METRICS.values():
            params = ", ".join(f"{k} = {p.default}" for k, p in m.params.items())
            name = f"{m.name}({params})" if params else m.name
            tasks = "all tasks" if m.cost else ", ".join(sorted(m.tasks))
            rows.append((name, f"{m.description} [{tasks}]"))
    elif what == "tasks":
        rows = [(t.name, t.description) for t in TASK_TYPES.values()]
    elif what == "perturbations":
        rows = [(_signature(c), f"{PERTURBATIONS[_name(c)].modality}: {c.summary}")
                for c in PERTURBATION_CALLS]
    else:
        rows = [(_signature(c), f"data: {c.summary}") for c in DATA_SOURCES]
        rows += [(_signature(c), f"model: {c.summary}") for c in MODEL_SOURCES]
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)}  {text}" for name, text in rows]
