"""An upload in a real browser with a real background worker: the progress page, then the
report by itself; publish, the progress again, then the versions with the new one.

The live app is shared with the other browser tests: the publication is rolled back at the
end, so the published data is as it was."""

import pytest

from budget import jobs as upload_jobs
from budget import pending
from budget.publish import rollback
from core.schema import pending_uploads
from tests.browser.conftest import wait_for_function
from tests.browser.page_checks import serious_accessibility_violations
from tests.browser.test_workspace_browser import LOGIN, PASSWORD, ensure_editor, published_years
from tests.helpers import budget_csv

pytestmark = pytest.mark.browser

YEAR = 2018  # not in the demo data, nor in the workspace test's file
GOOD = budget_csv(*(f"JOB-{n};Жұмыс мектебі {n};Школа работы {n};school;43,297;68,2518;{YEAR};construction;"
                    f"{1000 + n} 000 000;" for n in range(40)))


def test_an_upload_shows_progress_then_its_report_and_publishes(live_app, page):
    app, base = live_app
    ensure_editor(app)
    before_version, before_years = published_years(app)
    page.goto(f"{base}/login?next=/admin/upload")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/admin/upload")

    page.set_input_files("input[type=file]", {"name": "jobs.csv", "mimeType": "text/csv", "buffer": GOOD})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"{base}/admin/uploads/*")
    upload_url = page.url
    # The worker may be done before the page is: either the progress, then the report, or the report.
    page.locator("section.preview").wait_for(timeout=30_000)
    assert page.url == upload_url
    assert "New facilities: 40" in page.inner_text("section.preview")
    assert serious_accessibility_violations(page) == []
    assert published_years(app) == (before_version, before_years)

    page.get_by_role("button", name="Publish").first.click()
    page.wait_for_url(f"{base}/admin/versions", timeout=30_000)
    assert "It is now on the public map." in page.inner_text("main")
    version, years = published_years(app)
    assert YEAR in years and version != before_version

    with app.extensions["engine"].begin() as connection:  # leave the data as it was
        rollback(connection, before_version, actor="test")
    assert YEAR not in published_years(app)[1]


def test_the_progress_page_is_accessible_and_updates_itself(live_app, page):
    app, base = live_app
    ensure_editor(app)
    # An upload whose job is not queued: the page shows it waiting, as it would without a worker.
    upload_id = pending.store(app.extensions["engine"], GOOD, "waiting.csv", actor=LOGIN,
                              token=upload_jobs.new_token())
    page.goto(f"{base}/login?next=/admin/uploads/{upload_id}")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/admin/uploads/{upload_id}")
    status = page.get_by_role("status").last
    assert "background worker" in status.inner_text()
    assert page.locator("progress#job-bar").count() == 1
    assert serious_accessibility_violations(page) == []
    with page.expect_response(lambda r: r.url.endswith(f"/admin/uploads/{upload_id}/progress.json")):
        pass
    with app.extensions["engine"].begin() as connection:  # the job goes on (as a worker would write)
        connection.execute(pending_uploads.update().where(pending_uploads.c.id == upload_id).values(
            stage="reading", progress_done=20, progress_total=41))
    wait_for_function(page, "document.getElementById('job-status').textContent.includes('20 of about 41')")
    assert page.locator("#job-stage").inner_text() == "Reading the file"
    assert page.evaluate("document.getElementById('job-bar').value") == 20
    assert page.console_errors == []
    with app.extensions["engine"].begin() as connection:
        connection.execute(pending_uploads.update().where(pending_uploads.c.id == upload_id)
                           .values(status="cancelled"))
