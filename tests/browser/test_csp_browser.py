"""Every kind of page under its Content-Security-Policy in a real browser: not one violation
(securitypolicyviolation events and chromium's console), and the pages still work: the map draws
its facilities (on the site and in another site's iframe), charts and the small map draw, the
feedback form sends, the workspace uploads and previews."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts import users as accounts
from tests.browser.conftest import wait_for_function
from tests.browser.test_map_browser import expected, wait_until_drawn
from tests.helpers import budget_csv

pytestmark = pytest.mark.browser

LOGIN, PASSWORD = "browser-csp", "a long enough browser password"
# Recorded before any of the page's own scripts run (an init script is not subject to the CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile
                    + ":" + event.lineNumber);
});
"""
UPLOAD = budget_csv("CSP-1;CSP мектебі;Школа CSP;school;43,297;68,2518;2018;construction;1 000 000;")


@pytest.fixture(scope="module")
def other_site():
    """Another origin on loopback (another port) whose page frames ``?src=``, as an akimat site
    would (a page Playwright made up would count as public and be refused local addresses)."""
    class Framing(BaseHTTPRequestHandler):
        def do_GET(self):
            src = self.path.partition("?src=")[2]
            body = f'<!doctype html><title>Akimat</title><iframe src="{src}" width="900" height="600"></iframe>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Framing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/page"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def watched(browser):
    """A page that records CSP violations and every console message of an error or warning."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console = []
    page.on("console", lambda m: m.type in ("error", "warning") and page.console.append(m.text))
    page.on("pageerror", lambda e: page.console.append(str(e)))
    yield page
    context.close()


def violations(page) -> list[str]:
    """What the page's CSP refused in every frame so far, and chromium's complaints about it."""
    found = []
    for frame in page.frames:
        found += frame.evaluate("window.__csp || []")
    return found + [m for m in page.console
                    if "Content Security Policy" in m or "Permissions-Policy" in m or "Refused" in m]


def ensure_account(app):
    with app.extensions["engine"].begin() as connection:
        if accounts.find_user(connection, LOGIN) is None:
            accounts.create_user(connection, LOGIN, PASSWORD, roles=["editor", "moderator", "admin"], actor="test",
                                 display_name="CSP Tester")


def visit(page, url, ready=None):
    page.goto(url)
    page.wait_for_load_state("load")
    if ready:
        wait_for_function(page, ready)
    assert violations(page) == [], url


def test_public_pages_run_under_the_csp(live_app, watched):
    app, base = live_app
    rows, funded, _ = expected(app)
    facility = next(r for r in rows if r["lines"])
    page = watched

    page.goto(base + "/")
    wait_until_drawn(page)
    state = page.evaluate("OpenBudgetMap.state")
    assert state["facilityCount"] == len(rows) and state["fundedCount"] == funded and state["visibleMarkers"] > 0
    # The key's swatches get their colours from map.js (no style attributes under the CSP).
    swatch = page.evaluate("getComputedStyle(document.querySelector('.dot[data-colour]')).backgroundColor")
    assert swatch not in ("", "rgba(0, 0, 0, 0)")
    assert violations(page) == []

    visit(page, f"{base}/facility/{facility['facility_id']}", "document.querySelector('svg.money-chart rect.bar')")
    page.locator(".point-map").scroll_into_view_if_needed()  # the small map loads its scripts only then
    wait_for_function(page, "window.facilityPoint !== undefined")
    assert violations(page) == []
    visit(page, f"{base}/district/{facility['district_kato']}", "document.querySelector('svg.money-chart rect.bar')")
    visit(page, f"{base}/dashboard", "document.querySelectorAll('canvas[data-chart-drawn]').length > 1")
    # A horizontal chart's box gets the height the page asks for (data-height, set by charts.js).
    heights = page.evaluate("[...document.querySelectorAll('.chart-box[data-height]')]"
                            ".map(b => [b.dataset.height, b.getBoundingClientRect().height])")
    assert heights and all(abs(float(want) - got) < 1 for want, got in heights)
    for path in ("/facilities", "/budget-format", "/feedback", "/no-such-page", "/login"):
        visit(page, base + path)

    # The feedback form sends and its status page (Referrer-Policy: no-referrer) shows.
    page.goto(f"{base}/facility/{facility['facility_id']}")
    page.check("input[name=kind][value=suggestion]")
    page.fill("#fb-text", "A ramp at the entrance would help.")
    page.click("button:has-text('Send feedback')")
    page.wait_for_url(re.compile(r"/feedback/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\?sent=new$"))
    assert violations(page) == [], page.url


def test_the_embed_page_draws_the_map_inside_another_sites_iframe(live_app, watched, other_site):
    app, base = live_app
    rows, _, _ = expected(app)
    page = watched
    embed = base + "/embed"
    page.goto(f"{other_site}?src={embed}")
    frame = page.frame_locator("iframe")
    frame.locator(".folium-map").wait_for()
    inner = next(f for f in page.frames if f.url.startswith(embed))
    wait_for_function(inner, "OpenBudgetMap.state && OpenBudgetMap.state.ready")
    assert inner.evaluate("OpenBudgetMap.state.facilityCount") == len(rows)
    assert inner.evaluate("document.querySelector('.site-nav')") is None
    assert inner.evaluate("document.querySelector('base').target") == "_blank"
    # A link opens the full site in a new tab, with the selection and view the map shows.
    with page.context.expect_page() as opened:
        inner.click("#full-map-link")
    assert opened.value.url.startswith(base + "/?") and "#map=" in opened.value.url
    opened.value.close()
    assert violations(page) == []


def test_the_full_site_refuses_to_be_framed(live_app, watched, other_site):
    _, base = live_app
    page = watched
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(f"{other_site}?src={base}/login")
    framed = [f for f in page.frames if f.url.startswith(base)]
    assert all(f.evaluate("document.querySelector('input[name=password]')") is None for f in framed)


def test_workspace_pages_run_under_the_csp(live_app, watched):
    app, base = live_app
    ensure_account(app)
    page = watched
    visit(page, f"{base}/login?next=/admin/")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/admin/")
    assert violations(page) == []
    for path in ("/admin/feedback", "/admin/users", "/admin/audit", "/admin/versions"):
        visit(page, base + path)
    version = page.locator("a[href^='/admin/versions/']").first.get_attribute("href")
    visit(page, base + version)
    visit(page, base + "/admin/feedback?moderation=pending")
    items = page.locator("a[href^='/admin/feedback/']")
    if items.count():  # the public test above sent one
        visit(page, base + items.first.get_attribute("href"))

    visit(page, f"{base}/admin/upload")
    page.set_input_files("input[type=file]", {"name": "csp.csv", "mimeType": "text/csv", "buffer": UPLOAD})
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(f"{base}/admin/uploads/*")
    page.locator("section.preview").wait_for(timeout=30_000)  # the progress page, then the preview
    assert violations(page) == [], page.url
    page.get_by_role("button", name="Cancel").first.click()  # leave the shared data as it was
    page.wait_for_load_state("load")
    assert violations(page) == []
