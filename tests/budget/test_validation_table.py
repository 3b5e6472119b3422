"""Validating a budget table as a whole (budget/validation.py) against the real map.

Good files and their typed lines and facilities, every error reported at once, points placed in
the region's districts, duplicate line keys and facilities described differently on two rows.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.budget.validation_helpers import comma, found, only_error, only_warning, row, validator
from tests.helpers import ARYS_BAIDIBEK_OVERLAP, GOOD_ROWS, TURKESTAN_CITY, budget_csv

TURKESTAN_KATO, SARYAGASH_KATO, ARYS_KATO = "611000000", "615400000", "611600000"


@pytest.fixture()
def validate(geography):
    return validator(geography.districts)


# ---------------------------------------------------------------- a good file


def test_good_file_is_ok(validate):
    result = validate(budget_csv(*GOOD_ROWS))
    assert result.ok
    assert result.problems == []
    assert result.fiscal_years == [2024, 2025]


def test_good_file_lines_carry_excel_row_numbers_and_typed_values(validate):
    lines = validate(budget_csv(*GOOD_ROWS)).lines
    assert list(lines["source_row"]) == [2, 3, 4]
    assert list(lines["facility_id"]) == ["T1", "T1", "S1"]
    assert list(lines["fiscal_year"]) == [2025, 2024, 2025]
    assert list(lines["work_type"]) == ["capital_repair", "current_repair", "equipment"]
    assert list(lines["amount_allocated"]) == [12_500_000_050, 500_000_000, 1_200_000_000]
    assert lines.at[2, "amount_paid"] is pd.NA
    # facility attributes live in the facilities table, not on each line
    assert "lat" not in lines.columns and "facility_type" not in lines.columns


def test_good_file_gives_one_facility_per_id_placed_in_its_district(validate):
    facilities = validate(budget_csv(*GOOD_ROWS)).facilities.set_index("facility_id")
    assert list(facilities.index) == ["T1", "S1"]
    assert facilities.at["T1", "kato"] == TURKESTAN_KATO
    assert facilities.at["S1", "kato"] == SARYAGASH_KATO
    assert list(facilities["in_overlap"]) == [False, False]
    assert facilities.at["T1", "lat"] == pytest.approx(TURKESTAN_CITY[0])
    assert facilities.at["S1", "facility_type"] == "kindergarten"
    assert facilities.at["S1", "facility_name_ru"] == "Детский сад"


def test_a_facility_takes_attributes_given_on_any_of_its_rows(validate):
    result = validate(row(facility_name_kk="", fiscal_year="2024"), row(capacity="600", capacity_unit="places"))
    assert result.ok, found(result)
    facility = result.facilities.set_index("facility_id").loc["T1"]
    assert facility["facility_name_kk"] == "№1 мектеп"
    assert facility["capacity"] == 600


def test_reader_errors_are_returned_without_validating(validate):
    content = budget_csv("T1;;;school", header="facility_id;facility_name_ru;colour;facility_type")
    result = validate(content)
    assert not result.ok
    assert {p.code for p in result.errors} == {"missing_column"}
    assert [p.code for p in result.warnings] == ["unknown_column"]
    assert result.lines.empty and result.facilities.empty
    assert result.fiscal_years == []


def test_reader_warnings_are_kept_on_a_good_file(validate):
    result = validate(row(colour="red"))
    assert result.ok
    assert found(result, "warning") == [(1, "colour", "colour", "unknown_column")]


# ---------------------------------------------------------------- all errors at once


def test_every_error_is_reported_at_once_with_its_row_and_column(validate):
    result = validate(
        row(facility_id="T1"),
        row(facility_id="T2", facility_type="shop"),
        row(facility_id="T3", fiscal_year="20x5"),
        row(facility_id="T4", work_type="paint"),
        row(facility_id="T5", amount_allocated="-5"),
        row(facility_id="T6", lon="abc"),
    )
    assert not result.ok
    assert found(result) == [
        (3, "facility_type", "shop", "unknown_choice"),
        (4, "fiscal_year", "20x5", "not_a_number"),
        (5, "work_type", "paint", "unknown_choice"),
        (6, "amount_allocated", "-5", "negative_amount"),
        (7, "lon", "abc", "not_a_number"),
    ]
    assert result.lines.empty
    assert result.facilities.empty


def test_several_errors_on_one_row_are_all_reported(validate):
    result = validate(row(fiscal_year="1999", amount_allocated="abc", contractor_bin="123"))
    assert sorted(p.column for p in result.errors) == ["amount_allocated", "contractor_bin", "fiscal_year"]
    assert {p.row for p in result.errors} == {2}


# ---------------------------------------------------------------- coordinates and districts


@pytest.mark.parametrize("cells, column, code", [
    ({"lat": "91"}, "lat", "lat_out_of_range"),
    ({"lat": "-90,5"}, "lat", "lat_out_of_range"),
    ({"lon": "181"}, "lon", "lon_out_of_range"),
    ({"lon": "-180,01"}, "lon", "lon_out_of_range"),
])
def test_coordinates_out_of_range_are_errors(validate, cells, column, code):
    error = only_error(validate(row(**cells)))
    assert (error.row, error.column, error.value, error.code) == (2, column, cells[column], code)


def test_point_outside_the_region_is_an_error(validate):
    error = only_error(validate(row(lat="43,2389", lon="76,8897")))  # Almaty
    assert (error.row, error.column, error.value, error.code) == (2, "lat", "43,2389", "outside_region")
    assert error.params == {"lat": "43,2389", "lon": "76,8897"}
    assert error.message() == "The point (lat 43,2389, lon 76,8897) is outside Turkestan region."


def test_swapped_lat_and_lon_are_recognised(validate):
    error = only_error(validate(row(lat="68,2518", lon="43,297")))
    assert (error.row, error.column, error.code) == (2, "lat", "outside_region_swapped")
    assert "look swapped" in error.message()


def test_outside_region_is_reported_once_per_facility_on_its_first_row(validate):
    result = validate(row(lat="43,2389", lon="76,8897", fiscal_year="2024"),
                      row(lat="43,2389", lon="76,8897", fiscal_year="2025"))
    assert found(result) == [(2, "lat", "43,2389", "outside_region")]


def test_district_kato_disagreeing_with_the_location_is_a_warning(validate):
    result = validate(row(district_kato=SARYAGASH_KATO))
    warning = only_warning(result)
    assert (warning.row, warning.column, warning.value, warning.code) == (
        2, "district_kato", SARYAGASH_KATO, "district_mismatch")
    assert warning.params == {"located": TURKESTAN_KATO}
    assert result.facilities.at[0, "kato"] == TURKESTAN_KATO


def test_unknown_district_kato_is_a_warning(validate):
    result = validate(row(district_kato="999999999"))
    warning = only_warning(result)
    assert (warning.column, warning.value, warning.code) == ("district_kato", "999999999", "unknown_district")
    assert result.facilities.at[0, "kato"] == TURKESTAN_KATO


def test_matching_district_kato_is_silent(validate):
    result = validate(row(district_kato="611 000 000"))
    assert result.ok and result.problems == []


def test_point_in_the_arys_baidibek_overlap_goes_to_the_lowest_kato_with_a_warning(validate):
    lat, lon = (comma(x) for x in ARYS_BAIDIBEK_OVERLAP)
    result = validate(row(lat=lat, lon=lon))
    warning = only_warning(result)
    assert (warning.row, warning.column, warning.value, warning.code) == (2, "lat", lat, "in_overlap")
    assert warning.params == {"located": ARYS_KATO}
    assert result.facilities.at[0, "kato"] == ARYS_KATO
    assert bool(result.facilities.at[0, "in_overlap"]) is True


def test_district_mismatch_is_reported_on_the_row_where_the_kato_was_typed(validate):
    result = validate(row(fiscal_year="2024", district_kato=""),
                      row(fiscal_year="2025", district_kato=SARYAGASH_KATO))
    warning = only_warning(result)
    assert (warning.row, warning.value) == (3, SARYAGASH_KATO)


# ---------------------------------------------------------------- duplicates and conflicts


def test_duplicate_key_is_reported_on_the_second_row(validate):
    result = validate(row(), row(facility_id="T2"), row(work_type="Capital repair"))
    error = only_error(result)
    assert (error.row, error.column, error.value, error.code) == (4, "facility_id", "T1", "duplicate_key")
    assert error.params == {"first_row": 2}
    assert "already on row 2" in error.message()


def test_every_repeat_of_a_key_names_the_first_row(validate):
    result = validate(row(), row(), row())
    assert [(p.row, p.code, p.params["first_row"]) for p in result.errors] == [
        (3, "duplicate_key", 2), (4, "duplicate_key", 2)]


@pytest.mark.parametrize("cells", [
    {"fiscal_year": "2024"}, {"work_type": "equipment"}, {"funding_source": "oblast"},
    {"budget_program_code": "261-015"},
])
def test_lines_differing_in_any_key_column_are_not_duplicates(validate, cells):
    assert validate(row(), row(**cells)).ok


@pytest.mark.parametrize("cells, column, typed, first", [
    ({"lat": "43,3"}, "lat", "43,3", "43,297"),
    ({"facility_type": "clinic"}, "facility_type", "clinic", "school"),
    ({"facility_name_ru": "Школа №2"}, "facility_name_ru", "Школа №2", "Школа №1"),
])
def test_facility_conflict_names_the_first_row(validate, cells, column, typed, first):
    error = only_error(validate(row(), row(fiscal_year="2024", **cells)))
    assert (error.row, error.column, error.value, error.code) == (3, column, typed, "facility_conflict")
    assert error.params == {"facility_id": "T1", "column": column, "first_row": 2, "first_value": first}
    assert error.message() == f"Facility T1 has a different {column} on row 2 ({first})."


def test_blank_attribute_on_a_later_row_is_not_a_conflict(validate):
    result = validate(row(), row(fiscal_year="2024", facility_name_kk="", facility_name_ru="Школа №1"))
    assert result.ok, found(result)


def test_same_value_written_differently_is_not_a_conflict(validate):
    result = validate(row(), row(fiscal_year="2024", facility_type="School", lat="43,2970"))
    assert result.ok, found(result)


# ---------------------------------------------------------------- bugs found and fixed


def test_overlap_point_given_baidibek_is_not_called_a_mismatch(validate):
    lat, lon = (comma(v) for v in ARYS_BAIDIBEK_OVERLAP)
    warning = only_warning(validate(row(lat=lat, lon=lon, district_kato="613600000")))
    assert warning.code == "in_overlap"  # the point is in Baidibek too: no false "mismatch"


def test_windows_1251_question_marks_warn_that_letters_were_lost(validate):
    content = ("facility_id;facility_name_kk;facility_name_ru;facility_type;lat;lon;fiscal_year;"
               "work_type;amount_allocated\r\nT1;??????? ??????;Школа;school;43,297;68,2518;2025;"
               "equipment;1\r\n").encode("cp1251")
    warning = only_warning(validate(content))
    assert (warning.row, warning.column, warning.code) == (2, "facility_name_kk", "letters_lost")
    utf8 = validate(content.decode("cp1251").encode("utf-8"))
    assert utf8.ok and utf8.warnings == []  # a real '?' in a UTF-8 file is left alone
