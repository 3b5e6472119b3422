"""Writing the demo table as the committed CSV: UTF-8, '\\n' line ends, no trailing '.00'."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from budget.demo.dataset import CSV_PATH
from budget.demo.table import generate
from budget.format import COLUMNS


def write_csv(path: Path | str = CSV_PATH, frame: pd.DataFrame | None = None) -> Path:
    """Write ``frame`` (default: a fresh ``generate()``) as the committed CSV format."""
    frame = generate() if frame is None else frame
    text = pd.DataFrame({c.name: frame[c.name].map(_FORMATTERS.get(c.name, _text)) for c in COLUMNS})
    path = Path(path)
    text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _text(value) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value)


def _decimal(places: int):
    """Numbers with at most ``places`` decimals and no trailing '.00'."""
    def format_number(value) -> str:
        if _text(value) == "":
            return ""
        text = f"{float(value):.{places}f}"
        return text[:-(places + 1)] if text.endswith("." + "0" * places) else text
    return format_number


_FORMATTERS = {
    "lat": lambda v: f"{v:.6f}", "lon": lambda v: f"{v:.6f}",
    "amount_allocated": _decimal(2), "amount_contracted": _decimal(2), "amount_paid": _decimal(2),
    "floor_area_m2": _decimal(1),
}
