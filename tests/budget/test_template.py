"""The downloadable templates (data/budget_template.py) read back through the real reader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from budget.format import COLUMNS, NAME_COLUMNS
from budget.reader import read_budget_file
from budget.template import EXPLANATION_HEADER, explanation_rows, template_csv, template_xlsx
from budget.validation import validate_table

NAMES = [c.name for c in COLUMNS]
EXAMPLES = [c.example for c in COLUMNS]
TEMPLATES = [("template.csv", template_csv), ("template.xlsx", template_xlsx)]


@pytest.fixture(scope="module")
def xlsx_workbook():
    return load_workbook(io.BytesIO(template_xlsx()))


# ---------------------------------------------------------------- both formats


@pytest.mark.parametrize("filename, build", TEMPLATES, ids=["csv", "xlsx"])
def test_template_reads_back_with_the_format_header_and_no_problems(filename, build):
    raw = read_budget_file(build(), filename)
    assert raw.problems == []
    assert list(raw.frame.columns) == NAMES


@pytest.mark.parametrize("filename, build", TEMPLATES, ids=["csv", "xlsx"])
def test_template_example_row_is_row_2_with_every_example_as_typed(filename, build):
    raw = read_budget_file(build(), filename)
    assert list(raw.frame.index) == [2]
    assert raw.frame.loc[2].tolist() == EXAMPLES


@pytest.mark.parametrize("filename, build", TEMPLATES, ids=["csv", "xlsx"])
def test_template_example_row_is_a_valid_budget_line(geography, filename, build):
    raw = read_budget_file(build(), filename)
    result = validate_table(raw, geography.districts, today=dt.date(2026, 11, 21))
    assert result.ok, [(p.column, p.value, p.code) for p in result.problems]
    assert result.problems == []
    assert result.fiscal_years == [2025]
    assert result.facilities.at[0, "kato"] == "611000000"
    assert result.lines.at[0, "amount_allocated"] == 125_000_000 * 100


def test_every_column_has_an_example():
    assert all(EXAMPLES), [c.name for c in COLUMNS if not c.example]


# ---------------------------------------------------------------- CSV


def test_csv_is_utf8_with_bom_semicolons_and_crlf_for_excel():
    content = template_csv()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(NAMES)
    assert lines[2:] == [""]  # header, example, and a final line break


def test_csv_keeps_kazakh_letters():
    text = template_csv().decode("utf-8-sig")
    assert "№12 жалпы білім беретін мектеп" in text
    assert "ТОО «Құрылыс-Сервис»" in text


# ---------------------------------------------------------------- XLSX


def test_xlsx_has_the_budget_sheet_first_and_the_columns_sheet_second(xlsx_workbook):
    assert xlsx_workbook.sheetnames == ["budget", "columns"]


def test_xlsx_budget_sheet_holds_header_and_example(xlsx_workbook):
    sheet = xlsx_workbook["budget"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [NAMES, EXAMPLES]
    assert all(cell.font.bold for cell in sheet[1])


def test_xlsx_budget_cells_are_text_formatted_so_leading_zeros_survive(xlsx_workbook):
    sheet = xlsx_workbook["budget"]
    assert {cell.number_format for row in sheet.iter_rows() for cell in row} == {"@"}
    assert sheet.cell(2, NAMES.index("contractor_bin") + 1).value == "180340021791"


def test_xlsx_columns_sheet_explains_every_column(xlsx_workbook):
    rows = list(xlsx_workbook["columns"].iter_rows(values_only=True))
    assert rows[0] == EXPLANATION_HEADER
    assert [r[0] for r in rows[1:]] == NAMES
    for (name, _required, _allowed, help_kk, help_ru, help_en, example), column in zip(rows[1:], COLUMNS):
        assert name == column.name
        assert (help_kk, help_ru, help_en, example) == (
            column.help_kk, column.help_ru, column.help_en, column.example)
        assert help_kk and help_ru and help_en, name


def test_xlsx_columns_sheet_marks_required_columns(xlsx_workbook):
    required = {r[0]: r[1] for r in xlsx_workbook["columns"].iter_rows(min_row=2, values_only=True)}
    for column in COLUMNS:
        if column.name in NAME_COLUMNS:
            assert required[column.name] == "kk or ru"
        elif column.required:
            assert required[column.name] == "yes", column.name
        else:
            assert required[column.name] is None, column.name  # an empty cell


def test_xlsx_columns_sheet_lists_allowed_values_of_choice_columns(xlsx_workbook):
    allowed = {r[0]: r[2] for r in xlsx_workbook["columns"].iter_rows(min_row=2, values_only=True)}
    assert allowed["work_type"] == "construction, capital_repair, current_repair, maintenance, equipment"
    assert allowed["funding_source"] == "republican, oblast, district, other"
    for column in COLUMNS:
        assert allowed[column.name] == (", ".join(column.choices) or None), column.name


def test_xlsx_columns_sheet_header_is_bold(xlsx_workbook):
    assert all(cell.font.bold for cell in xlsx_workbook["columns"][1])


def test_explanation_rows_follow_the_format_order():
    rows = explanation_rows()
    assert len(rows) == len(COLUMNS)
    assert all(len(r) == len(EXPLANATION_HEADER) for r in rows)
    assert [r[0] for r in rows] == NAMES
