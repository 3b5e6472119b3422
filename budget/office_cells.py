"""Undo what an office suite does to the cells it opens, where only one reading is possible.

Excel and LibreOffice Calc turn every CSV cell that looks like a number into one. A contractor's
BIN 091140232121 becomes 91140232121 (and a CSV saved again writes it so); a narrow column may
show it as 9.1140232121E+10; a date kept as a plain number is its serial, 45748 for 2025-04-01;
a date saved by an English-language Excel reads 4/1/2025. ``budget.cell_checks`` uses these
helpers; each leaves alone what could be read two ways (see docs/budget-format.md).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.identifiers import bin_from_number

SCIENTIFIC = r"([0-9])[.,]?([0-9]*)[eE]\+?([0-9]{1,2})"
WHOLE_WITH_ZEROS = r"[0-9]+[.,]0+"  # 180340021791.0: an integer the spreadsheet wrote as a float
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 Feb 1900)
FIRST_SERIAL, LAST_SERIAL = 36_526, 73_050  # 2000-01-01 .. 2099-12-31: the dates a budget has
SERIAL = r"[0-9]{5}(?:[.,][0-9]+)?"  # a time of day after the point is dropped
SLASHED = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"


def number_digits(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Identifiers a spreadsheet wrote as numbers back as their digits, and a mask of the cells
    in scientific notation that lost digits on the way.

    '180340021791.0' -> '180340021791'; '1.80340021791E+11' -> '180340021791' (every digit is
    there); '1.8034E+11' is cut short (the digits after 18034 are gone) and stays as it was.
    """
    digits = values.where(~values.str.fullmatch(WHOLE_WITH_ZEROS),
                          values.str.replace(r"[.,]0+$", "", regex=True))
    parts = values.str.extract(rf"^{SCIENTIFIC}$")
    scientific = parts[0].notna().to_numpy()
    cut = np.zeros(len(values), dtype=bool)
    if scientific.any():
        decimals = parts[1].str.len().to_numpy()
        exponent = pd.to_numeric(parts[2]).to_numpy()
        exact = scientific & (decimals == exponent)
        cut = scientific & (decimals < exponent)
        digits = digits.where(~exact, parts[0] + parts[1])
    return digits, cut


def restore_bins(digits: pd.Series) -> pd.Series:
    """The 12-digit BIN each value was before its leading zeros were dropped, or None
    (``core.identifiers.bin_from_number``)."""
    short = digits.str.fullmatch(r"[0-9]{9,11}").to_numpy(dtype=bool)
    restored = pd.Series(None, index=digits.index, dtype=object)
    if short.any():
        restored[short] = digits[short].map(bin_from_number)
    return restored


def serial_dates(values: pd.Series) -> pd.Series:
    """Excel serial numbers of 2000-2099 (a date cell kept as a number) as dates; NaT otherwise."""
    serial = pd.to_numeric(values.where(values.str.fullmatch(SERIAL)).str.replace(",", ".", regex=False),
                           errors="coerce")
    serial = serial.where((serial >= FIRST_SERIAL) & (serial < LAST_SERIAL + 1)).floordiv(1)
    return pd.to_datetime(EXCEL_EPOCH) + pd.to_timedelta(serial, unit="D")


def slashed_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates written D/M/YYYY or M/D/YYYY (an English-language Excel), and a mask of those that
    could be either.

    A cell with a part above 12 (13/4/2025, 4/13/2025) or with both parts equal can be read only
    one way. The others (1/4/2025: 1 April or 4 January?) follow the column: read the way every
    unambiguous cell of the column is written, or refused when the column gives no single answer.
    """
    parts = values.str.extract(rf"^{SLASHED}$")
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    day_first_cells, month_first_cells = first > 12, second > 12
    ambiguous = parts[0].notna() & ~day_first_cells & ~month_first_cells & (first != second)
    day_first = day_first_cells.any() and not month_first_cells.any()
    month_first = month_first_cells.any() and not day_first_cells.any()
    as_dm = day_first_cells | (first == second) | (ambiguous & day_first)
    as_md = month_first_cells | (ambiguous & month_first)
    day = first.where(as_dm, second)
    month = second.where(as_dm, first)
    wanted = (as_dm | as_md) & parts[0].notna()
    text = (parts[2] + "-" + month.astype("Int64").astype(str) + "-" + day.astype("Int64").astype(str))
    parsed = pd.to_datetime(text.where(wanted), format="%Y-%m-%d", errors="coerce")
    return parsed, (ambiguous & ~wanted).to_numpy(dtype=bool)
