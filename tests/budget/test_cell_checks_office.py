"""A file as an office suite saved it (budget/office_cells.py, core.identifiers.bin_from_number).

Excel and LibreOffice Calc make numbers of identifiers and dates. What only one reading explains
is read back (a BIN's lost leading zero, a BIN written 180340021791.0, an Excel serial date, a
slashed date whose column says which part is the day); what could be two things is refused.
"""

from __future__ import annotations

import pandas as pd
import pytest

from budget.office_cells import number_digits, serial_dates, slashed_dates
from core.identifiers import bin_check_digit, bin_from_number, is_valid_bin
from tests.budget.validation_helpers import found, only_error, row, validator


@pytest.fixture()
def validate(geography):
    return validator(geography.districts)


def bin_of(first_eleven: str) -> str:
    return first_eleven + str(bin_check_digit(first_eleven))


ZERO_BIN = bin_of("09114023212")  # registered November 2009: a spreadsheet drops its zero
assert ZERO_BIN == "091140232121" and is_valid_bin(ZERO_BIN)


# ---------------------------------------------------------------- BIN: leading zeros


@pytest.mark.parametrize("eleven", ["09114023212", "00014000012", "00090400001"])
def test_a_bin_gets_back_the_zeros_a_spreadsheet_dropped(eleven):
    full = bin_of(eleven)
    assert bin_from_number(full.lstrip("0")) == full


@pytest.mark.parametrize("digits, why", [
    ("18034002179", "month 18: a mistyped BIN, not a lost zero"),
    ("91140232122", "the padded value fails the check digit"),
    (bin_of("00001400001").lstrip("0"), "four zeros: month 00"),
    ("12345678", "too short to be a BIN that lost zeros"),
    ("180340021791", "already 12 digits"),
    ("9114023212A", "not digits"),
])
def test_a_short_value_is_not_padded_when_another_reading_is_possible(digits, why):
    assert bin_from_number(digits) is None, why


def test_restored_bins_are_stored_with_their_zero_and_summed_up_in_one_warning(validate):
    lines = [row(fiscal_year=str(2020 + n), contractor_bin=ZERO_BIN.lstrip("0")) for n in range(3)]
    lines.append(row(fiscal_year="2025", contractor_bin="180340021791"))
    result = validate(*lines)
    assert result.ok, found(result)
    assert result.lines["contractor_bin"].tolist() == [ZERO_BIN] * 3 + ["180340021791"]
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.value, warning.code) == (
        None, "contractor_bin", "91140232121", "zero_restored_rows")
    assert warning.params == {"count": 3, "rows": "2, 3, 4"}
    assert warning.message() == ("3 values got their leading zero back (rows 2, 3, 4): the spreadsheet had "
                                 "turned them into numbers. Format the column as Text to keep them as typed.")


def test_one_restored_bin_is_also_one_summary(validate):
    [warning] = validate(row(contractor_bin="91140232121")).warnings
    assert (warning.code, warning.params["count"]) == ("zero_restored_rows", 1)


@pytest.mark.parametrize("typed", ["180340021791.0", "180340021791,00", "1.80340021791E+11",
                                   "1,80340021791E+11", "1.80340021791e11"])
def test_a_bin_written_as_a_float_or_in_full_scientific_notation_is_its_digits(validate, typed):
    result = validate(row(contractor_bin=typed))
    assert result.ok and result.warnings == [], found(result, "warning")
    assert result.lines.at[0, "contractor_bin"] == "180340021791"


@pytest.mark.parametrize("typed", ["1.8034E+11", "1,80340E+11", "1E+11"])
def test_a_bin_in_scientific_notation_that_lost_digits_is_an_error(validate, typed):
    error = only_error(validate(row(contractor_bin=typed)))
    assert (error.column, error.value, error.code) == ("contractor_bin", typed, "bin_cut_short")
    assert "lost its last digits" in error.message()


def test_scientific_notation_with_a_lost_zero_is_padded_too():
    digits, cut = number_digits(pd.Series(["9.1140232121E+10", "1.8034E+11", "abc", ""]))
    assert digits.tolist() == ["91140232121", "1.8034E+11", "abc", ""]
    assert cut.tolist() == [False, True, False, False]


def test_kato_written_as_a_float_is_its_code(validate):
    result = validate(row(district_kato="611000000.0"))
    assert result.ok and result.problems == [], found(result, "warning")
    assert result.facilities.at[0, "kato"] == "611000000"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("typed", ["45748", "45748.75", "45748,5"])
def test_an_excel_serial_number_is_a_date(validate, typed):
    result = validate(row(start_date=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "start_date"] == "2025-04-01"


@pytest.mark.parametrize("typed", ["12345", "99999", "4574"])
def test_a_number_outside_2000_2099_is_not_a_date(validate, typed):
    assert only_error(validate(row(start_date=typed))).code == "bad_date"


def test_serial_dates_cover_2000_to_2099():
    dates = serial_dates(pd.Series(["36526", "73050", "36525", "73051"]))
    assert dates.dt.strftime("%Y-%m-%d").tolist()[:2] == ["2000-01-01", "2099-12-31"]
    assert dates.isna().tolist() == [False, False, True, True]


@pytest.mark.parametrize("column, expected", [
    (["13/4/2025", "1/4/2025"], ["2025-04-13", "2025-04-01"]),   # the column writes the day first
    (["4/13/2025", "1/4/2025"], ["2025-04-13", "2025-01-04"]),   # the column writes the month first
    (["4/4/2025"], ["2025-04-04"]),                              # either way the same day
])
def test_slashed_dates_are_read_the_way_their_column_writes_them(column, expected):
    parsed, ambiguous = slashed_dates(pd.Series(column))
    assert parsed.dt.strftime("%Y-%m-%d").tolist() == expected
    assert not ambiguous.any()


@pytest.mark.parametrize("column, ambiguous", [
    (["1/4/2025", "2/3/2025"], [True, True]),                    # nothing says which is the day
    (["13/4/2025", "4/13/2025", "1/4/2025"], [False, False, True]),  # the column says both
])
def test_slashed_dates_the_column_cannot_decide_are_ambiguous(column, ambiguous):
    parsed, found_ambiguous = slashed_dates(pd.Series(column))
    assert found_ambiguous.tolist() == ambiguous
    assert parsed[found_ambiguous].isna().all()


def test_an_ambiguous_date_is_an_error_on_its_row(validate):
    result = validate(row(fiscal_year="2024", start_date="13/4/2024"),
                      row(fiscal_year="2025", start_date="4/13/2025"),
                      row(fiscal_year="2026", start_date="1/4/2026"))
    assert found(result) == [(4, "start_date", "1/4/2026", "ambiguous_date")]
    assert result.errors[0].message() == ("1/4/2026 could be read day first or month first; write the "
                                          "date as DD.MM.YYYY or YYYY-MM-DD.")


def test_slashed_dates_in_a_file_are_stored_as_iso(validate):
    result = validate(row(fiscal_year="2024", start_date="13/4/2024", end_date="1/5/2024"),
                      row(fiscal_year="2025", start_date="2/4/2025", end_date="30/11/2025"))
    assert result.ok, found(result)
    assert result.lines[["start_date", "end_date"]].values.tolist() == [
        ["2024-04-13", "2024-05-01"], ["2025-04-02", "2025-11-30"]]


# ---------------------------------------------------------------- numbers typed as text


@pytest.mark.parametrize("typed", ["125 000 000", "125000000,00", "125\u00a0000\u00a0000,00",
                                   "125 000 000.00", "125000000"])
def test_amounts_as_office_suites_write_them_are_read_in_a_point_file(validate, typed):
    result = validate(row(lat="43.297", lon="68.2518", amount_allocated=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "amount_allocated"] == 12_500_000_000
