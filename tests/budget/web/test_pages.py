"""The format page and the template downloads (budget/web/pages.py) in the reader's language."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from budget import choices
from budget.format import COLUMNS
from budget.reader import read_budget_file
from budget.template import ACCEPTED_NOTE
from budget.validation import validate_table

TODAY = dt.date(2026, 11, 21)


def in_language(client, path: str, language: str):
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_format_page_shows_each_code_beside_its_name_in_the_page_language(client, language):
    html = in_language(client, "/budget-format", language).get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    for column, words in choices.WORDS.items():
        for choice in words:
            assert f"<li>{choice.label(language)} <code>{choice.code}</code></li>" in html, column
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in html


def test_format_page_says_codes_and_names_are_accepted_and_shows_the_example_names(client):
    html = in_language(client, "/budget-format", "en").get_data(as_text=True)
    assert ACCEPTED_NOTE in html and "EXAMPLE-0001" in html
    examples = re.findall(r"<td[^>]*>([^<]*)</td></tr>", html)
    assert {"School", "Capital repair", "Oblast budget", "In progress"} <= set(examples)
    russian = in_language(client, "/budget-format", "ru").get_data(as_text=True)
    assert ">Капитальный ремонт</td></tr>" in russian and ">Облыстық бюджет</td></tr>" not in russian


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_downloaded_xlsx_template_is_in_the_language_and_validates(client, geography, language):
    response = in_language(client, "/budget-template.xlsx", language)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment; filename=budget-template.xlsx" == response.headers["Content-Disposition"]
    assert "Accept-Language" in response.headers["Vary"]
    book = load_workbook(io.BytesIO(response.data))
    lists = [v.formula1.strip('"').split(",") for v in book["budget"].data_validations.dataValidation]
    assert [label for _code, label in choices.labels("work_type", language)] in lists
    first_help = book["columns"].cell(1, 4).value
    assert first_help == {"kk": "Қазақша", "ru": "Русский"}[language]

    raw = read_budget_file(response.data, "budget-template.xlsx")
    result = validate_table(raw, geography.districts, today=TODAY)
    assert result.ok, [(p.column, p.value, p.code) for p in result.errors]
    assert [(p.severity, p.code) for p in result.problems] == [("warning", "example_row_left_in")]
    assert result.lines.at[0, "work_type"] == "capital_repair"
    assert result.facilities.at[0, "facility_type"] == "school"


@pytest.mark.parametrize("language, school", [("kk", "Мектеп"), ("ru", "Школа"), ("en", "School")])
def test_downloaded_csv_template_has_the_example_in_the_language_and_validates(
        client, geography, language, school):
    response = in_language(client, "/budget-template.csv", language)
    assert response.mimetype == "text/csv" and response.data.startswith("\ufeff".encode())
    assert "Accept-Language" in response.headers["Vary"]
    example = response.data.decode("utf-8-sig").split("\r\n")[1].split(";")
    assert example[0] == "EXAMPLE-0001" and example[4] == school
    result = validate_table(read_budget_file(response.data, "budget-template.csv"),
                            geography.districts, today=TODAY)
    assert [(p.severity, p.code) for p in result.problems] == [("warning", "example_row_left_in")]
