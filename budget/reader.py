"""Read a budget table as officials' Excel saves it, keeping every cell as the text typed.

CSV comes in UTF-8 (with or without BOM) or Windows-1251, separated by ',' or ';' (or tab);
XLSX is read from its first sheet. Nothing is interpreted here: values stay strings so the
validator can quote them back exactly, and each row keeps the number Excel shows for it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from budget.format import COLUMNS_BY_NAME, NAME_COLUMNS, Problem

CSV_DELIMITERS = (";", ",", "\t")
HEADER_ROW = 1


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX table that can be read at all."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawTable:
    """Cells as text, columns by their format name, indexed by the row number Excel shows."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None  # of a CSV: "utf-8" or "cp1251"


def normalise_header(name: object) -> str:
    """'Facility ID ' -> 'facility_id': case, spaces and hyphens do not matter."""
    text = str(name if name is not None else "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def decode_csv(content: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not) first; anything that is not UTF-8 is Windows-1251, as Excel saves it."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(text: str) -> str:
    """The separator used most in the header line (Russian Excel writes ';')."""
    header, start, size = "", 0, 65_536
    while start < len(text):  # the first lines only: a national file has 500,000 of them
        lines = text[:start + size].splitlines()
        found = next((line for line in lines[:-1] if line.strip()), None)
        if found is not None or start + size >= len(text):
            header = found if found is not None else next((line for line in lines if line.strip()), "")
            break
        start, size = start + size, size * 2
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_cells(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return [row for row in reader]
    except csv.Error as exc:
        raise UnreadableFile("unreadable_file", detail=str(exc)) from exc


def read_csv_columns(text: str, utf8: bytes | None = None) -> list[list[str]] | None:
    """The CSV's cells column by column through pandas' C parser: several times faster than
    ``read_csv_cells`` on a large file, with the same cells and rows (a differential test in
    tests/budget/test_reader_csv.py holds them equal).

    None when the file needs the csv module's answer: a row longer than the first one, an
    unclosed quote or anything else the C parser refuses, a NUL character, or a cell beyond the
    csv module's field size limit (which is an error there). ``utf8``: the file's bytes when
    they are the text in UTF-8 (saves encoding it again).
    """
    if "\x00" in text:
        return None
    try:
        # Bytes, not a StringIO: pandas re-encodes a text stream chunk by chunk, slowly.
        # Plain "utf-8" is decoded by the C parser itself ("utf-8-sig" goes through Python).
        data = utf8[3:] if utf8 is not None and utf8.startswith(codecs.BOM_UTF8) else utf8
        frame = pd.read_csv(io.BytesIO(data if data is not None else text.encode("utf-8")),
                            encoding="utf-8", sep=sniff_delimiter(text), header=None, dtype=object,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False,
                            quotechar='"', doublequote=True, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        return None
    columns = [frame[c].fillna("").tolist() for c in frame.columns]  # short rows: missing cells
    limit = csv.field_size_limit()
    if any(max(map(len, column), default=0) > limit for column in columns):
        return None
    return columns


def excel_cell_text(value: object) -> str:
    """Text of an XLSX cell as the official sees it (dates as YYYY-MM-DD, no '.0' on integers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):  # the format has dates only; a time of day is noise
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


ROWS_PER_REPORT = 5000  # how often a long read tells ``on_rows`` how far it is


def read_xlsx_cells(content: bytes, on_rows=None) -> list[list[str]]:
    """Every row's cells as text; ``on_rows(rows_read, rows_expected)`` now and then (the
    expectation is the sheet's stated size, 0 when it states none)."""
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise UnreadableFile("unreadable_file", detail=str(exc) or type(exc).__name__) from exc
    try:
        sheet = workbook.worksheets[0]
        expected = (sheet.max_row or 0) if on_rows is not None else 0
        sheet.reset_dimensions()  # some generators write a stale size ("A1"); read every cell
        if on_rows is None:
            return [[excel_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([excel_cell_text(v) for v in row])
            if len(rows) % ROWS_PER_REPORT == 0:
                on_rows(len(rows), expected)
        return rows
    finally:
        workbook.close()


def cells_from_file(content: bytes, filename: str, on_rows=None) -> tuple[list[list[str]], str | None]:
    """Columns of text cells from a .csv or .xlsx file (each starts with its header cell), and
    the CSV's encoding."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text, encoding = decode_csv(content)
        columns = read_csv_columns(text, content if encoding == "utf-8" else None)
        return (columns if columns is not None else columns_of(read_csv_cells(text))), encoding
    if suffix in (".xlsx", ".xlsm"):
        return columns_of(read_xlsx_cells(content, on_rows)), None
    raise UnreadableFile("unsupported_file", value=suffix or filename)


def columns_of(rows: list[list[str]]) -> list[list[str]]:
    """Rows of cells as columns, short rows padded with empty cells (transposed at C speed)."""
    width = max(map(len, rows), default=0)
    padded = [row if len(row) == width else [*row, *[""] * (width - len(row))] for row in rows]
    return [list(column) for column in zip(*padded)]


def table_from_columns(columns: list[list[str]]) -> RawTable:
    """Map the header to format columns and keep the non-empty rows under their Excel numbers.

    Each column starts with its header cell; a blank row (every cell blank, cells beyond the
    header included) is skipped but keeps its number.
    """
    problems: list[Problem] = []
    stripped = [list(map(str.strip, column)) for column in columns]
    if not any(any(column) for column in stripped):
        return RawTable(frame=pd.DataFrame(index=pd.Index([], name="row")),
                        problems=[Problem("error", None, None, "", "empty_file")])
    typed_header = [column[0] for column in stripped]
    header = [normalise_header(h) for h in typed_header]
    keep: dict[int, str] = {}
    for position, name in enumerate(header):
        if not name:
            continue
        if name not in COLUMNS_BY_NAME:
            typed = typed_header[position]
            problems.append(Problem("warning", HEADER_ROW, typed, typed, "unknown_column",
                                    {"column": typed}))
        elif name in keep.values():
            problems.append(Problem("error", HEADER_ROW, name, name, "duplicate_column",
                                    {"column": name}))
        else:
            keep[position] = name
    present = set(keep.values())
    for column in COLUMNS_BY_NAME.values():
        if column.required and column.name not in present:
            problems.append(Problem("error", HEADER_ROW, column.name, "", "missing_column",
                                    {"column": column.name}))
    if not present.intersection(NAME_COLUMNS):
        problems.append(Problem("error", HEADER_ROW, None, "", "missing_name_column"))

    filled = np.zeros(len(stripped[0]) - 1, dtype=bool)
    for column in stripped:
        filled |= np.array(column[1:], dtype=object) != ""
    numbers = np.flatnonzero(filled) + HEADER_ROW + 1
    data = {name: np.array(stripped[pos][1:], dtype=object)[filled] for pos, name in keep.items()}
    frame = pd.DataFrame(data, index=pd.Index(numbers, name="row"), dtype=object)
    if frame.empty and not any(p.severity == "error" for p in problems):
        problems.append(Problem("error", None, None, "", "empty_file"))
    return RawTable(frame=frame, problems=problems)


def read_budget_file(content: bytes, filename: str, on_rows=None) -> RawTable:
    """Read an uploaded or imported budget file; unreadable files become one error, not a crash.

    ``on_rows(rows_read, rows_expected)``: told now and then while a large XLSX is read.
    """
    try:
        columns, encoding = cells_from_file(content, filename, on_rows)
    except UnreadableFile as exc:
        return RawTable(frame=pd.DataFrame(index=pd.Index([], name="row")),
                        problems=[Problem("error", None, None, exc.params.get("value", ""),
                                          exc.code, exc.params)])
    table = table_from_columns(columns)
    table.encoding = encoding
    return table
