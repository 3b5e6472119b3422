"""Residents' feedback in a real browser: submit -> pending (not public) -> a moderator publishes
-> visible on the facility page and counted in the map popup -> answer -> the status page shows
it. Every text carries script-injection payloads, and none may ever run."""

import io
import re
from collections import Counter

import pytest
from PIL import Image

from accounts import users as accounts
from tests.browser.page_checks import serious_accessibility_violations
from tests.browser.test_map_browser import click_on_map, expected, open_map

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '"><svg onload="window.__xss=3">',
    "</textarea><script>window.__xss=4</script>",
    '<a href="javascript:window.__xss=5">link</a>',
    "javascript:window.__xss=6",
    "{{ 7*7 }} ${window.__xss=7} {% raw %}",
    "<iframe srcdoc=\"<script>parent.__xss=8</script>\"></iframe>",
]
TEXT = "Roof money paid, no roof. " + " ".join(PAYLOADS)
NAME = '<img src=x onerror="window.__xss=9">'
ANSWER = "Checked on site. " + '<script>window.__xss=10</script><b onmouseover="window.__xss=11">bold</b>'
MODERATOR, PASSWORD = "browser-moderator", "a long enough password"


def no_script_ran(page):
    assert page.evaluate("window.__xss") is None, page.url
    assert page.dialogs == [], page.url


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.dialogs, page.console_errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def ensure_moderator(app):
    with app.extensions["engine"].begin() as connection:
        if accounts.find_user(connection, MODERATOR) is None:
            accounts.create_user(connection, MODERATOR, PASSWORD, roles=["moderator"], actor="test",
                                 display_name='Dana <i>Moderator</i>')


def photo_file(folder) -> str:
    path = folder / "roof.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (150, 80, 40)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def popup_text(page, base, target) -> str:
    open_map(page, base, f"/#map=18/{target['lat']}/{target['lon']}")
    click_on_map(page, target["lat"], target["lon"])
    popup = page.locator(".leaflet-popup-content .facility-popup")
    popup.locator("a.popup-feedback").wait_for()
    return popup.inner_text()


def test_feedback_round_trip_and_no_payload_ever_runs(live_app, browser, artifacts, tmp_path):
    app, base = live_app
    rows, _, _ = expected(app)
    places = Counter((r["lat"], r["lon"]) for r in rows)
    target = next(r for r in rows if r["lines"] and places[(r["lat"], r["lon"])] == 1)
    facility_url = f"{base}/facility/{target['facility_id']}"
    ensure_moderator(app)
    resident, moderator = new_page(browser), new_page(browser)

    # 1. A resident sends a complaint with a photo from the facility page.
    resident.goto(facility_url)
    before = popup_text(new_page(browser), base, target)
    assert "0 open, 0 answered" in before
    resident.goto(facility_url)
    resident.check("input[name=kind][value=complaint]")
    resident.fill("#fb-text", TEXT)
    resident.fill("#fb-name", NAME)
    resident.fill("#fb-contact", "resident.private@example.kz")
    resident.check("input[name=rating][value='2']")
    resident.set_input_files("#fb-photo", photo_file(tmp_path))
    resident.click("button:has-text('Send feedback')")
    resident.wait_for_url(re.compile(r"/feedback/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\?sent=new$"))
    status_url = resident.url.split("?")[0]
    assert resident.locator("#feedback-text").inner_text() == TEXT
    assert resident.locator("#moderation-state").inner_text().startswith("Waiting for moderation")
    assert resident.locator("img.feedback-photo").evaluate("img => img.complete && img.naturalWidth > 0")
    resident.screenshot(path=str(artifacts / "feedback-status-pending.png"), full_page=True)
    assert serious_accessibility_violations(resident) == []
    no_script_ran(resident)

    # 2. Pending: not on the facility page.
    resident.goto(facility_url)
    assert "Roof money paid" not in resident.locator("#feedback").inner_text()
    assert serious_accessibility_violations(resident) == []
    no_script_ran(resident)

    # 3. The moderator finds it in the queue (with the private contact) and publishes it.
    moderator.goto(f"{base}/login?next=/admin/feedback")
    moderator.fill("input[name=login]", MODERATOR)
    moderator.fill("input[name=password]", PASSWORD)
    moderator.click("button[type=submit]")
    moderator.wait_for_url(re.compile(r"/admin/feedback$"))
    moderator.click("a:has-text('Roof money paid')")
    assert moderator.locator("#original-text").inner_text() == TEXT
    assert "resident.private@example.kz" in moderator.locator("main").inner_text()
    moderator.click("button[name=target][value=published]")
    moderator.wait_for_load_state()
    assert moderator.locator("#item-moderation").inner_text().startswith("Published")
    no_script_ran(moderator)

    # 4. Public now: on the facility page, with the name, and counted in the map popup.
    resident.goto(facility_url)
    item = resident.locator(".feedback-item").first
    assert TEXT in item.inner_text() and NAME in item.inner_text()
    assert "resident.private@example.kz" not in resident.content()
    assert "1 open" in resident.locator(".feedback-counts").inner_text()
    resident.screenshot(path=str(artifacts / "feedback-facility.png"), full_page=True)
    no_script_ran(resident)
    map_page = new_page(browser)
    assert "1 open, 0 answered" in popup_text(map_page, base, target)
    no_script_ran(map_page)

    # 5. The moderator answers.
    moderator.fill("#answer-input", ANSWER)
    moderator.click("button[name=target][value=answered]")
    moderator.wait_for_load_state()
    assert moderator.locator("#item-status").inner_text() == "Answered"
    no_script_ran(moderator)

    # 6. The status page shows the answer, signed; the facility page and popup count it.
    resident.goto(status_url)
    assert resident.locator("#current-status").inner_text() == "Answered"
    assert resident.locator("#answer-text").inner_text() == ANSWER
    assert "Dana <i>Moderator</i>" in resident.locator(".feedback-answer").inner_text()
    history = resident.locator(".feedback-history").inner_text()
    assert "Received" in history and "Published on the facility page" in history and "Answered" in history
    resident.screenshot(path=str(artifacts / "feedback-status-answered.png"), full_page=True)
    no_script_ran(resident)
    assert "0 open, 1 answered" in popup_text(map_page, base, target)
    no_script_ran(map_page)

    # The tracking-code form takes a payload too.
    resident.goto(f"{base}/feedback")
    resident.fill("#code", PAYLOADS[1])
    resident.click("button[type=submit]")
    assert "A tracking code has 12 letters" in resident.locator("main").inner_text()
    no_script_ran(resident)
    assert resident.console_errors == [] and moderator.console_errors == []

    # Leave the shared live app as it was for other tests: hide the item (a state, not a delete).
    moderator.fill("#moderation-reason", "Browser test finished")
    moderator.click("button[name=target][value=hidden]")
    moderator.wait_for_load_state()
    assert moderator.locator("#item-moderation").inner_text().startswith("Hidden")
