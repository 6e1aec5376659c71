"""Every diagnostic code with its one-line title; docs and tests read this table."""

from __future__ import annotations

CODES: dict[str, str] = {
    # ES1xx: syntax
    "ES100": "missing or misplaced `evalspec N` version line",
    "ES101": "unsupported language version",
    "ES102": "unexpected character or token",
    "ES103": "unterminated string",
    "ES104": "unbalanced brackets or braces",
    "ES105": "the file is not valid UTF-8",
    "ES106": "invalid escape in a string",
    "ES107": "number out of range",
    "ES108": "nesting too deep",
    "ES109": "a string, name or list too large",
    # ES2xx: unknown or ill-typed keys and values
    "ES201": "unknown key, or an entry without a value",
    "ES202": "unknown or misplaced block",
    "ES203": "unknown metric",
    "ES204": "unknown name: function, source or value",
    "ES205": "value of the wrong type",
    "ES206": "value out of range",
    "ES207": "missing required key or argument",
    "ES208": "block name missing or not allowed",
    "ES209": "unknown argument of a call",
    "ES210": "misplaced or too many positional arguments",
    # ES3xx: meaning
    "ES301": "metric does not fit the task type",
    "ES302": "`average = binary` on a task with more than two labels",
    "ES303": "`primary` names an undeclared metric",
    "ES304": "early stopping without a validation split",
    "ES305": "early stopping monitors an undeclared metric",
    "ES306": "duplicate key, block, label, seed, model, task or metric name",
    "ES307": "the split leaves no training data",
    "ES308": "`positive` is not among `labels`",
    "ES309": "impossible stage setting",
    "ES310": "`finetune` without stages",
    "ES311": "conflicting or missing data sources",
    "ES312": "setting that does not fit the task or model",
    "ES313": "data source does not name a column the task type needs",
    # ES4xx: resolution
    "ES401": "data file or folder not found",
    "ES402": "data path is the wrong kind (a folder for a file, or the reverse)",
    "ES403": "column not found",
    "ES404": "label values and declared labels disagree",
    "ES405": "model path not found, or it holds no model",
    "ES406": "model not in the local Hugging Face cache (warning)",
    "ES407": "package or module not found",
    "ES408": "data file cannot be read",
    "ES409": "unknown built-in data set",
    # ES5xx: run-time data and model errors
    "ES501": "bad data row",
    "ES502": "model cannot be loaded",
    "ES503": "unsafe model file refused",
    "ES504": "non-finite loss",
    "ES505": "a reproduced run differs from the recorded one",
    "ES506": "an output or cache folder cannot be written",
}
