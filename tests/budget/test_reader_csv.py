"""Reading budget CSV files as officials save them (budget/reader.py): encodings, delimiters, quoting.

Every cell stays the text typed, and each row keeps the number Excel shows for it: the
header is row 1, data rows are 2, 3, ... and blank rows are skipped without renumbering. The
fast path through pandas' C parser must read exactly what the csv module reads.
"""

from __future__ import annotations

import csv
import io
import random

import pytest

from budget.reader import read_budget_file, sniff_delimiter
from tests.helpers import GOOD_ROWS, HEADER, budget_csv

HEADER_NAMES = HEADER.split(";")
# A minimal table in cells, written below as CSV with each delimiter.
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
    assert codes(raw) == ["cell_too_long"]
    assert raw.problems[0].message() == "Cell B2 holds 200\u00a0000 characters; at most 32\u00a0767 can be read in one cell."
    assert raw.frame.empty


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
