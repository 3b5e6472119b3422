"""Validating each cell of a budget table (budget/cell_checks.py): values of each kind of column.

Required values, numbers and money (decimal separators, exact tiyn), choices, dates, fiscal
years, BINs, progress, capacity, text and URLs; each problem on its Excel row and column.
"""

from __future__ import annotations

import pytest

from budget.format import COLUMNS_BY_NAME
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from tests.budget.validation_helpers import found, only_error, only_warning, row, validator
from tests.helpers import budget_csv


@pytest.fixture()
def validate(geography):
    return validator(geography.districts)


# ---------------------------------------------------------------- required values


@pytest.mark.parametrize("column", [c.name for c in COLUMNS_BY_NAME.values() if c.required])
def test_missing_required_value_is_an_error(validate, column):
    error = only_error(validate(row(**{column: ""})))
    assert (error.row, error.column, error.value, error.code) == (2, column, "", "required")
    assert error.message() == "A value is required."


def test_name_missing_in_both_languages_is_an_error(validate):
    error = only_error(validate(row(facility_name_kk="", facility_name_ru="")))
    assert (error.row, error.code) == (2, "name_required")


@pytest.mark.parametrize("blank", ["facility_name_kk", "facility_name_ru"])
def test_a_name_in_one_language_is_enough(validate, blank):
    assert validate(row(**{blank: ""})).ok


# ---------------------------------------------------------------- numbers and money


@pytest.mark.parametrize("column, value", [
    ("amount_allocated", "abc"),
    ("amount_allocated", "1e6"),
    ("amount_paid", "5 млн"),
    ("lat", "43°17'"),
    ("fiscal_year", "20x5"),
    ("physical_progress_pct", "half"),
    ("floor_area_m2", "12 m2"),
    ("capacity", "many"),
])
def test_text_in_a_number_column_is_not_a_number(validate, column, value):
    error = only_error(validate(row(**{column: value})))
    assert (error.row, error.column, error.value, error.code) == (2, column, value, "not_a_number")
    assert error.message() == f"{value} is not a number."


@pytest.mark.parametrize("column", ["amount_allocated", "amount_contracted", "amount_paid"])
def test_negative_amount_is_an_error(validate, column):
    error = only_error(validate(row(**{column: "-5 000"})))
    assert (error.column, error.value, error.code) == (column, "-5 000", "negative_amount")


@pytest.mark.parametrize("value", ["5,123", "125 000 000,505", "0,001"])
def test_more_than_two_decimals_is_an_error(validate, value):
    error = only_error(validate(row(amount_allocated=value)))
    assert (error.value, error.code) == (value, "too_many_decimals")


@pytest.mark.parametrize("lat, lon, typed, tiyn", [
    ("43,297", "68,2518", "1 234 567,50", 123_456_750),    # comma file
    ("43.297", "68.2518", "1,234,567.50", 123_456_750),    # point file
    ("43.297", "68.2518", "125,000", 12_500_000),          # point file: 125 thousand KZT
    ("43,297", "68,2518", "125,5", 12_550),                # comma file: 125.50 KZT
    ("43,297", "68,2518", "1.234.567,50", 123_456_750),    # comma file, grouped with points
    ("43,297", "68,2518", "125.5", 12_550),                # a lone point is still a decimal
    ("43.297", "68.2518", "1,5", 150),                     # a lone comma is still a decimal
    ("43.297", "68.2518", "1 234 567.50", 123_456_750),
], ids=["comma-file", "point-file", "point-file-thousands", "comma-file-decimal",
        "comma-file-grouped-points", "comma-file-lone-point", "point-file-lone-comma",
        "point-file-spaces"])
def test_decimal_separator_follows_the_coordinates(validate, lat, lon, typed, tiyn):
    result = validate(row(lat=lat, lon=lon, amount_allocated=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "amount_allocated"] == tiyn


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f"], ids=["space", "nbsp", "narrow-nbsp"])
def test_spaces_group_thousands(validate, space):
    typed = space.join(["1", "234", "567,50"])
    result = validate(row(amount_allocated=typed, amount_paid=f"1{space}000"))
    assert result.ok, found(result)
    assert result.lines.at[0, "amount_allocated"] == 123_456_750
    assert result.lines.at[0, "amount_paid"] == 100_000


def test_money_is_stored_as_exact_integer_tiyn(validate):
    result = validate(
        row(fiscal_year="2025", amount_allocated="92 233 720 368 547,75"),  # beyond float precision
        row(fiscal_year="2024", amount_allocated="0,01"),
        row(fiscal_year="2023", amount_allocated="7,5"),
        row(fiscal_year="2022", amount_allocated="0"),
    )
    assert result.ok, found(result)
    amounts = result.lines["amount_allocated"]
    assert str(amounts.dtype) == "Int64"
    assert amounts.tolist() == [9_223_372_036_854_775, 1, 750, 0]
    assert result.lines["amount_contracted"].isna().all()


# ---------------------------------------------------------------- choices


@pytest.mark.parametrize("column, allowed", [
    ("facility_type", FACILITY_TYPES), ("work_type", WORK_TYPES),
    ("funding_source", FUNDING_SOURCES), ("status", STATUSES),
])
def test_unknown_choice_is_an_error_listing_the_allowed_values(validate, column, allowed):
    error = only_error(validate(row(**{column: "something else"})))
    assert (error.row, error.column, error.value, error.code) == (2, column, "something else", "unknown_choice")
    assert error.params["allowed"] == ", ".join(allowed)
    assert error.message().startswith("something else is not one of: ")


@pytest.mark.parametrize("column, typed, stored", [
    ("work_type", "Capital repair", "capital_repair"),
    ("work_type", "CAPITAL_REPAIR", "capital_repair"),
    ("work_type", "capital-repair", "capital_repair"),
    ("status", "In  progress", "in_progress"),
    ("funding_source", "Oblast", "oblast"),
])
def test_choices_match_ignoring_case_spaces_and_hyphens(validate, column, typed, stored):
    result = validate(row(**{column: typed}))
    assert result.ok, found(result)
    assert result.lines.at[0, column] == stored


def test_facility_type_is_stored_normalised(validate):
    result = validate(row(facility_type="Social care"))
    assert result.ok
    assert result.facilities.at[0, "facility_type"] == "social_care"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("typed", ["2025-13-01", "31.02.2025", "31/13/2025", "1.4.25", "April 2025", "12345"])
def test_bad_date_is_an_error(validate, typed):
    error = only_error(validate(row(start_date=typed)))
    assert (error.row, error.column, error.value, error.code) == (2, "start_date", typed, "bad_date")


@pytest.mark.parametrize("typed", ["2025-04-01", "01.04.2025", "1.4.2025", "2025-4-1"])
def test_good_dates_are_stored_as_iso(validate, typed):
    result = validate(row(start_date=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "start_date"] == "2025-04-01"


def test_end_before_start_is_an_error_on_the_end_date(validate):
    error = only_error(validate(row(start_date="01.04.2025", end_date="2025-03-31")))
    assert (error.row, error.column, error.value, error.code) == (2, "end_date", "2025-03-31", "end_before_start")
    assert error.params == {"start": "01.04.2025"}
    assert error.message() == "The end date is before the start date (01.04.2025)."


def test_end_on_the_start_day_is_fine(validate):
    assert validate(row(start_date="2025-04-01", end_date="01.04.2025")).ok


# ---------------------------------------------------------------- fiscal year


@pytest.mark.parametrize("typed, code", [
    ("abc", "not_a_number"),
    ("2025,5", "not_an_integer"),
    ("1999", "year_out_of_range"),
    ("2037", "year_out_of_range"),
    ("-2025", "year_out_of_range"),
])
def test_bad_fiscal_year_is_an_error(validate, typed, code):
    error = only_error(validate(row(fiscal_year=typed)))
    assert (error.column, error.value, error.code) == ("fiscal_year", typed, code)


def test_year_out_of_range_names_the_accepted_range(validate):
    error = only_error(validate(row(fiscal_year="2037")))
    assert error.params == {"low": 2000, "high": 2036}
    assert error.message() == "Fiscal year 2037 is outside 2000-2036."


@pytest.mark.parametrize("typed, year", [("2000", 2000), ("2036", 2036), ("2025.0", 2025)])
def test_fiscal_years_at_the_limits_are_accepted(validate, typed, year):
    result = validate(row(fiscal_year=typed))
    assert result.ok, found(result)
    assert result.fiscal_years == [year]


# ---------------------------------------------------------------- contractor BIN


@pytest.mark.parametrize("typed", ["18034002179", "1803400217911", "18034002179A", "БИН"])
def test_bin_without_twelve_digits_is_an_error(validate, typed):
    error = only_error(validate(row(contractor_bin=typed)))
    assert (error.column, error.value, error.code) == ("contractor_bin", typed, "bin_not_12_digits")


def test_bin_failing_the_check_digit_is_an_error(validate):
    error = only_error(validate(row(contractor_bin="180340021792")))
    assert (error.column, error.value, error.code) == ("contractor_bin", "180340021792", "bin_bad_check_digit")
    assert error.message() == "BIN 180340021792 fails the check digit: it is mistyped."


@pytest.mark.parametrize("typed", ["180340021791", "180340 021791", "1803\u00a04002\u00a01791"])
def test_valid_bin_is_stored_without_spaces(validate, typed):
    result = validate(row(contractor_bin=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "contractor_bin"] == "180340021791"


# ---------------------------------------------------------------- progress, capacity, text, URL


@pytest.mark.parametrize("typed", ["-1", "100,5", "101"])
def test_progress_outside_0_to_100_is_an_error(validate, typed):
    error = only_error(validate(row(physical_progress_pct=typed)))
    assert (error.column, error.value, error.code) == ("physical_progress_pct", typed, "progress_out_of_range")


@pytest.mark.parametrize("typed, stored", [("0", 0.0), ("100", 100.0), ("45,5", 45.5)])
def test_progress_within_0_to_100_is_accepted(validate, typed, stored):
    result = validate(row(physical_progress_pct=typed))
    assert result.ok, found(result)
    assert result.lines.at[0, "physical_progress_pct"] == stored


@pytest.mark.parametrize("typed, code", [("0", "not_positive"), ("-3", "not_positive"),
                                         ("6,5", "not_an_integer")])
def test_capacity_must_be_a_positive_whole_number(validate, typed, code):
    error = only_error(validate(row(capacity=typed, capacity_unit="places")))
    assert (error.column, error.value, error.code) == ("capacity", typed, code)


def test_capacity_without_unit_is_a_warning(validate):
    result = validate(row(capacity="600"))
    warning = only_warning(result)
    assert (warning.row, warning.column, warning.value, warning.code) == (2, "capacity", "600", "capacity_without_unit")


def test_paid_above_allocated_is_a_warning_quoting_both_amounts(validate):
    result = validate(row(amount_allocated="125 000 000", amount_paid="125 000 000,50"))
    warning = only_warning(result)
    assert (warning.row, warning.column, warning.value, warning.code) == (
        2, "amount_paid", "125 000 000,50", "paid_above_allocated")
    assert warning.message() == "Paid (125 000 000,50) is more than allocated (125 000 000)."
    assert result.lines.at[0, "amount_paid"] == 12_500_000_050


def test_paid_equal_to_allocated_is_silent(validate):
    result = validate(row(amount_allocated="1 000", amount_paid="1000,00"))
    assert result.ok and result.problems == []


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "ftp://example.kz/a", "goszakup.gov.kz",
                                   "https://example.kz/a b"])
def test_source_url_must_be_a_web_address(validate, typed):
    error = only_error(validate(row(source_url=typed)))
    assert (error.column, error.value, error.code) == ("source_url", typed, "bad_url")
    assert error.message() == f"{typed} is not a web address starting with http:// or https://."


def test_web_address_is_accepted_in_any_case(validate):
    result = validate(row(source_url="HTTPS://goszakup.gov.kz/ru/announce/index/12345678"))
    assert result.ok, found(result)


@pytest.mark.parametrize("column", ["facility_id", "description", "capacity_unit", "source_url"])
def test_text_longer_than_the_column_limit_is_an_error(validate, column):
    limit = COLUMNS_BY_NAME[column].max_length
    prefix = "https://x.kz/" if column == "source_url" else ""
    fits, too_long = (prefix + "x" * (n - len(prefix)) for n in (limit, limit + 1))
    assert validate(row(**{column: fits})).ok
    error = only_error(validate(row(**{column: too_long})))
    assert (error.column, error.code, error.params) == (column, "too_long", {"limit": limit})
    assert error.message() == f"The text is longer than {limit} characters."


# ---------------------------------------------------------------- bugs found and fixed


@pytest.mark.parametrize("typed", ["100000000000000000", "99999999999999999999"])
def test_amount_too_large_for_int64_is_an_error_not_a_wrong_number(validate, typed):
    result = validate(row(amount_allocated=typed))
    assert [(p.column, p.value) for p in result.errors] == [("amount_allocated", typed)]


def test_non_ascii_digits_in_money_do_not_crash(validate):
    result = validate(row(amount_allocated="１２３"))
    assert [(p.column, p.code) for p in result.errors] == [("amount_allocated", "not_a_number")]


def test_non_ascii_digits_in_a_required_number_are_reported(validate):
    result = validate(row(fiscal_year="２０２５"))
    assert [(p.column, p.code) for p in result.errors] == [("fiscal_year", "not_a_number")]


def test_amount_too_large_names_the_rule(validate):
    error = only_error(validate(row(amount_allocated="100 000 000 000 000")))
    assert error.code == "amount_too_large"
    assert validate(row(amount_allocated="99 999 999 999 999")).ok  # 14 digits still fit


def test_leading_zero_group_is_a_decimal_not_thousands(validate):
    """'0,125' in a decimal-point file is 0.125 (three decimals: refused), never 125 KZT."""
    content = budget_csv("T1;А;Б;school;43.297;68.2518;2025;capital_repair;0,125",
                         header="facility_id;facility_name_kk;facility_name_ru;facility_type;lat;lon;"
                                "fiscal_year;work_type;amount_allocated")
    error = only_error(validate(content))
    assert (error.value, error.code) == ("0,125", "too_many_decimals")
