"""Reading budget files as officials save them (data/budget_reader.py).

Every cell stays the text typed, and each row keeps the number Excel shows for it: the
header is row 1, data rows are 2, 3, ... and blank rows are skipped without renumbering.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile

import pytest
from openpyxl import Workbook

from budget.format import COLUMNS
from budget.reader import excel_cell_text, normalise_header, read_budget_file, sniff_delimiter
from tests.helpers import GOOD_ROWS, HEADER, budget_csv

REQUIRED = [c.name for c in COLUMNS if c.required]
HEADER_NAMES = HEADER.split(";")
# A minimal table in cells, written below as CSV with each delimiter and as XLSX.
CELLS = [
    ["facility_id", "facility_name_ru", "facility_type", "lat", "lon", "fiscal_year",
     "work_type", "amount_allocated"],
    ["T1", "Школа №1", "school", "43.297", "68.2518", "2025", "capital_repair", "125000000.50"],
    ["S1", "Детский сад", "kindergarten", "41.655447", "69.15946", "2025", "equipment", "12000000"],
]


def read(content: bytes, filename: str = "budget.csv"):
    return read_budget_file(content, filename)


def codes(raw, severity: str | None = None) -> list[str]:
    return [p.code for p in raw.problems if severity is None or p.severity == severity]


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


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


# ---------------------------------------------------------------- encodings


def test_utf8_with_bom_is_read_and_the_bom_is_not_part_of_the_first_column():
    content = budget_csv(*GOOD_ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    raw = read(content)
    assert raw.problems == []
    assert list(raw.frame.columns) == HEADER_NAMES
    assert list(raw.frame["facility_id"]) == ["T1", "T1", "S1"]
    assert raw.frame.at[4, "facility_name_kk"] == "Балабақша"


def test_utf8_without_bom_is_read():
    content = budget_csv(*GOOD_ROWS).removeprefix(b"\xef\xbb\xbf")
    raw = read(content)
    assert raw.problems == []
    assert list(raw.frame.columns) == HEADER_NAMES
    assert raw.frame.at[2, "facility_name_kk"] == "№1 мектеп"


def test_windows_1251_cyrillic_names_survive_exactly():
    rows = [CELLS[0], ["T1", "Общеобразовательная школа №12 им. Абая «Ёлочка»", "school",
                       "43.297", "68.2518", "2025", "capital_repair", "1"]]
    content = csv_bytes(rows, encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really not UTF-8
    raw = read(content)
    assert raw.problems == []
    assert raw.frame.at[2, "facility_name_ru"] == "Общеобразовательная школа №12 им. Абая «Ёлочка»"


# ---------------------------------------------------------------- delimiters and quoting


@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_each_delimiter_gives_the_same_table(delimiter):
    raw = read(csv_bytes(CELLS, delimiter=delimiter))
    assert raw.problems == []
    assert list(raw.frame.columns) == CELLS[0]
    assert raw.frame.loc[2].tolist() == CELLS[1]
    assert raw.frame.loc[3].tolist() == CELLS[2]


@pytest.mark.parametrize("header, expected", [
    ("facility_id;lat;lon", ";"),
    ("facility_id,lat,lon", ","),
    ("facility_id\tlat\tlon", "\t"),
    ("\n\nfacility_id,lat;lon;x", ";"),   # the first non-blank line decides, by count
    ("facility_id", ","),                 # a single column: no separator at all
])
def test_delimiter_is_sniffed_from_the_header_line(header, expected):
    assert sniff_delimiter(header + "\nT1;1,5;2,5\n") == expected


def test_comma_file_with_decimal_commas_in_quoted_cells():
    rows = [CELLS[0], ["T1", "Школа", "school", "43,297", "68,2518", "2025", "equipment",
                       "1 234 567,50"]]
    content = csv_bytes(rows, delimiter=",")
    assert b'"43,297"' in content
    raw = read(content)
    assert raw.frame.at[2, "lat"] == "43,297"
    assert raw.frame.at[2, "amount_allocated"] == "1 234 567,50"


def test_quoted_cell_with_delimiter_and_newline_keeps_excel_row_numbers():
    content = (
        "facility_id;facility_name_ru;facility_type;lat;lon;fiscal_year;work_type;amount_allocated\r\n"
        'T1;"Школа; корпус 2\r\nвторая строка";school;43,297;68,2518;2025;equipment;1\r\n'
        "T2;Школа;school;43,297;68,2518;2025;equipment;2\r\n"
    ).encode("utf-8")
    raw = read(content)
    assert raw.problems == []
    # Excel shows the two-line cell as one row (2), so T2 is row 3 although it is on line 4.
    assert list(raw.frame.index) == [2, 3]
    assert raw.frame.at[2, "facility_name_ru"] == "Школа; корпус 2\r\nвторая строка"
    assert raw.frame.at[3, "facility_id"] == "T2"


def test_blank_rows_are_skipped_but_keep_their_numbers():
    raw = read(budget_csv(GOOD_ROWS[0], "", ";;;;;;;;;", "  ;  ;", GOOD_ROWS[2]))
    assert raw.problems == []
    assert list(raw.frame.index) == [2, 6]
    assert raw.frame.index.name == "row"
    assert list(raw.frame["facility_id"]) == ["T1", "S1"]


def test_cells_are_stripped_of_surrounding_spaces():
    raw = read(budget_csv(" T1 ; №1 мектеп ;;school; 43,297 ;68,2518;2025;equipment;1;"))
    assert raw.frame.at[2, "facility_id"] == "T1"
    assert raw.frame.at[2, "facility_name_kk"] == "№1 мектеп"
    assert raw.frame.at[2, "lat"] == "43,297"


def test_short_rows_are_padded_with_empty_cells():
    raw = read(budget_csv("T1;Школа"))
    assert raw.frame.at[2, "facility_name_kk"] == "Школа"
    assert raw.frame.at[2, "amount_paid"] == ""


def test_a_cell_beyond_the_csv_field_limit_is_an_error_not_an_exception():
    raw = read(budget_csv("T1;" + "x" * 200_000))
    assert codes(raw) == ["unreadable_file"]
    assert "field larger than field limit" in raw.problems[0].message()
    assert raw.frame.empty


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


# ---------------------------------------------------------------- the fast CSV path


def _cells_both_ways(text: str):
    """(fast, slow): the table read through pandas' C parser, and through the csv module."""
    from budget.reader import columns_of, read_csv_cells, read_csv_columns, table_from_columns

    fast = read_csv_columns(text)
    try:
        slow = table_from_columns(columns_of(read_csv_cells(text)))
    except Exception as exc:  # the csv module refuses it: the fast path must have refused too
        return (None if fast is None else table_from_columns(fast)), exc
    return (None if fast is None else table_from_columns(fast)), slow


def test_fast_csv_path_reads_the_same_cells_and_rows_as_the_csv_module():
    """Random tables of quotes, separators, line breaks and blanks: where pandas' C parser
    accepts a file, it must give exactly what the csv module gives; elsewhere it steps aside."""
    rng = random.Random(20260701)
    pieces = ['a', 'b', '"', ';', '\n', '\r', ' ', '\r\n', 'x', '""', '"a;b"', '\t']
    header = "facility_id;facility_name_ru;lat\n"
    compared = 0
    for _ in range(3000):
        text = header + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        fast, slow = _cells_both_ways(text)
        if fast is None:
            continue
        assert not isinstance(slow, Exception), repr(text)
        compared += 1
        assert fast.problems == slow.problems, repr(text)
        assert fast.frame.equals(slow.frame), repr(text)
        assert list(fast.frame.index) == list(slow.frame.index), repr(text)
    assert compared > 1000


def test_fast_csv_path_steps_aside_for_what_the_csv_module_must_answer():
    from budget.reader import read_csv_columns

    assert read_csv_columns("a;b\n1;2;3\n") is None  # a row longer than the header
    assert read_csv_columns('a;b\n"1;2\n') is None  # an unclosed quote
    assert read_csv_columns("a;b\n1\x00;2\n") is None  # NUL
    assert read_csv_columns("a;b\n1;" + "x" * 200_000 + "\n") is None  # beyond the field limit
    assert read_csv_columns("a;b\n1;2\n") == [["a", "1"], ["b", "2"]]


def test_delimiter_is_sniffed_from_the_first_lines_only():
    text = "\n\n" + "facility_id;lat;lon\n" + "T1,1,2,3,4,5,6\n" * 50_000
    assert sniff_delimiter(text) == ";"
