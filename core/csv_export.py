"""CSV for people with spreadsheets: the one writer of every CSV the app hands out.

The upload report, the API's CSV exports and the data package's tables all come from here:
UTF-8 with a byte-order mark (Excel then reads Kazakh and Russian letters right instead of
guessing a code page), CRLF line ends, and no cell that a spreadsheet would run as a formula
("CSV injection"): text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading apostrophe. Numbers are written as they are: a negative amount is a number, not
a formula, and stays computable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralised(value) -> str:
    """A cell's text that spreadsheets will not run as a formula (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def excel_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A header and rows as CSV bytes: UTF-8 with BOM, CRLF, every cell ``neutralised``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralised(cell) for cell in header])
    writer.writerows([neutralised(cell) for cell in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")
