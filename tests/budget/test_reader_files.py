"""Reading budget files (budget/reader.py): the header, empty and unreadable files, XLSX workbooks.

The header is row 1, matched to the format's columns whatever the case and spacing; a file
that cannot be read is one plain error, never an exception; XLSX cells become the text the
official sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile

import pytest
from openpyxl import Workbook

from budget.format import COLUMNS
from budget.reader import excel_cell_text, normalise_header, read_budget_file
from tests.helpers import GOOD_ROWS, HEADER, budget_csv

REQUIRED = [c.name for c in COLUMNS if c.required]
HEADER_NAMES = HEADER.split(";")


def read(content: bytes, filename: str = "budget.csv"):
    return read_budget_file(content, filename)


def codes(raw, severity: str | None = None) -> list[str]:
    return [p.code for p in raw.problems if severity is None or p.severity == severity]


def workbook_bytes(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- the header


@pytest.mark.parametrize("typed, name", [
    ("Facility ID", "facility_id"),
    (" LAT ", "lat"),
    ("Fiscal-Year", "fiscal_year"),
    ("AMOUNT  ALLOCATED", "amount_allocated"),
    ("\ufefffacility_id", "facility_id"),
    (None, ""),
])
def test_header_names_are_normalised(typed, name):
    assert normalise_header(typed) == name


def test_header_is_case_and_space_insensitive():
    header = ("Facility ID; Facility_Name_KK ;facility_name_ru;Facility Type; LAT ;Lon;"
              "Fiscal Year;WORK_TYPE;Amount Allocated;amount_paid")
    raw = read(budget_csv(*GOOD_ROWS, header=header))
    assert raw.problems == []
    assert list(raw.frame.columns) == HEADER_NAMES
    assert raw.frame.at[2, "lat"] == "43,297"


def test_unknown_column_is_a_warning_and_its_cells_are_dropped():
    raw = read(budget_csv(GOOD_ROWS[0] + ";note", header=HEADER + ";Comment"))
    assert [(p.severity, p.row, p.column, p.code) for p in raw.problems] == [
        ("warning", 1, "Comment", "unknown_column")]  # named as the official typed it
    assert "comment" not in raw.frame.columns
    assert raw.problems[0].message() == "Column Comment is not part of the format and is ignored."


def test_duplicate_column_is_an_error():
    raw = read(budget_csv(GOOD_ROWS[0] + ";43,3", header=HEADER + "; LAT "))
    assert [(p.severity, p.row, p.column, p.code) for p in raw.problems] == [
        ("error", 1, "lat", "duplicate_column")]
    assert raw.frame.at[2, "lat"] == "43,297"  # the first one is kept


@pytest.mark.parametrize("column", REQUIRED)
def test_missing_required_column_is_an_error(column):
    header = ";".join(c.name for c in COLUMNS if c.name != column)
    raw = read(budget_csv(";" * header.count(";"), header=header))
    assert [(p.severity, p.row, p.column, p.code) for p in raw.problems] == [
        ("error", 1, column, "missing_column")]
    assert raw.problems[0].message() == f"Required column {column} is missing from the header."


def test_each_missing_required_column_is_reported():
    header = "facility_id;facility_name_ru;lat;work_type"
    raw = read(budget_csv("T1;Школа;43,297;equipment", header=header))
    missing = sorted(p.column for p in raw.problems if p.code == "missing_column")
    assert missing == sorted(["facility_type", "lon", "fiscal_year", "amount_allocated"])
    assert all(p.severity == "error" and p.row == 1 for p in raw.problems)


def test_no_name_column_is_an_error():
    header = HEADER.replace("facility_name_kk;facility_name_ru;", "")
    raw = read(budget_csv("T1;school;43,297;68,2518;2025;equipment;1;", header=header))
    assert [(p.severity, p.row, p.code) for p in raw.problems] == [
        ("error", 1, "missing_name_column")]


@pytest.mark.parametrize("name_column", ["facility_name_kk", "facility_name_ru"])
def test_one_name_column_is_enough(name_column):
    header = f"facility_id;{name_column};facility_type;lat;lon;fiscal_year;work_type;amount_allocated"
    raw = read(budget_csv("T1;Школа;school;43,297;68,2518;2025;equipment;1", header=header))
    assert raw.problems == []


# ---------------------------------------------------------------- empty and unreadable files


def test_empty_file_is_one_plain_error():
    raw = read(b"")
    assert [(p.severity, p.row, p.code) for p in raw.problems] == [("error", None, "empty_file")]
    assert raw.frame.empty


@pytest.mark.parametrize("rows", [(), ("", ";;;;", "   ")], ids=["header_only", "blank_rows"])
def test_header_without_data_rows_is_an_empty_file(rows):
    raw = read(budget_csv(*rows))
    assert [(p.severity, p.row, p.code) for p in raw.problems] == [("error", None, "empty_file")]
    assert raw.problems[0].message() == "The file has no rows below the header."


@pytest.mark.parametrize("filename, value", [
    ("budget.txt", ".txt"), ("budget.xls", ".xls"), ("budget.ods", ".ods"), ("budget", "budget"),
])
def test_unsupported_extension_is_an_error_not_an_exception(filename, value):
    raw = read(budget_csv(*GOOD_ROWS), filename)
    assert [(p.severity, p.code, p.value) for p in raw.problems] == [
        ("error", "unsupported_file", value)]
    assert raw.frame.empty
    assert raw.problems[0].message() == f"Only .csv and .xlsx files are accepted, not {value}."


@pytest.mark.parametrize("filename", ["BUDGET.CSV", "Budget.Csv"])
def test_extension_is_case_insensitive_for_csv(filename):
    assert read(budget_csv(*GOOD_ROWS), filename).problems == []


def test_corrupt_xlsx_is_an_error_not_an_exception():
    raw = read(random.Random(7).randbytes(4096), "budget.xlsx")
    assert [(p.severity, p.code) for p in raw.problems] == [("error", "unreadable_file")]
    assert raw.problems[0].params["detail"]
    assert raw.problems[0].message().startswith("The file could not be read: ")
    assert raw.frame.empty


def test_zip_that_is_not_a_workbook_is_an_error_not_an_exception():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    raw = read(buffer.getvalue(), "budget.xlsx")
    assert codes(raw) == ["unreadable_file"]


def test_csv_renamed_to_xlsx_is_an_error_not_an_exception():
    raw = read(budget_csv(*GOOD_ROWS), "budget.xlsx")
    assert codes(raw) == ["unreadable_file"]


# ---------------------------------------------------------------- XLSX


XLSX_HEADER = ["facility_id", "facility_name_ru", "facility_type", "lat", "lon", "fiscal_year",
               "work_type", "amount_allocated", "start_date", "end_date", "capacity",
               "district_kato", "description"]


def test_xlsx_cells_become_the_text_the_official_sees():
    content = workbook_bytes(("budget", [
        XLSX_HEADER,
        ["T1", "Школа №1", "school", 43.297, 68.2518, 2025.0, "Capital repair", 125000000.5,
         dt.datetime(2025, 4, 1), dt.date(2025, 11, 30), 600, 611000000, None],
    ]))
    raw = read(content, "budget.xlsx")
    assert raw.problems == []
    assert raw.frame.loc[2].to_dict() == {
        "facility_id": "T1", "facility_name_ru": "Школа №1", "facility_type": "school",
        "lat": "43.297", "lon": "68.2518",
        "fiscal_year": "2025",               # integer stored as float: no '.0'
        "work_type": "Capital repair",       # text as typed; matching is the validator's job
        "amount_allocated": "125000000.5",   # a real number, not 1.250000005E8
        "start_date": "2025-04-01",          # datetime cell at midnight: the date only
        "end_date": "2025-11-30",
        "capacity": "600", "district_kato": "611000000",
        "description": "",                   # None cell
    }


def test_xlsx_blank_rows_are_skipped_but_keep_their_numbers():
    row = ["T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1]
    content = workbook_bytes(("budget", [XLSX_HEADER[:8], row, [None] * 8, ["", " "], row]))
    raw = read(content, "budget.xlsx")
    assert list(raw.frame.index) == [2, 5]


def test_xlsx_reads_the_first_sheet_only():
    first = [XLSX_HEADER[:8], ["T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1]]
    second = [["colour", "lat"], ["red", 99], ["blue", 100]]
    raw = read(workbook_bytes(("budget", first), ("notes", second)), "budget.xlsx")
    assert raw.problems == []
    assert list(raw.frame.index) == [2]
    assert list(raw.frame.columns) == XLSX_HEADER[:8]


def test_xlsx_first_sheet_is_read_even_when_another_sheet_is_active():
    workbook = Workbook()
    workbook.active.append(XLSX_HEADER[:8])
    workbook.active.append(["T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1])
    workbook.create_sheet("notes").append(["colour"])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    raw = read(buffer.getvalue(), "budget.xlsx")
    assert raw.problems == []
    assert raw.frame.at[2, "facility_id"] == "T1"


def test_xlsm_is_accepted_like_xlsx():
    content = workbook_bytes(("budget", [XLSX_HEADER[:8],
                                         ["T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1]]))
    assert read(content, "Budget.XLSM").problems == []


@pytest.mark.parametrize("value, text", [
    (None, ""),
    ("  text  ", "  text  "),
    (True, "TRUE"),
    (False, "FALSE"),
    (600, "600"),
    (2025.0, "2025"),
    (-3.0, "-3"),
    (0.1, "0.1"),
    (43.297, "43.297"),
    (1e-7, "0.0000001"),
    (125000000.5, "125000000.5"),
    (dt.datetime(2025, 4, 1), "2025-04-01"),
    (dt.datetime(2025, 4, 1, 10, 30), "2025-04-01"),  # the format has dates, not times
    (dt.date(2025, 4, 1), "2025-04-01"),
    (0.1 + 0.2, "0.3"),                      # a formula's float artefact: Excel shows 0.3
    (180340021791.0, "180340021791"),        # a BIN the spreadsheet made a number
    (1e20, "100000000000000000000"),
    (dt.time(10, 30), "10:30:00"),
])
def test_excel_cell_text(value, text):
    assert excel_cell_text(value) == text


def test_xlsx_with_a_stale_dimension_is_read_completely():
    content = workbook_bytes(("budget", [XLSX_HEADER[:8],
                                         ["T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1]]))
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
                assert count == 1
            archive.writestr(item, data)
    raw = read(target.getvalue(), "budget.xlsx")
    assert raw.problems == []
    assert raw.frame.at[2, "facility_id"] == "T1"


def test_xlsx_cells_are_read_as_excel_shows_them_in_any_position():
    """An empty first column and a formula: rows keep their Excel numbers, the cached value is read."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [[None, *XLSX_HEADER[:8]],
                [None, "T1", "Школа", "school", 43.297, 68.2518, 2025, "equipment", 1000.5],
                [],
                [None, "T2", "Школа", "school", 43.297, 68.2518, 2026, "equipment", 0.1 + 0.2]]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    raw = read(buffer.getvalue(), "budget.xlsx")
    assert raw.problems == []
    assert list(raw.frame.index) == [2, 4]
    assert raw.frame["amount_allocated"].tolist() == ["1000.5", "0.3"]
    assert raw.frame.at[4, "fiscal_year"] == "2026"


def test_empty_workbook_sheet_is_an_empty_file():
    raw = read(workbook_bytes(("budget", [])), "budget.xlsx")
    assert codes(raw) == ["empty_file"]


def test_xlsx_column_holding_the_unit_separator_is_read_as_typed():
    """Columns are joined on U+001F to be laid out afresh; a cell holding one (XML allows it
    only escaped, as Excel's _x001F_) keeps the column as it was."""
    from budget.reader import _column_text

    assert _column_text(("description", "a\x1fb", "c")) == ["description", "a\x1fb", "c"]
    assert _column_text(("description", "a", "c")) == ["description", "a", "c"]
    assert _column_text(("lat", 43.297, 43.297, "", 2025.0)) == ["lat", "43.297", "43.297", "", "2025"]
    assert _column_text(("flag", 1.0, True, 1)) == ["flag", "1", "TRUE", "1"]  # True == 1.0, kept apart
