"""The one CSV writer: BOM for Excel, CRLF, formulas neutralised in text, numbers left alone."""

import csv
import io
from decimal import Decimal

import pytest

from core.csv_export import COMMAS, SEMICOLONS, excel_csv, neutralised


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe():
    assert [neutralised(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", "a=b", None, "")] == \
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", "a=b", "", ""]


@pytest.mark.parametrize("cell", ["＝1+1", "﹦HYPERLINK(\"http://x\")", "＋1", "﹢1", "－1", "﹣1", "＠SUM(A1)", "﹫x"])
def test_a_formula_start_in_another_form_is_neutralised_too_and_kept_as_written(cell):
    assert neutralised(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Школа №1", "120 м²", "ｔｅｘｔ", "a＝b", "ә=1", "—1"])
def test_other_text_is_left_alone(cell):
    assert neutralised(cell) == cell


def test_numbers_and_booleans_are_written_as_data():
    assert [neutralised(v) for v in (-5, 12_500_000_050, 43.297, True, False)] == \
        ["-5", "12500000050", "43.297", "true", "false"]


def test_excel_csv_has_a_bom_crlf_and_neutralised_cells():
    body = excel_csv(["name", "=header"], [["=HYPERLINK(\"http://x\")", -3], ["Школа №1", None]])
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "'=header"], ["'=HYPERLINK(\"http://x\")", "-3"], ["Школа №1", ""]]


def test_semicolons_and_decimal_commas_for_excel_with_kazakh_or_russian_settings():
    body = excel_csv(["Атауы", "Бөлінді, теңге", "%"],
                     [["Мектеп; №1", Decimal("125000000.50"), 12.5], ["=1+1", Decimal("0.01"), 7],
                      ["v1.2", None, -0.5]], SEMICOLONS)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8")[1:]
    assert text.split("\r\n") == ["Атауы;Бөлінді, теңге;%", '"Мектеп; №1";125000000,50;12,5',
                                  "'=1+1;0,01;7", "v1.2;;-0,5", ""]  # text keeps its points


def test_the_default_layout_is_unchanged():
    rows = [["a", Decimal("1.50"), 2.5, 3]]
    assert excel_csv(["x", "y", "z", "n"], rows) == excel_csv(["x", "y", "z", "n"], rows, COMMAS) == \
        "\ufeffx,y,z,n\r\na,1.50,2.5,3\r\n".encode()
