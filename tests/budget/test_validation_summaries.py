"""Warnings repeated down a column are summed up (budget/validation.py summarise_warnings).

A Windows-1251 file loses every Kazakh letter of a column, a spreadsheet drops the zero of every
BIN that had one: the report says so once per column, with the count and the first rows, rather
than once per cell. Errors stay one per row, because each must be fixed.
"""

from __future__ import annotations

import pytest

from budget.format import Problem
from budget.validation import SUMMARY_THRESHOLD, summarise_warnings
from core.errors import MESSAGES
from tests.budget.validation_helpers import found, row, table, validator

LOST = "№1 ??сіпт?к мектеп"  # "№1 кәсіптік мектеп" after Windows-1251 had no place for ә, қ


@pytest.fixture()
def validate(geography):
    return validator(geography.districts)


def cp1251(*rows: dict[str, str]) -> bytes:
    """The table as Excel's "CSV (comma delimited)" writes it in Russian Windows: Windows-1251."""
    return table(*rows).decode("utf-8-sig").encode("cp1251")


def years(count: int, **cells: str) -> list[dict[str, str]]:
    return [row(fiscal_year=str(2000 + n), **cells) for n in range(count)]


def test_lost_letters_on_many_rows_are_one_warning_per_column(validate):
    result = validate(cp1251(*years(12, facility_name_kk=LOST, address="Т?ркістан ?., 5")))
    assert result.ok, found(result)
    summaries = sorted((p.row, p.column, p.value, p.code, p.params["count"]) for p in result.warnings)
    assert summaries == [(None, "address", "Т?ркістан ?., 5", "letters_lost_rows", 12),
                         (None, "facility_name_kk", LOST, "letters_lost_rows", 12)]
    warning = next(p for p in result.warnings if p.column == "facility_name_kk")
    assert warning.params["rows"] == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …"
    assert warning.message().startswith(
        "12 cells of this column contain '?' where letters were lost (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …): "
        "the file was saved as Windows-1251")
    assert 'Save it as "CSV UTF-8"' in warning.message()


def test_a_few_lost_letters_stay_on_their_rows(validate):
    result = validate(cp1251(*years(SUMMARY_THRESHOLD, facility_name_kk=LOST)))
    assert [(p.row, p.code) for p in result.warnings] == [(n, "letters_lost") for n in range(2, 7)]


def test_a_real_question_mark_is_not_a_lost_letter(validate):
    result = validate(cp1251(*years(7, description="Ремонт крыши? Нет, фасада (?)")))
    assert result.ok and result.warnings == [], found(result, "warning")


def test_summaries_come_first_and_errors_stay_per_row(validate):
    rows = years(7, facility_name_kk=LOST, start_date="31.02.2025")
    result = validate(cp1251(*rows))
    assert [(p.row, p.code) for p in result.errors] == [(n, "bad_date") for n in range(2, 9)]
    assert [p.code for p in result.problems[:1]] == ["letters_lost_rows"]


def test_capacity_without_unit_is_summed_up_but_paid_above_allocated_stays_per_row(validate):
    result = validate(*years(6, capacity="600", amount_allocated="1", amount_paid="2"))
    assert result.ok, found(result)
    codes = sorted((p.code, p.row) for p in result.warnings)
    assert codes == [("capacity_without_unit_rows", None)] + [
        ("paid_above_allocated", n) for n in range(2, 8)]


def test_summary_keeps_other_problems_in_place():
    problems = [Problem("error", 2, "lat", "x", "not_a_number"),
                *(Problem("warning", n, "address", "?а", "letters_lost") for n in range(3, 10)),
                Problem("warning", 4, "facility_name_kk", "?а", "letters_lost")]
    summed = summarise_warnings(problems)
    assert [(p.row, p.column, p.code) for p in summed] == [
        (2, "lat", "not_a_number"), (4, "facility_name_kk", "letters_lost"),
        (None, "address", "letters_lost_rows")]
    assert summed[-1].params == {"count": 7, "rows": "3, 4, 5, 6, 7, 8, 9"}


@pytest.mark.parametrize("code", sorted(c for c in MESSAGES if c.endswith("_rows")))
def test_every_summary_message_names_the_count_and_the_rows(code):
    assert code.removesuffix("_rows") in MESSAGES
    assert "%(count)s" in MESSAGES[code] and "%(rows)s" in MESSAGES[code]
