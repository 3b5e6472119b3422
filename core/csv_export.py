"""CSV for people with spreadsheets: the one writer of every CSV the app hands out.

The upload report, the API's CSV exports and the data package's tables all come from here:
UTF-8 with a byte-order mark (Excel then reads Kazakh and Russian letters right instead of
guessing a code page), CRLF line ends, and no cell that a spreadsheet would run as a formula
("CSV injection"): text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading apostrophe. The start is checked in NFKC (``core.text``), as a spreadsheet may read
it: a fullwidth ``＝`` or a small ``﹢`` counts too; the cell keeps its text as it was. Numbers are written as they are: a negative amount is a number, not
a formula, and stays computable.

Two layouts: commas and decimal points (the open data, and Excel with English settings), or
semicolons and decimal commas, which is what Excel with Kazakh or Russian regional settings
reads as columns and numbers when the file is opened with a double click.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.text import normalised

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str = ","
    decimal_comma: bool = False  # 1234,56 instead of 1234.56


COMMAS = CsvLayout()
SEMICOLONS = CsvLayout(";", decimal_comma=True)  # Excel with Kazakh or Russian regional settings


def neutralised(value, decimal_comma: bool = False) -> str:
    """A cell's text that spreadsheets will not run as a formula (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return str(value).replace(".", ",") if decimal_comma else str(value)
    text = str(value)
    return "'" + text if formula_like(text) else text


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: its start, in NFKC, is one."""
    return text.startswith(FORMULA_STARTS) or (
        not text[:1].isascii() and normalised(text[:8]).startswith(FORMULA_STARTS))


def excel_csv(header: Sequence[str], rows: Iterable[Sequence], layout: CsvLayout = COMMAS) -> bytes:
    """A header and rows as CSV bytes: UTF-8 with BOM, CRLF, every cell ``neutralised``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=layout.delimiter, lineterminator="\r\n")
    comma = layout.decimal_comma
    writer.writerow([neutralised(cell, comma) for cell in header])
    writer.writerows([neutralised(cell, comma) for cell in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")
