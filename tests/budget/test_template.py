"""The downloadable templates (budget/template.py) read back through the real reader and validator.

Made in the downloader's language: the coded columns' example cells and drop-down lists hold the
names in it, and whatever the lists offer is accepted back. The XLSX is typed as an official's
table: numbers, dates, text identifiers, a frozen header, an explanation sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from budget import choices
from budget.format import COLUMNS, COLUMNS_BY_NAME, EXAMPLE_FACILITY_ID, NAME_COLUMNS
from budget.reader import read_budget_file
from budget.template import (
    ACCEPTED_NOTE,
    example_text,
    explanation_header,
    explanation_rows,
    template_csv,
    template_xlsx,
)
from budget.validation import validate_table
from tests.budget.validation_helpers import found

NAMES = [c.name for c in COLUMNS]
LANGUAGES = ["kk", "ru", "en"]
TODAY = dt.date(2026, 11, 21)
CODED = ("facility_type", "work_type", "funding_source", "status")
TEXT_COLUMNS = ("facility_id", "district_kato", "budget_program_code", "contractor_bin",
                "facility_name_kk", "procurement_ref", "source_url")


def build(kind: str, language: str) -> tuple[bytes, str]:
    if kind == "csv":
        return template_csv(language), "template.csv"
    return template_xlsx(language), "template.xlsx"


def column_of(name: str) -> int:
    return NAMES.index(name) + 1


@pytest.fixture(scope="module", params=LANGUAGES)
def workbook(request):
    return request.param, load_workbook(io.BytesIO(template_xlsx(request.param)))


def validate(content: bytes, filename: str, districts):
    return validate_table(read_budget_file(content, filename), districts, today=TODAY)


# ---------------------------------------------------------------- both formats, every language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_template_reads_back_with_the_header_and_the_example_in_the_language(kind, language):
    raw = read_budget_file(*build(kind, language))
    assert raw.problems == []
    assert list(raw.frame.columns) == NAMES
    assert list(raw.frame.index) == [2]
    example = raw.frame.loc[2]
    assert example["facility_id"] == EXAMPLE_FACILITY_ID == "EXAMPLE-0001"
    for name in CODED:
        assert example[name] == choices.label_of(name, COLUMNS_BY_NAME[name].example, language)
    assert example["contractor_bin"] == "180340021791" and example["district_kato"] == "611000000"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_template_as_downloaded_is_valid_but_warns_that_the_example_row_is_left_in(
        geography, kind, language):
    result = validate(*build(kind, language), geography.districts)
    assert result.ok, found(result)
    assert [(p.row, p.column, p.value, p.code) for p in result.problems] == [
        (2, "facility_id", "EXAMPLE-0001", "example_row_left_in")]
    assert result.problems[0].severity == "warning"
    line = result.lines.iloc[0]
    assert (line["work_type"], line["funding_source"], line["status"]) == ("capital_repair", "oblast", "in_progress")
    assert line["amount_allocated"] == 125_000_000 * 100 and line["start_date"] == "2025-04-01"
    assert result.facilities.at[0, "facility_type"] == "school"
    assert result.facilities.at[0, "kato"] == "611000000"


def test_every_column_has_an_example():
    assert all(c.example for c in COLUMNS), [c.name for c in COLUMNS if not c.example]


def test_the_example_row_is_no_demo_facility():
    """The demo facilities are TRK-SCH-0001 and the like: the example must match none of them."""
    assert not re.fullmatch(r"TRK-[A-Z]{3}-[0-9]{4}", EXAMPLE_FACILITY_ID)


# ---------------------------------------------------------------- CSV


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_is_utf8_with_bom_semicolons_crlf_and_the_xlsx_example_row(language):
    content = template_csv(language)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(NAMES)
    assert lines[1] == ";".join(example_text(c, language) for c in COLUMNS)
    assert lines[2:] == [""]  # header, example, and a final line break
    xlsx = read_budget_file(template_xlsx(language), "t.xlsx").frame.loc[2]
    csv = read_budget_file(content, "t.csv").frame.loc[2]
    differs = {name for name in NAMES if xlsx[name] != csv[name]}
    assert differs == {"amount_allocated", "amount_contracted", "amount_paid"}  # "125 000 000" typed
    assert all(xlsx[n] == csv[n].replace(" ", "") for n in differs)


def test_csv_keeps_kazakh_letters():
    text = template_csv("kk").decode("utf-8-sig")
    assert "№12 жалпы білім беретін мектеп" in text and "ТОО «Құрылыс-Сервис»" in text
    assert ";Күрделі жөндеу;" in text and ";Облыстық бюджет;" in text


# ---------------------------------------------------------------- XLSX: the budget sheet


def test_xlsx_has_the_budget_sheet_first_and_the_columns_sheet_second(workbook):
    _language, book = workbook
    assert book.sheetnames == ["budget", "columns"]


def test_xlsx_header_is_bold_frozen_and_each_header_cell_explains_its_column(workbook):
    language, book = workbook
    sheet = book["budget"]
    assert [cell.value for cell in sheet[1]] == NAMES
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    for cell, column in zip(sheet[1], COLUMNS):
        assert cell.comment.text == getattr(column, f"help_{language}")


def test_xlsx_cells_are_typed_as_an_officials_table(workbook):
    _language, book = workbook
    sheet = book["budget"]

    def example(name):
        return sheet.cell(2, column_of(name))

    for name in ("amount_allocated", "amount_contracted", "amount_paid"):
        assert isinstance(example(name).value, int) and example(name).number_format == "#,##0"
    assert example("amount_allocated").value == 125_000_000
    assert example("start_date").value == dt.datetime(2025, 4, 1)  # a real Excel date
    assert example("start_date").is_date and example("start_date").number_format == "dd.mm.yyyy"
    assert example("fiscal_year").value == 2025 and example("capacity").value == 600
    assert example("lat").value == pytest.approx(43.297) and example("floor_area_m2").value == 4200
    for name in TEXT_COLUMNS:  # text, so Excel keeps leading zeros of what is typed later
        assert isinstance(example(name).value, str) and example(name).number_format == "@", name


def test_xlsx_columns_carry_their_format_for_the_rows_typed_below_the_example(workbook):
    _language, book = workbook
    dimensions = book["budget"].column_dimensions
    letter = {c.name: book["budget"].cell(1, column_of(c.name)).column_letter for c in COLUMNS}
    assert dimensions[letter["contractor_bin"]].number_format == "@"
    assert dimensions[letter["district_kato"]].number_format == "@"
    assert dimensions[letter["facility_id"]].number_format == "@"
    assert dimensions[letter["amount_paid"]].number_format == "#,##0"
    assert dimensions[letter["end_date"]].number_format == "dd.mm.yyyy"
    for column in COLUMNS:  # wide enough for the name
        assert dimensions[letter[column.name]].width >= len(column.name), column.name


def test_xlsx_coded_columns_offer_their_names_in_the_language_without_refusing_other_words(workbook):
    language, book = workbook
    sheet = book["budget"]
    lists = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert len(lists) == len(CODED)
    for name in CODED:
        letter = sheet.cell(1, column_of(name)).column_letter
        listed = lists[f"{letter}2:{letter}1048576"]
        assert listed.type == "list" and listed.allow_blank
        assert not listed.showErrorMessage  # a code or the other language's name is right too
        assert listed.prompt == ACCEPTED_NOTE
        names = listed.formula1.strip('"').split(",")
        assert names == [label for _code, label in choices.labels(name, language)]
        assert [choices.code_of(name, n) for n in names] == list(COLUMNS_BY_NAME[name].choices)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_xlsx_filled_in_with_list_names_codes_and_the_other_language_passes(geography, language):
    book = load_workbook(io.BytesIO(template_xlsx(language)))
    sheet = book["budget"]
    sheet.delete_rows(2)
    filled = [
        {"facility_type": "Балабақша", "work_type": "Құрылыс", "funding_source": "Республиканский бюджет",
         "status": "Жоспарланған"},
        {"facility_type": "kindergarten", "work_type": "equipment", "funding_source": "district",
         "status": "Тендер"},
        {"facility_type": "Детский сад", "work_type": "Текущий ремонт", "funding_source": "Облыстық",
         "status": "completed"},
    ]
    for number, coded in enumerate(filled):
        cells = {"facility_id": "K-007", "facility_name_ru": "Детский сад «Ақбота»", "lat": 43.297,
                 "lon": 68.2518, "fiscal_year": 2024 + number, "amount_allocated": 7_500_000,
                 "contractor_bin": "180340021791", "start_date": dt.date(2024, 5, 6), **coded}
        sheet.append([cells.get(name) for name in NAMES])
    buffer = io.BytesIO()
    book.save(buffer)
    result = validate(buffer.getvalue(), "filled.xlsx", geography.districts)
    assert result.ok and result.problems == [], found(result)
    assert result.lines["work_type"].tolist() == ["construction", "equipment", "current_repair"]
    assert result.lines["funding_source"].tolist() == ["republican", "district", "oblast"]
    assert result.lines["status"].tolist() == ["planned", "tendering", "completed"]
    assert result.lines["start_date"].tolist() == ["2024-05-06"] * 3
    assert result.facilities["facility_type"].tolist() == ["kindergarten"]


# ---------------------------------------------------------------- XLSX: the columns sheet


def test_xlsx_columns_sheet_explains_every_column_in_the_language_first(workbook):
    language, book = workbook
    rows = list(book["columns"].iter_rows(values_only=True))
    assert rows[0] == explanation_header(language)
    order = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "kk", "ru")}[language]
    explained = rows[1:len(COLUMNS) + 1]
    assert [r[0] for r in explained] == NAMES
    for (name, _required, _allowed, *helps, example), column in zip(explained, COLUMNS):
        assert tuple(helps) == tuple(getattr(column, f"help_{code}") for code in order), name
        assert example == example_text(column, language)
    notes = [r[0] for r in rows[len(COLUMNS) + 1:] if r and r[0]]
    assert notes[0] == ACCEPTED_NOTE and "EXAMPLE-0001" in notes[1]


def test_xlsx_columns_sheet_marks_required_columns(workbook):
    _language, book = workbook
    required = {r[0]: r[1] for r in book["columns"].iter_rows(min_row=2, max_row=len(COLUMNS) + 1,
                                                                values_only=True)}
    for column in COLUMNS:
        if column.name in NAME_COLUMNS:
            assert required[column.name] == "kk or ru"
        elif column.required:
            assert required[column.name] == "yes", column.name
        else:
            assert required[column.name] is None, column.name  # an empty cell


def test_xlsx_columns_sheet_lists_coded_values_as_names_in_the_language_with_codes():
    book = load_workbook(io.BytesIO(template_xlsx("kk")))
    allowed = {r[0]: r[2] for r in book["columns"].iter_rows(min_row=2, max_row=len(COLUMNS) + 1,
                                                               values_only=True)}
    assert allowed["funding_source"] == ("Республикалық бюджет (republican), Облыстық бюджет (oblast), "
                                         "Аудандық бюджет (district), Өзге қаржы көзі (other)")
    assert allowed["work_type"].startswith("Құрылыс (construction), Күрделі жөндеу (capital_repair), ")
    assert {name for name, value in allowed.items() if value} == set(CODED)


def test_explanation_words_go_through_the_given_translation():
    shout = str.upper
    assert explanation_header("ru", shout)[:3] == ("COLUMN", "REQUIRED", "ALLOWED VALUES")
    rows = {r[0]: r for r in explanation_rows("ru", shout)}
    assert rows["facility_id"][1] == "YES" and rows["facility_name_kk"][1] == "KK OR RU"
    book = load_workbook(io.BytesIO(template_xlsx("ru", shout)))
    assert book["budget"].data_validations.dataValidation[0].promptTitle == "CHOOSE FROM THE LIST"
    notes = [r[0] for r in book["columns"].iter_rows(min_row=len(COLUMNS) + 3, values_only=True)]
    assert notes[0] == ACCEPTED_NOTE.upper()
    assert notes[1].startswith("Row 2 is an example (facility EXAMPLE-0001)")  # its placeholder broken


def test_a_file_that_kept_the_example_row_among_real_rows_is_warned_on_that_row(geography):
    from tests.budget.validation_helpers import row, table

    content = table(row(facility_id="T1"), row(facility_id="example-0001", fiscal_year="2024"))
    result = validate(content, "budget.csv", geography.districts)
    assert result.ok
    assert [(p.severity, p.row, p.column, p.code) for p in result.problems] == [
        ("warning", 3, "facility_id", "example_row_left_in")]
    assert result.problems[0].message() == (
        "This is the template's example row (facility example-0001): replace it with a real "
        "facility or delete it, or it is published as it is.")
