"""The installable app in Debian's chromium: the service worker registers, a facility page seen
once is shown with the network off (with the offline note), and feedback written offline is
kept on the phone, shown as waiting, and delivered exactly once when the network is back, also
when the first answer is lost on the way."""

import re

import pytest
import sqlalchemy as sa

from core.schema import feedback
from tests.browser.conftest import wait_for_function
from tests.browser.test_map_browser import expected

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def phone(browser, lang="en"):
    context = browser.new_context(viewport=PHONE, locale={"en": "en-US", "ru": "ru-RU", "kk": "kk-KZ"}[lang],
                                  service_workers="allow")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def facility_ids(app, count):
    rows, _, _ = expected(app)
    return [row["facility_id"] for row in rows if row["lines"]][:count]


def stored_texts(app, text):
    with app.extensions["engine"].connect() as connection:
        return connection.execute(sa.select(feedback.c.tracking_code, feedback.c.submission_key)
                                  .where(feedback.c.text == text)).all()


def seen_online(page, url, lang=None):
    """Open a page online as a resident does and wait until the worker controls it and kept it."""
    if lang:
        page.goto(url.split("/facility/")[0] + f"/language/{lang}?next=/facility/" + url.split("/facility/")[1])
    else:
        page.goto(url)
    page.evaluate("() => window.OBMOffline.ready")
    wait_for_function(page, "navigator.serviceWorker.controller !== null")


def test_the_worker_registers_and_a_seen_facility_page_shows_offline_with_the_note(live_app, browser, artifacts):
    app, base = live_app
    seen, unseen = (f"{base}/facility/{fid}" for fid in facility_ids(app, 2))
    context, page = phone(browser)
    seen_online(page, seen)
    scope = page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == f"{base}/"
    title = page.locator("h1").inner_text()
    assert page.locator("#offline-note").is_hidden()  # online: the live page, no note

    context.set_offline(True)
    page.goto(seen)
    assert page.locator("h1").inner_text() == title
    note = page.locator("#offline-note")
    assert note.is_visible()
    assert re.fullmatch(r"Offline — data of \d\d/\d\d/\d{4}, \d\d:\d\d( [AP]M)?", note.inner_text())
    header = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 61, 110)"  # the stylesheet came from the worker's cache too
    with pytest.raises(Exception):  # a page never seen is not there offline
        page.goto(unseen)
    context.set_offline(False)
    page.goto(seen)
    assert page.locator("#offline-note").is_hidden()
    assert page.errors == []
    context.close()


def write_feedback(page, text):
    page.check("input[name=kind][value=question]")
    page.fill("#fb-text", text)
    page.click("form.feedback-form button[type=submit]")


def test_feedback_written_offline_waits_then_is_delivered_exactly_once(live_app, browser):
    app, base = live_app
    url = f"{base}/facility/{facility_ids(app, 3)[2]}"
    text = "Written offline at the bus stop: when does the repair start?"
    context, page = phone(browser)
    seen_online(page, url)
    context.set_offline(True)
    page.goto(url)
    write_feedback(page, text)
    waiting = page.locator("#feedback-queue .queued-item.state-waiting")
    waiting.wait_for()
    assert "Waiting to be sent" in waiting.inner_text() and text in waiting.inner_text()
    assert page.locator("#fb-text").input_value() == ""  # the form is free for the next message
    page.reload()  # still offline: the message is kept on the phone, not in the page
    page.locator("#feedback-queue .queued-item.state-waiting").wait_for()
    assert stored_texts(app, text) == []

    context.set_offline(False)  # sent by Background Sync (the worker) or the page's `online` event
    sent = page.locator("#feedback-queue .queued-item.state-sent")
    sent.wait_for()
    code = sent.locator("a.tracking-code").inner_text()
    assert CODE.fullmatch(code)
    rows = stored_texts(app, text)
    assert len(rows) == 1 and rows[0].tracking_code == code.replace("-", "")
    for _ in range(2):  # later visits and another flush send nothing again
        page.reload()
        page.evaluate("() => window.OBMOffline.sendNow()")
    assert len(stored_texts(app, text)) == 1
    page.click("#feedback-queue .state-sent a.tracking-code")
    page.wait_for_url(re.compile(rf"/feedback/{code}\?sent=new$"))
    assert text in page.locator("main").inner_text()
    assert page.errors == []
    context.close()


def test_an_answer_lost_on_the_way_is_retried_without_a_second_item(live_app, browser):
    app, base = live_app
    url = f"{base}/facility/{facility_ids(app, 4)[3]}"
    text = "Sent on a bad line: the answer never came back."
    context, page = phone(browser)
    seen_online(page, url)
    context.set_offline(True)
    page.goto(url)
    write_feedback(page, text)
    page.locator("#feedback-queue .queued-item.state-waiting").wait_for()

    lost = []

    def lose_the_answer(route):
        route.fetch()  # the server stores the message...
        lost.append(route.request.service_worker is not None)
        route.abort("connectionreset")  # ...and its answer is lost

    # On the context: the sender may be the page or the worker (Background Sync).
    context.route(re.compile(r"/feedback$"), lose_the_answer)
    context.set_offline(False)
    page.evaluate("() => window.OBMOffline.sendNow().then(() => true)")
    assert lost and len(stored_texts(app, text)) == 1
    assert page.locator("#feedback-queue .queued-item.state-waiting").count() == 1  # no code yet: still waiting
    context.unroute(re.compile(r"/feedback$"))
    page.evaluate("() => window.OBMOffline.sendNow()")
    page.locator("#feedback-queue .queued-item.state-sent").wait_for()
    rows = stored_texts(app, text)
    assert len(rows) == 1
    assert page.locator("#feedback-queue a.tracking-code").inner_text().replace("-", "") == rows[0].tracking_code
    context.close()
