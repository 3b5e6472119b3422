"""Serve the app on loopback and time pages in Debian's headless chromium (Playwright, no download).

"Drawn" is measured inside the page, from the navigation's start (``performance.now()``): for
the app's map, the first animation frame after ``window.OpenBudgetMap.state.ready`` turns true
(the facilities are fetched, clustered and handed to Leaflet's canvas, which paints in that
frame); for a plain folium page, two animation frames after the ``load`` event (every marker is
added by the page's inline script before ``load``). Each visit uses a fresh browser context, so
nothing comes from the browser's cache.
"""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
# As in tests/browser/conftest.py: without the background-networking flags chromium calls Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 800}

PROBE = """
(() => {
  const mode = %s;
  const record = () => { window.__benchDrawn = performance.now(); };
  if (mode === "ready") {
    const watch = () => {
      const state = window.OpenBudgetMap && window.OpenBudgetMap.state;
      if (state && state.ready) { requestAnimationFrame(record); return; }
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  } else {
    window.addEventListener("load", () => requestAnimationFrame(() => requestAnimationFrame(record)));
  }
})();
"""


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request would drown the figures
        pass


class LiveServer:
    """A WSGI app (plus static folders) on a free loopback port, served from a thread."""

    def __init__(self, app, exports: dict[str, str] | None = None):
        wsgi = SharedDataMiddleware(app, exports or {}, cache=False) if exports else app
        self.server = make_server("127.0.0.1", 0, wsgi, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def chromium():
    """A headless /usr/bin/chromium driven by Playwright's Python package."""
    if not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: `make bench` installs it (scripts/install-browser.sh).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_drawn(page, url: str, timeout_s: float) -> None:
    """Wait for the probe's record of the page drawn, polled through ``evaluate``: Playwright's
    wait_for_function evals in the page, which the app's CSP (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("window.__benchDrawn !== undefined"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url}: not drawn after {timeout_s} s")
        page.wait_for_timeout(50)


def visit(browser, url: str, mode: str = "ready", timeout_s: float = 120) -> dict:
    """Load ``url`` in a fresh context; milliseconds until drawn and what the page received."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(PROBE % ('"ready"' if mode == "ready" else '"load"'))
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        wait_drawn(page, url, timeout_s)
        result = page.evaluate("""() => {
          const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
          const state = window.OpenBudgetMap && window.OpenBudgetMap.state;
          return {drawn_ms: window.__benchDrawn,
                  transfer_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
                  decoded_bytes: entries.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
                  requests: entries.length,
                  facilities: state ? state.facilityCount : null,
                  markers: state ? state.visibleMarkers + (state.visibleGroups || 0) : null};
        }""")
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"{url}: the page threw {errors[:3]}")
    return result


def static_exports(folders: dict[str, Path]) -> dict[str, str]:
    return {prefix: str(path) for prefix, path in folders.items()}
