"""A hostile file is refused with the same words by the workspace upload (its validation job) and
by ``flask budget import``; the settings set the limits."""

import html

import pytest

from tests.budget.test_hostile_files import gap_workbook, million_column_csv
from tests.budget.web.test_workspace import text, upload, upload_id_of
from tests.helpers import GOOD_ROWS, budget_csv

GAP_WORDS = "The first sheet has cells as far right as column XFD (16\u00a0384 columns); at most 100 columns can be read."


@pytest.mark.usefixtures("english")
def test_the_workspace_refuses_the_gap_workbook_in_its_report(editor):
    upload_id = upload_id_of(upload(editor, gap_workbook(), "gap.xlsx"))
    page = html.unescape(text(editor.get(f"/admin/uploads/{upload_id}")))
    assert "The file has errors, so it cannot be published." in page and GAP_WORDS in page
    report = editor.get(f"/admin/uploads/{upload_id}/report.csv").get_data().decode("utf-8-sig")
    assert GAP_WORDS in report


def test_the_cli_refuses_a_million_columns(runner, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(million_column_csv())
    result = runner.invoke(args=["budget", "import", str(path)])
    assert result.exit_code == 1
    assert "ERROR: file: The table has 1\u00a0000\u00a0000 columns; at most 100 can be read." in result.output


def test_the_limits_come_from_the_settings(app, runner, tmp_path):
    app.config["BUDGET_MAX_ROWS"] = 2
    path = tmp_path / "three.csv"
    path.write_bytes(budget_csv(*GOOD_ROWS))
    result = runner.invoke(args=["budget", "import", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "ERROR: file: The table has 3 rows; at most 2 can be read in one file." in result.output


@pytest.mark.usefixtures("english")
def test_a_long_report_says_what_the_page_and_the_csv_hold(editor):
    """Over 1,000 problems: the page shows the first ones and says the CSV lists every error
    and, of each kind of warning, the first ones with how many more."""
    rows = [f"B{n};Мектеп {n};Школа {n};castle;43,297;68,2518;2025;capital_repair;1 000;" for n in range(1_005)]
    upload_id = upload_id_of(upload(editor, budget_csv(*rows)))
    page = html.unescape(text(editor.get(f"/admin/uploads/{upload_id}")))
    assert "Showing the first 1000 of 1005 problems." in page.replace("\u00a0", "").replace(",", "")
    assert "The CSV report lists every error, and the first 100 warnings of each kind" in page
    report = editor.get(f"/admin/uploads/{upload_id}/report.csv").get_data().decode("utf-8-sig")
    assert sum("castle" in line for line in report.splitlines()) == 1_005  # every error, none capped
