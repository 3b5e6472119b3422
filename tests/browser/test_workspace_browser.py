"""The editors' workspace in a real browser: log in, a file with errors and its report, a good
file, its preview, publish, the change on the public map, and a rollback that undoes it.

The live app is shared with the other browser tests: the publication is rolled back at the end,
so the published data is as it was (version numbers are never assumed)."""

import pytest

from accounts import users as accounts
from core import versions
from tests.browser.conftest import wait_for_function
from tests.browser.page_checks import serious_accessibility_violations
from tests.helpers import budget_csv

pytestmark = pytest.mark.browser

LOGIN, PASSWORD = "browser-editor", "a long enough browser password"
YEAR = 2019  # a year the demo data has not: the upload adds it and the rollback removes it again
GOOD = budget_csv(f"BRW-1;Браузер мектебі;Школа браузера;school;43,297;68,2518;{YEAR};construction;"
                  "4 321 000 000;1 000 000 000")
BAD = budget_csv(f"BRW-1;Браузер мектебі;Школа браузера;school;43,297;68,2518;{YEAR};construction;"
                 "четыре миллиона;")


def ensure_editor(app):
    engine = app.extensions["engine"]
    with engine.begin() as connection:
        if accounts.find_user(connection, LOGIN) is None:
            accounts.create_user(connection, LOGIN, PASSWORD, roles=["editor"], actor="test",
                                 display_name="Browser Editor")


def upload(page, base, name, content):
    page.goto(f"{base}/admin/upload")
    page.set_input_files("input[type=file]", {"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"{base}/admin/uploads/*")


def published_years(app):
    with app.extensions["engine"].connect() as connection:
        version = versions.latest_version(connection)["id"]
        return version, versions.fiscal_years(connection, version)


def test_upload_report_preview_publish_and_rollback(live_app, page, artifacts):
    app, base = live_app
    ensure_editor(app)
    before_version, before_years = published_years(app)
    assert YEAR not in before_years

    page.goto(f"{base}/login?next=/admin/")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/admin/")
    page.get_by_role("link", name="Upload budget data").first.click()

    upload(page, base, "bad.csv", BAD)
    report = page.locator("table.problems-table")
    assert "amount_allocated" in report.inner_text() and "четыре миллиона" in report.inner_text()
    assert page.get_by_role("link", name="Download the report as CSV").is_visible()
    assert page.get_by_role("button", name="Publish").count() == 0
    assert serious_accessibility_violations(page) == []

    upload(page, base, "good.csv", GOOD)
    assert "New facilities: 1" in page.inner_text("section.preview")
    assert f"Totals by district, {YEAR}" in page.inner_text("section.preview")
    page.screenshot(path=str(artifacts / "workspace-preview.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    assert published_years(app) == (before_version, before_years)  # the preview is not public

    page.get_by_role("button", name="Publish").first.click()  # the one at the top
    page.wait_for_url(f"{base}/admin/versions")
    assert "It is now on the public map." in page.inner_text("main")
    published_version, years = published_years(app)
    assert YEAR in years

    page.goto(f"{base}/?year={YEAR}")
    wait_for_function(page, "window.OpenBudgetMap && OpenBudgetMap.state && OpenBudgetMap.state.ready")
    shown_total = page.locator('[data-total="allocated"]').inner_text()
    assert shown_total.replace("\u00a0", " ").replace(",", " ") == "4 321 000 000 ₸"
    assert page.evaluate("OpenBudgetMap.state.fundedCount") >= 1  # the new facility is on the map
    summary = page.request.get(f"{base}/map/summary.json?year={YEAR}").json()
    assert summary["version"] == published_version
    page.goto(f"{base}/facility/BRW-1")
    assert str(YEAR) in page.inner_text("main")

    page.goto(f"{base}/admin/versions/{before_version}/rollback")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Roll back").click()
    page.wait_for_url(f"{base}/admin/versions")
    assert f"the data of version {before_version} again" in page.inner_text("main")
    after_version, after_years = published_years(app)
    assert after_version > published_version and after_years == before_years
    page.goto(f"{base}/?year={YEAR}")  # the year is gone from the public map again
    assert page.locator(f'#f-year option[value="{YEAR}"]').count() == 0
    assert page.console_errors == []
