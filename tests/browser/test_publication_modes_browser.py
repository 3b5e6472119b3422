"""The two publication modes in a real browser, on a phone-sized screen, with the real worker:
a partial file updates and keeps the rest of its year; replacing the year states the removal
first and publishes only once the box repeating the figures is ticked.

The live app is shared with the other browser tests: the data is rolled back at the end."""

import pytest
import sqlalchemy as sa

from budget import preview
from budget.publish import import_budget_file, rollback
from core import versions
from tests.browser.page_checks import serious_accessibility_violations
from tests.browser.test_workspace_browser import LOGIN, PASSWORD, ensure_editor, published_years
from tests.helpers import budget_csv

pytestmark = pytest.mark.browser

YEAR = 2017  # a year neither the demo data nor the other browser tests publish
LINES = [f"MODE-{n};Режим мектебі {n};Школа режима {n};school;43,297;68,2518;{YEAR};capital_repair;"
         f"{n}00 000 000;" for n in range(1, 4)]
PARTIAL = budget_csv(LINES[0].replace("100 000 000", "150 000 000"))


def lines_of_year(app) -> dict[str, int]:
    with app.extensions["engine"].connect() as connection:
        version = versions.latest_version_id(connection)
        return {line["facility_id"]: line["allocated_tiyn"]
                for line in preview.published_lines(connection, version, [YEAR])}


def upload(page, base, mode_label: str | None):
    page.goto(f"{base}/admin/upload")
    page.set_input_files("input[type=file]", {"name": "partial.csv", "mimeType": "text/csv", "buffer": PARTIAL})
    if mode_label:
        page.get_by_label(mode_label).check()
    page.get_by_role("button", name="Upload and check").click()
    page.locator("section.preview").wait_for(timeout=30_000)


def test_update_keeps_the_year_and_replace_needs_the_confirmation(live_app, browser, artifacts):
    app, base = live_app
    ensure_editor(app)
    before_version, _ = published_years(app)
    engine = app.extensions["engine"]
    geography = app.extensions["geography"]
    assert import_budget_file(engine, budget_csv(*LINES), "three.csv", geography.districts, actor="test").ok
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{base}/login?next=/admin/upload")
        page.fill("input[name=login]", LOGIN)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/admin/upload")
        assert page.get_by_label("Update").is_checked()

        upload(page, base, None)  # update, as preselected
        assert page.locator("section.removals").count() == 0
        page.get_by_role("button", name="Publish").first.click()
        page.wait_for_url(f"{base}/admin/versions", timeout=30_000)
        assert lines_of_year(app) == {"MODE-1": 15_000_000_000, "MODE-2": 20_000_000_000, "MODE-3": 30_000_000_000}

        upload(page, base, "Replace fiscal years")
        removals = page.locator("section.removals")
        sentence = f"{YEAR}: remove 2 of 3 budget lines and 2 of 3 facilities, 500\u00a0mn\u00a0₸ of 650\u00a0mn\u00a0₸ allocated"
        assert sentence in removals.inner_text()
        assert removals.bounding_box()["y"] < page.locator("section.preview").bounding_box()["y"]
        box = page.locator("#confirm-removal-top")
        assert box.bounding_box()["width"] >= 24 and page.locator(".confirm-removal").first.bounding_box()["height"] >= 44
        page.screenshot(path=str(artifacts / "workspace-replace-confirmation-375.png"))
        assert serious_accessibility_violations(page) == []

        report_url = page.url
        page.get_by_role("button", name="Publish").first.click()  # not ticked: the browser stops it
        assert page.url == report_url and page.evaluate("!document.querySelector('#confirm-removal-top').validity.valid")
        assert len(lines_of_year(app)) == 3
        box.check()
        page.get_by_role("button", name="Publish").first.click()
        page.wait_for_url(f"{base}/admin/versions", timeout=30_000)
        assert lines_of_year(app) == {"MODE-1": 15_000_000_000}
        with engine.connect() as connection:
            modes = connection.execute(sa.text("SELECT mode FROM versions ORDER BY id DESC LIMIT 2")).scalars().all()
        assert modes == ["replace", "update"]
    finally:
        context.close()
        with engine.begin() as connection:  # leave the data as it was
            rollback(connection, before_version, actor="test")
    assert lines_of_year(app) == {}
