"""The one CSV writer: BOM for Excel, CRLF, formulas neutralised in text, numbers left alone."""

import csv
import io

from core.csv_export import excel_csv, neutralised


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe():
    assert [neutralised(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", "a=b", None, "")] == \
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", "a=b", "", ""]


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
