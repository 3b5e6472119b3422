"""Read a budget table as officials' Excel saves it, keeping every cell as the text typed.

CSV comes in UTF-8 (with or without BOM) or Windows-1251, separated by ',' or ';' (or tab);
XLSX is read from its first sheet (python-calamine). Both are checked against ``ReadLimits`` first
(``budget.limits``): a file beyond them is refused before it is read. Nothing is interpreted here: values stay strings so the
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
from budget.limits import ReadLimits, UnreadableFile, check_csv_bytes, check_xlsx, column_letters, count

__all__ = ["RawTable", "ReadLimits", "UnreadableFile", "read_budget_file"]

CSV_DELIMITERS = (";", ",", "\t")
HEADER_ROW = 1
CELL_SEPARATOR = "\x1f"  # ASCII unit separator: not in typed text (and checked)


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


def read_csv_cells(text: str, max_columns: int | None = None, max_rows: int | None = None) -> list[list[str]]:
    """The CSV's rows (at most ``max_rows``); a row of more than ``max_columns`` cells is refused
    as soon as it is read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if max_columns is not None and len(row) > max_columns:
                raise UnreadableFile("too_many_columns_on_row", row=count(reader.line_num),
                                     found=count(len(row)), limit=count(max_columns))
            rows.append(row)
            if max_rows is not None and len(rows) >= max_rows:
                break
    except csv.Error as exc:
        raise UnreadableFile("unreadable_file", detail=str(exc)) from exc
    return rows


def read_csv_columns(text: str, utf8: bytes | None = None, max_rows: int | None = None,
                     max_cell_chars: int | None = None) -> list[list[str]] | None:
    """The CSV's cells column by column through pandas' C parser: several times faster than
    ``read_csv_cells`` on a large file, with the same cells and rows (a differential test in
    tests/budget/test_reader_csv.py holds them equal).

    None when the file needs the csv module's answer: a row longer than the first one, an
    unclosed quote or anything else the C parser refuses, a NUL character, or a cell beyond the
    csv module's field size limit (which is an error there). ``utf8``: the file's bytes when
    they are the text in UTF-8 (saves encoding it again). ``max_rows``: rows read at most (the
    header counts); a cell longer than ``max_cell_chars`` is refused (``UnreadableFile``).
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
                            quotechar='"', doublequote=True, engine="c", nrows=max_rows)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        return None
    columns = [frame[c].fillna("").tolist() for c in frame.columns]  # short rows: missing cells
    limit = csv.field_size_limit()
    for position, column in enumerate(columns):
        longest = max(map(len, column), default=0)
        if max_cell_chars is not None and longest > min(max_cell_chars, limit):
            raise_cell_too_long(column, position, max_cell_chars)
        if longest > limit:
            return None
    return columns


def raise_cell_too_long(column: list[str], position: int, limit: int) -> None:
    row = max(range(len(column)), key=lambda i: len(column[i]))
    raise UnreadableFile("cell_too_long", cell=f"{column_letters(position + 1)}{row + 1}",
                         found=count(len(column[row])), limit=count(limit))


def excel_cell_text(value: object) -> str:
    """Text of an XLSX cell as the official sees it in Excel.

    Dates as YYYY-MM-DD (a time of day is dropped: the format has dates only); integers
    without '.0'; other numbers to the 15 significant digits Excel shows, so a formula's
    0.30000000000000004 reads 0.3 and a typed 43.297 stays 43.297.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_xlsx_columns(content: bytes, on_rows=None, limits: ReadLimits | None = None) -> list[list[str]]:
    """The first sheet's cells as text, column by column from cell A1 (rows keep their Excel
    numbers); ``on_rows(rows_read, rows_expected)`` once the sheet is read (calamine reads it
    whole, so there is nothing to report in between).

    python-calamine (Rust) reads a 50,000-row sheet several times faster than openpyxl (which
    still writes the template). The workbook is checked first (``budget.limits.check_xlsx``):
    calamine makes the sheet one dense grid, which a far cell would make enormous.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    limits = limits or ReadLimits()
    check_xlsx(content, limits)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:  # not a workbook, or a broken one
        raise UnreadableFile("unreadable_file", detail=str(exc) or type(exc).__name__) from exc
    if on_rows is not None:
        on_rows(len(rows), len(rows))
    columns = [_column_text(column) for column in zip(*rows)]  # calamine's rows are all as wide
    del rows
    for position, column in enumerate(columns):
        if max(map(len, column), default=0) > limits.max_cell_chars:
            raise_cell_too_long(column, position, limits.max_cell_chars)
    return columns


def _column_text(values: tuple) -> list[str]:
    """One column's cells as text, as ``excel_cell_text`` writes each (a repeated date or
    fraction is converted once).

    calamine makes its strings row by row, so a text column's strings lie scattered over the
    heap, and every check of the column afterwards ran about three times slower than on a
    CSV's (cache misses): joined and split again, they are new strings in column order.
    """
    try:
        relocated = CELL_SEPARATOR.join(values).split(CELL_SEPARATOR)
    except TypeError:  # numbers or dates in the column: converted below
        pass
    else:
        return relocated if len(relocated) == len(values) else list(values)  # a cell held it
    memo: dict = {}  # never holds a bool (True == 1 would meet a cached 1)

    def convert(value) -> str:
        text = memo[value] = excel_cell_text(value)
        return text

    get = memo.get  # below, a whole number (most cells) is written at once, as excel_cell_text does
    return [v if v.__class__ is str
            else str(int(v)) if v.__class__ is float and v.is_integer() and -1e15 < v < 1e15
            else excel_cell_text(v) if v.__class__ is bool
            else get(v) or convert(v) for v in values]


def cells_from_file(content: bytes, filename: str, on_rows=None,
                    limits: ReadLimits | None = None) -> tuple[list[list[str]], str | None]:
    """Columns of text cells from a .csv or .xlsx file (each starts with its header cell), and
    the CSV's encoding; ``UnreadableFile`` beyond ``limits``."""
    limits = limits or ReadLimits()
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return read_csv_table(content, limits)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_columns(content, on_rows, limits), None
    raise UnreadableFile("unsupported_file", value=suffix or filename)


def read_csv_table(content: bytes, limits: ReadLimits) -> tuple[list[list[str]], str]:
    """A CSV's columns, its bytes checked first and no more rows parsed than the limits allow."""
    check_csv_bytes(content, limits)
    text, encoding = decode_csv(content)
    width = max(len(text[:text.find("\n")].split(sniff_delimiter(text[:65_536]))), 1)
    allowed = min(limits.max_rows, limits.max_cells // width)
    rows_read = allowed + 2  # the header, the rows allowed, and one more to know it is too many
    columns = read_csv_columns(text, content if encoding == "utf-8" else None, rows_read,
                               limits.max_cell_chars)
    if columns is None:
        columns = columns_of(read_csv_cells(text, limits.max_columns, rows_read))
        for position, column in enumerate(columns):
            if max(map(len, column), default=0) > limits.max_cell_chars:
                raise_cell_too_long(column, position, limits.max_cell_chars)
    rows = len(columns[0]) - 1 if columns else 0
    if rows > allowed:
        found = max(text.count("\n") + (not text.endswith("\n")) - 1, rows)  # lines: not all parsed
        if found > limits.max_rows:
            raise UnreadableFile("table_too_long", found=count(found), limit=count(limits.max_rows))
        raise UnreadableFile("too_many_cells", rows=count(found), columns=count(width),
                             found=count(found * width), limit=count(limits.max_cells))
    if len(columns) > limits.max_columns:
        raise UnreadableFile("too_many_columns", found=count(len(columns)), limit=count(limits.max_columns))
    return columns, encoding


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


def read_budget_file(content: bytes, filename: str, on_rows=None,
                     limits: ReadLimits | None = None) -> RawTable:
    """Read an uploaded or imported budget file; unreadable files, and files beyond ``limits``
    (``budget.limits``; the defaults when None), become one error, not a crash.

    ``on_rows(rows_read, rows_expected)``: told now and then while a large XLSX is read.
    """
    try:
        columns, encoding = cells_from_file(content, filename, on_rows, limits)
    except UnreadableFile as exc:
        return RawTable(frame=pd.DataFrame(index=pd.Index([], name="row")),
                        problems=[Problem("error", None, None, exc.params.get("value", ""),
                                          exc.code, exc.params)])
    table = table_from_columns(columns)
    table.encoding = encoding
    return table
