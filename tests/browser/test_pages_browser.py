"""Facility and district pages in a real browser: chart and small map drawn offline, accessible,
usable at phone width."""

import csv
import io
import re
from urllib.parse import urlparse

import pytest

from budget.publish import import_budget_file, rollback
from core import versions
from explore import queries
from map_builder.district_map import TYPE_COLOURS
from tests.browser.conftest import wait_for_function
from tests.browser.page_checks import serious_accessibility_violations

pytestmark = pytest.mark.browser

TURKESTAN = "611000000"
CHANGED_YEAR = "2026"

def bars_drawn(page, selector) -> list[dict]:
    """The server-drawn chart's bars as the browser lays them out: both series, painted, not empty."""
    bars = page.locator(f"{selector} rect.bar").evaluate_all(
        """rects => rects.map(r => ({series: r.dataset.series, fill: getComputedStyle(r).fill,
                                    width: r.getBoundingClientRect().width, height: r.getBoundingClientRect().height}))""")
    assert {bar["series"] for bar in bars} == {"allocated", "paid"}
    assert {bar["fill"] for bar in bars} == {"rgb(0, 114, 178)", "rgb(213, 94, 0)"}
    assert all(bar["width"] > 4 for bar in bars) and max(bar["height"] for bar in bars) > 100
    return bars


def outside_requests(page) -> list[str]:
    return [u for u in page.requests if urlparse(u).hostname != "127.0.0.1"]


def no_horizontal_scroll(browser, url: str, screenshot, chart: str = "svg.money-chart") -> int:
    """The page's width at 375 px once its chart is drawn (``chart``: a selector)."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                  reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(chart)
        page.screenshot(path=str(screenshot), full_page=True)
        return page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()


@pytest.fixture()
def changed_version(live_app):
    """A second publication of the demo's 2026 that pays more on one school's line, then undone."""
    app, _ = live_app
    demo = app.config["DEMO_DATA_FILE"]
    with open(demo, encoding="utf-8", newline="") as handle:
        every_row = list(csv.DictReader(handle))
    years_of = {}
    for row in every_row:
        years_of.setdefault(row["facility_id"], set()).add(row["fiscal_year"])
    rows = [r for r in every_row if r["fiscal_year"] == CHANGED_YEAR]
    target = next(r for r in rows if r["facility_type"] == "school" and r["status"] == "in_progress"
                  and len(years_of[r["facility_id"]]) >= 3)
    before = target["amount_paid"]
    target.update(amount_paid=str(int(target["amount_allocated"]) // 2), status="suspended")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    engine = app.extensions["engine"]
    with engine.connect() as connection:
        previous = versions.latest_version(connection)["id"]
    result = import_budget_file(engine, out.getvalue().encode("utf-8"), "budget-2026-update.csv",
                                app.extensions["geography"].districts, actor="akimat:test")
    assert result.ok, [p.message() for p in result.validated.errors]
    try:
        yield {"facility": target, "version": result.version_id, "paid_before": int(before)}
    finally:
        with engine.begin() as connection:
            rollback(connection, previous, actor="test")


def test_facility_page_draws_map_chart_and_changes_offline(live_app, page, browser, artifacts, changed_version):
    app, base = live_app
    facility = changed_version["facility"]
    page.goto(f"{base}/facility/{facility['facility_id']}")
    assert page.locator("h1").inner_text() == facility["facility_name_en"]

    # The small map (under the details, loaded when scrolled to): Leaflet from the app, one circle
    # in the school colour over the district outline.
    page.locator(".point-map").scroll_into_view_if_needed()
    wait_for_function(page, "window.facilityPoint !== undefined")
    marker = page.locator(".point-map path.leaflet-interactive")
    assert marker.count() == 1
    assert marker.get_attribute("fill") == TYPE_COLOURS["school"]
    assert page.locator('.point-map path[stroke="#555555"]').count() >= 1  # the district's outline
    assert page.evaluate("window.facilityPoint.getTooltip().getContent().textContent") == facility["facility_name_en"]
    box = page.locator(".point-map").bounding_box()
    assert box["height"] >= 200 and box["width"] > 300

    # The chart, drawn on the server: both series painted, one bar pair per year, no chart library.
    years_in_table = page.locator("#facility-years tbody tr").count()
    assert years_in_table >= 2
    assert len(bars_drawn(page, "#facility-chart")) == 2 * years_in_table
    assert page.locator("#facility-chart .chart-legend li").evaluate_all("items => items.map(i => i.textContent.trim())") == ["Allocated", "Paid"]
    assert page.evaluate("typeof window.Chart") == "undefined"
    assert not [u for u in page.requests if "chart" in u.lower()]

    # What changed: the new version, with paid and status before -> after.
    change = page.locator(f'.version-change[data-version="{changed_version["version"]}"]')
    assert change.is_visible()
    text = change.inner_text()
    assert "budget-2026-update.csv" in text and "In progress" in text and "Suspended" in text
    paid_after = int(facility["amount_allocated"]) // 2
    assert f"Paid: {changed_version['paid_before']:,} ₸ → {paid_after:,} ₸" in text.replace("\n", " ").replace("\u00a0", " ")
    # Newest first, back to the demo publication (other tests may publish in between).
    listed = page.locator(".version-change").evaluate_all("items => items.map(i => i.dataset.version)")
    assert listed[0] == str(changed_version["version"]) and listed[-1] == "1"

    # District link leads to the district page.
    assert page.locator(".facts a").get_attribute("href") == f"/district/{facility['district_kato']}"

    page.screenshot(path=str(artifacts / "facility-1280.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    assert outside_requests(page) == []
    assert page.console_errors == []
    width = no_horizontal_scroll(browser, f"{base}/facility/{facility['facility_id']}", artifacts / "facility-375.png")
    assert width <= 375


def test_district_page_draws_chart_and_lists_facilities(live_app, page, browser, artifacts):
    app, base = live_app
    with app.extensions["engine"].connect() as connection:
        version = versions.latest_version(connection)["id"]
        years = versions.fiscal_years(connection, version)
        listed = queries.district_facilities(connection, version, TURKESTAN, years[-1])
    page.goto(f"{base}/district/{TURKESTAN}")
    assert page.locator("h1").inner_text() == "Turkestan"
    bars_drawn(page, "#district-chart")
    labels = page.locator("#district-chart .chart-year").evaluate_all("groups => groups.map(g => g.dataset.year)")
    assert labels == [str(y) for y in years]
    assert page.locator("#district-years tbody tr").count() == len(years)
    assert page.locator(".facility-list tbody tr").count() == len(listed) > 10
    assert page.locator(".year-switch [aria-current]").inner_text() == str(years[-1])
    assert page.locator('[data-total="execution"]').inner_text().endswith("%")

    page.screenshot(path=str(artifacts / "district-1280.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    assert outside_requests(page) == []
    assert page.console_errors == []

    # Another year, then a facility of the list.
    page.locator(".year-switch a", has_text=str(years[0])).click()
    page.wait_for_url(f"**year={years[0]}")
    assert page.locator(".year-switch [aria-current]").inner_text() == str(years[0])
    first = page.locator(".facility-list tbody a").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name
    page.locator(".point-map").scroll_into_view_if_needed()
    wait_for_function(page, "window.facilityPoint !== undefined")
    assert page.console_errors == []

    width = no_horizontal_scroll(browser, f"{base}/district/{TURKESTAN}", artifacts / "district-375.png")
    assert width <= 375


def test_district_page_in_russian(live_app, page):
    _, base = live_app
    page.goto(f"{base}/district/{TURKESTAN}")
    page.get_by_role("link", name="Русский").click()
    page.wait_for_selector("html[lang=ru]")
    assert page.locator("h1").inner_text() == "Туркестан"
    assert page.locator("#district-chart .chart-legend li").evaluate_all("items => items.map(i => i.textContent.trim())") == ["Выделено", "Оплачено"]
    assert page.locator("#district-chart rect.bar title").first.text_content().replace("\u00a0", " ").endswith(" ₸")
    assert page.console_errors == []


def test_small_map_loads_only_when_scrolled_into_view_on_a_phone(live_app, browser, artifacts):
    app, base = live_app
    with app.extensions["engine"].connect() as connection:
        version = versions.latest_version(connection)["id"]
        kato = queries.district_facilities(connection, version, TURKESTAN,
                                           versions.fiscal_years(connection, version)[-1])
    facility_id = kato[0]["facility_id"]
    for language in ("kk", "ru"):
        context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                      locale=language)
        try:
            page = context.new_page()
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}/facility/{facility_id}", wait_until="load")
            page.wait_for_timeout(300)
            assert page.locator("html").get_attribute("lang") == language
            page.screenshot(path=str(artifacts / f"facility-375-{language}.png"))
            # First paint: the placeholder with the coordinates, no Leaflet, no map script.
            placeholder = page.locator(".point-map-placeholder")
            assert placeholder.is_visible() and "," in placeholder.inner_text()
            assert not [u for u in requests if "leaflet" in u or "/map/point/" in u]
            box = page.locator(".point-map").bounding_box()
            assert box["y"] + box["height"] / 2 > 740  # at most peeking in under the facts
            assert page.evaluate("window.facilityPoint === undefined")
            # Scrolled to it: Leaflet, then the map, the circle and the outline; the placeholder gone.
            page.locator(".point-map").scroll_into_view_if_needed()
            wait_for_function(page, "window.facilityPoint !== undefined")
            assert page.locator(".point-map").get_attribute("data-map-state") == "shown"
            assert page.locator(".point-map path.leaflet-interactive").count() == 1
            assert not placeholder.is_visible()
            assert [u for u in requests if re.search(r"/leaflet(\.[0-9a-f]+)?\.js$", u)] and [u for u in requests if "/map/point/" in u]
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.screenshot(path=str(artifacts / f"facility-375-{language}-map.png"))
            assert errors == []
        finally:
            context.close()
