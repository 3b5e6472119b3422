"""8. A phone on a slow line (issue 17): a facility page and the map page as a rural resident's
phone gets them, first visit and repeat visit.

The app runs under the production command (gunicorn, 2 sync workers, no proxy in front) on the
demo data (`flask demo load`, the region's real geography, no basemap tiles). Debian's chromium
(Playwright) at 375 x 740 as a phone, slowed through the DevTools protocol exactly as
``../shared/tools/phone_probe.py`` does: ``Network.emulateNetworkConditions`` 400 kbit/s down
and up with 400 ms latency ("3G"), ``Emulation.setCPUThrottlingRate`` 4.

- **first visit**: a fresh browser context, so an empty cache;
- **repeat visit**: the same URL again in the same context, cache kept (as a resident coming
  back the next day, within the files' cache lifetime).

"Ready" is measured inside the page from the navigation's start (``bench.browser.PROBE``): for
the map, the first frame after ``window.OpenBudgetMap.state.ready`` (facilities drawn); for a
facility page, two frames after the ``load`` event. Bytes are the ``transferSize`` (headers and
compressed bodies as they crossed the network; 0 for what came from the cache) of the
navigation and of every resource finished by then. The baseline, in the same run and under the
same throttling, is ``bench/bare_app.py``'s fixed string under the same gunicorn: what the line
itself costs a page (two round trips and a few bytes).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import urllib.request
from pathlib import Path

from bench.browser import PROBE, chromium, wait_drawn
from bench.common import OUT_DIR, PROJECT_DIR, Report, median, remove_sqlite
from bench.load_bench import Server

SECTION = "8. A phone on a slow line"
VIEWPORT = {"width": 375, "height": 740}
THREE_G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
CPU_SLOWDOWN = 4
FLASK = PROJECT_DIR / ".venv" / "bin" / "flask"
DATABASE = OUT_DIR / "phone-demo.sqlite3"
# (page, ready mode, first visit: seconds, KB; repeat visit: seconds), from issue 17.
TARGETS = {"facility page": ("load", 3.0, 80, 1.0), "map page": ("ready", 4.5, 180, 1.5)}

MEASURE = """(drawn) => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
    .filter((e) => e.responseEnd <= drawn + 1);
  return {ready_ms: drawn, transfer_bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
          requests: entries.length, fetched: entries.filter((e) => e.transferSize > 0).length};
}"""


def demo_environment(database: Path) -> dict[str, str]:
    """The app's settings for the server: the demo database, no tiles (nothing outside loopback)."""
    return {"FLASK_DATABASE_URL": f"sqlite:///{database}", "FLASK_TILES_URL": "",
            "FLASK_SECRET_KEY": "bench-not-secret"}


def demo_database(log) -> Path:
    """A fresh database with the demo data published, through the CLI a deployment uses."""
    remove_sqlite(DATABASE)
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **demo_environment(DATABASE)}
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([str(FLASK), "--app", "app", *command], cwd=PROJECT_DIR, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"  demo database {DATABASE.name} ready")
    return DATABASE


def a_facility_path(base_url: str) -> str:
    """The page of the first facility the map shows."""
    request = urllib.request.Request(base_url + "/map/facilities.json", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
    return f"/facility/{json.loads(body)['id'][0]}"


def throttle(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def phone_visits(browser, url: str, mode: str, timeout_s: float = 180,
                 service_workers: str = "block") -> tuple[dict, dict]:
    """(first visit, repeat visit) of ``url`` in one fresh phone-sized, throttled context.

    The service worker is blocked by default: its own fetches are not slowed by the page's
    DevTools network emulation, so with it a repeat visit would get the network for free. The
    targets are measured on the browser's HTTP cache alone; ``"allow"`` adds the worker's figure.
    """
    context = browser.new_context(viewport=VIEWPORT, is_mobile=True, has_touch=True, locale="en-US",
                                  service_workers=service_workers)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(PROBE % f'"{mode}"')
        throttle(context, page)
        visits = []
        for _ in range(2):
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            wait_drawn(page, url, timeout_s)
            visits.append(page.evaluate(MEASURE, page.evaluate("window.__benchDrawn")))
            page.wait_for_timeout(500)  # what the page still fetches after ready lands in the cache
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"{url}: the page threw {errors[:3]}")
    return visits[0], visits[1]


def measure(browser, url: str, mode: str, runs: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {"first": [], "repeat": [], "repeat with worker": []}
    for _ in range(runs):
        first, repeat = phone_visits(browser, url, mode)
        results["first"].append(first)
        results["repeat"].append(repeat)
        results["repeat with worker"].append(phone_visits(browser, url, mode, service_workers="allow")[1])
    return results


def summarise(visits: list[dict]) -> tuple[float, float, float]:
    """Median seconds until ready, bytes and requests."""
    return (median([v["ready_ms"] for v in visits]) / 1000, median([v["transfer_bytes"] for v in visits]),
            median([v["requests"] for v in visits]))


def run_against(report: Report, app_url: str, bare_url: str, runs: int, label: str = "") -> None:
    """Measure the app at ``app_url`` with ``bare_url`` as the baseline (also usable on another
    checkout's server: ``label`` then names it in the figures)."""
    facility = a_facility_path(app_url)
    with chromium() as browser:
        bare = summarise(measure(browser, bare_url + "/", "load", runs)["first"])
        baseline = report.figure(SECTION, f"{label}baseline: bare Flask page, 3G, ready", bare[0], "s", runs=runs,
                                 note=f"{bare[1] / 1e3:.1f} KB, {bare[2]:.0f} requests")
        for name, path in (("facility page", facility), ("map page", "/")):
            mode, first_s, first_kb, repeat_s = TARGETS[name]
            results = measure(browser, app_url + path, mode, runs)
            seconds, size, requests = summarise(results["first"])
            again, again_size, again_requests = summarise(results["repeat"])
            report.figure(SECTION, f"{label}{name} {path}, 3G, first visit: ready", seconds, "s", runs=runs,
                          baseline=baseline, note=f"{requests:.0f} requests")
            report.figure(SECTION, f"{label}{name}, 3G, first visit: transferred until ready", size, "bytes",
                          runs=runs)
            report.figure(SECTION, f"{label}{name}, 3G, repeat visit: ready", again, "s", runs=runs,
                          baseline=baseline, note=f"{again_requests:.0f} requests, "
                          f"{median([v['fetched'] for v in results['repeat']]):.0f} over the network")
            report.figure(SECTION, f"{label}{name}, 3G, repeat visit: transferred until ready", again_size,
                          "bytes", runs=runs)
            worker = summarise(results["repeat with worker"])
            report.figure(SECTION, f"{label}{name}, 3G, repeat visit with the service worker: ready", worker[0],
                          "s", runs=runs, baseline=baseline,
                          note="not a target: the worker's own fetches escape the DevTools throttling")
            if not label:
                report.target(SECTION, f"{name}, 3G, first visit", f"≤ {first_s} s and ≤ {first_kb} KB",
                              f"{seconds:.2f} s, {size / 1e3:.1f} KB", seconds <= first_s and size <= first_kb * 1e3)
                report.target(SECTION, f"{name}, 3G, repeat visit", f"≤ {repeat_s} s", f"{again:.2f} s",
                              again <= repeat_s)


def run(context) -> None:
    report = context.report
    report.section(SECTION)
    runs = context.settings.draw_runs
    database = demo_database(report.log)
    with Server(target="bench.bare_app:app", name="phone-bare") as bare, \
            Server(target="app:create_app()", name="phone-app", env=demo_environment(database)) as app:
        run_against(report, app.url, bare.url, runs)
    report.note(SECTION, "Debian chromium at 375 x 740 (mobile), 400 kbit/s down and up, 400 ms latency, "
                "CPU 4x slower (DevTools protocol); gunicorn, 2 workers, no proxy; demo data; "
                "repeat visit = the same URL again in the same browser context, service worker blocked "
                "(the browser's HTTP cache alone; the worker's fetches would escape the throttling).")
