"""What one budget file may hold, as settings (docs/configuration.md): ``budget.limits``."""

from __future__ import annotations

from collections.abc import Mapping

from budget.limits import ReadLimits
from core.settings import Setting

# Setting -> (``ReadLimits`` field, help text).
LIMIT_SETTINGS = {
    "BUDGET_MAX_ROWS": ("max_rows", "Rows below the header one budget file (CSV or XLSX) may have; "
                        "a larger file is refused before it is read."),
    "BUDGET_MAX_COLUMNS": ("max_columns", "Columns one budget file may have; an XLSX counts up to its "
                           "farthest filled cell."),
    "BUDGET_MAX_CELL_CHARS": ("max_cell_chars", "Characters one cell of a budget file may hold "
                              "(32,767 is Excel's own limit)."),
    "BUDGET_MAX_CELLS": ("max_cells", "Rows x columns one budget file may have: bounds the memory "
                         "reading it takes."),
    "BUDGET_MAX_SHEET_BYTES": ("max_sheet_bytes", "Bytes a CSV file, or an XLSX sheet's data once "
                               "unpacked, may have (a 50,000-line sheet saved by LibreOffice unpacks "
                               "to about 63 MB)."),
}
SETTINGS = tuple(Setting(name, getattr(ReadLimits, field), text)
                 for name, (field, text) in LIMIT_SETTINGS.items())


def read_limits(config: Mapping) -> ReadLimits:
    """The budget-file limits from the app's settings (ValueError if one is not a whole number > 0)."""
    values = {}
    for name, (field, _help) in LIMIT_SETTINGS.items():
        value = config.get(name, getattr(ReadLimits, field))
        try:
            values[field] = int(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise ValueError(f"{name} must be a whole number above 0, not {value!r}") from exc
    return ReadLimits(**values)
