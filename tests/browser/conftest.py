"""A live server on 127.0.0.1 and Debian's chromium driven by Playwright (no downloaded browser)."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.helpers import PROJECT_DIR

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps calling Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
ARTIFACTS = PROJECT_DIR / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo data, served from a thread on a free loopback port, with a
    background worker (uploads are checked and published by it, as in production)."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}", "SECRET_KEY": "browser",
                      "TILES_URL": "", "FEEDBACK_RATE_LIMIT": "100 per minute"})
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo", "load"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    worker = app.extensions["jobs"].start_in_threads()  # a real huey worker on the SQLite queue
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    worker.stop(graceful=True)
    app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (scripts/install-browser.sh installs it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    """A fresh page that records console errors and every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.requests = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def wait_for_function(target, expression: str, timeout: float = 30.0):
    """``target.wait_for_function(expression)`` that the pages' CSP lets run: Playwright's own
    polls ``eval`` the expression in a task of the page, which a policy without 'unsafe-eval'
    refuses, while ``evaluate`` runs through the DevTools protocol, outside the page's policy.
    ``target`` is a page or a frame; returns the first truthy value."""
    deadline = time.monotonic() + timeout
    while not (value := target.evaluate(expression)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        target.wait_for_timeout(50)
    return value
