"""Building and validating small budget tables for the validation tests.

Tables are built as small semicolon CSVs, read with the real reader and validated with the
bundled district polygons, so row numbers are the ones Excel shows (header = row 1).
"""

from __future__ import annotations

import datetime as dt

from budget.reader import read_budget_file
from budget.validation import validate_table
from tests.helpers import TURKESTAN_CITY, budget_csv

TODAY = dt.date(2026, 11, 21)  # fiscal years 2000..2036 are accepted


def comma(number: float) -> str:
    return str(number).replace(".", ",")


# A good row in Turkestan city, as a Russian-locale Excel writes it (decimal commas).
BASE = {
    "facility_id": "T1", "facility_name_kk": "№1 мектеп", "facility_name_ru": "Школа №1",
    "facility_type": "school", "lat": comma(TURKESTAN_CITY[0]), "lon": comma(TURKESTAN_CITY[1]),
    "fiscal_year": "2025", "work_type": "capital_repair", "amount_allocated": "5 000 000",
}


def row(**cells: str) -> dict[str, str]:
    """The good row with some cells changed or added."""
    return {**BASE, **cells}


def table(*rows: dict[str, str]) -> bytes:
    columns = list(dict.fromkeys(name for r in rows for name in r))
    return budget_csv(*(";".join(r.get(c, "") for c in columns) for r in rows),
                      header=";".join(columns))


def validator(districts):
    """``validate(*rows)``: rows (dicts of cells, or the CSV bytes) read and validated on TODAY."""
    def run(*rows: dict[str, str] | bytes):
        content = rows[0] if isinstance(rows[0], bytes) else table(*rows)
        raw = read_budget_file(content, "budget.csv")
        return validate_table(raw, districts, today=TODAY)
    return run


def found(result, severity: str = "error") -> list[tuple]:
    """(row, column, value, code) of each problem of one severity."""
    return [(p.row, p.column, p.value, p.code) for p in result.problems if p.severity == severity]


def only_error(result):
    assert len(result.errors) == 1, found(result)
    return result.errors[0]


def only_warning(result):
    assert result.errors == [], found(result)
    assert len(result.warnings) == 1, found(result, "warning")
    return result.warnings[0]
