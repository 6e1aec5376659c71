"""Progress events a run emits, and their one-line descriptions (display and run log)."""

from __future__ import annotations

from typing import Any

Event = dict[str, Any]


def describe(event: dict[str, Any]) -> str:
    kind = event.get("kind")
    if kind == "data":
        return f"reading data for task `{event['task']}`"
    if kind == "cell":
        where = "from the cache" if event.get("cached") else f"on {event['device']}"
        return f"cell {event['number']}/{event['of']}: {event['cell']} {where}"
    if kind == "resume":
        return (f"  {event['cell']}: resuming from a checkpoint (stage {event['stage'] + 1}, "
                f"{event['epoch']} epochs and {event['batch']} batches done)")
    if kind == "epoch":
        val = f", val loss {event['val_loss']:.4f}" if "val_loss" in event else ""
        return (f"  {event['cell']} stage {event['stage']} epoch {event['epoch']}/{event['of']}:"
                f" train loss {event['train_loss']:.4f}{val} ({event['seconds']:.1f}s)")
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
