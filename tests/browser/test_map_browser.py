"""The map in a real browser: drawn offline, popups safe, links and languages work."""

from urllib.parse import urlparse

import pytest

from data import queries

pytestmark = pytest.mark.browser

DISTRICT_PATHS = 'path.leaflet-interactive[stroke="#555555"]'


def expected_facilities(app, year=None):
    """(facilities on the map, those funded in the year, the published years)."""
    with app.extensions["engine"].connect() as connection:
        version = queries.latest_version(connection)["id"]
        years = queries.fiscal_years(connection, version)
        rows = queries.map_facilities(connection, version, year or years[-1])
        return len(rows), sum(1 for r in rows if r["lines_in_year"]), years


# markercluster's zoomToShowLayer waits for an icon, which circle markers never get: zoom in
# on the marker and spiderfy its cluster instead, as a person tapping the map would.
OPEN_POPUP = """async (predicate) => {
    const layer = window.facilityLayer;
    const marker = layer.getLayers().find(m => eval(predicate)(m));
    layer._map.setView(marker.getLatLng(), 18, {animate: false});
    await new Promise(r => setTimeout(r, 300));
    const parent = layer.getVisibleParent(marker);
    if (parent && parent !== marker) {
        parent.spiderfy();
        await new Promise(r => setTimeout(r, 500));
    }
    marker.openPopup();
}"""


def open_popup(page, predicate="m => true"):
    page.evaluate(OPEN_POPUP, predicate)
    page.locator(".leaflet-popup-content .facility-popup").wait_for()


def open_map(page, base, path="/"):
    page.goto(base + path)
    page.wait_for_function("window.facilityCount !== undefined")


def test_map_draws_17_districts_and_every_facility_offline(live_app, page, artifacts):
    app, base = live_app
    open_map(page, base)
    count, funded, years = expected_facilities(app)
    assert page.locator(DISTRICT_PATHS).count() == 17
    assert page.evaluate("window.facilityCount") == count == 600
    assert page.evaluate("window.facilityLayer.getLayers().length") == count
    assert page.evaluate("window.fundedCount") == funded
    assert 100 < funded < count
    assert page.locator(".demo-notice").is_visible()
    assert page.locator(".map-legend").is_visible()
    assert "OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(artifacts / "map-1280.png"))
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1",)]
    assert outside == []
    assert page.console_errors == []


def test_changing_the_year_changes_the_markers(live_app, page):
    app, base = live_app
    open_map(page, base)
    _, funded_latest, years = expected_facilities(app)
    total_before = page.locator('[data-total="allocated"]').inner_text()
    page.select_option("#year", str(years[0]))
    page.wait_for_url(f"**year={years[0]}")
    page.wait_for_function("window.facilityCount !== undefined")
    funded_first = expected_facilities(app, years[0])[1]
    assert funded_first != funded_latest
    assert page.evaluate("window.fundedCount") == funded_first
    assert page.locator('[data-total="allocated"]').inner_text() != total_before
    assert page.console_errors == []


def test_popup_is_escaped_and_links_to_the_facility_page(live_app, page):
    app, base = live_app
    open_map(page, base)
    open_popup(page)
    popup = page.locator(".leaflet-popup-content .facility-popup")
    name = popup.locator("strong").inner_text()
    link = popup.locator("a")
    assert "/facility/" in link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name
    assert page.locator("table").count() >= 1
    assert page.console_errors == []


def test_script_in_a_facility_name_never_runs(live_app, browser, tmp_path):
    app, base = live_app
    from data.uploads import import_budget_file
    from tests.conftest import budget_csv

    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    content = budget_csv(f"XSS1;{payload};{payload};school;43,297;68,2518;2026;equipment;1;")
    geography = app.extensions["geography"]
    result = import_budget_file(app.extensions["engine"], content, "xss.csv", geography.districts, actor="test")
    assert result.ok
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/?year=2026")
        page.wait_for_function("window.facilityCount !== undefined")
        open_popup(page, "m => m.getTooltip().getContent().includes('onerror')")
        assert payload in page.locator(".facility-popup strong").inner_text()
        page.goto(base + "/facility/XSS1")
        assert payload in page.locator("h1").inner_text()
        assert page.evaluate("window.__xss") is None
        context.close()
    finally:
        with app.extensions["engine"].begin() as connection:
            from data.uploads import rollback
            rollback(connection, result.version_id - 1, actor="test")


def test_language_switch_changes_the_page(live_app, page):
    _, base = live_app
    open_map(page, base)
    page.get_by_role("link", name="Русский").click()
    page.wait_for_function("window.facilityCount !== undefined")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("link", name="Қазақша").click()
    page.wait_for_function("window.facilityCount !== undefined")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.console_errors == []


def test_phone_width_has_no_horizontal_scroll(live_app, browser, artifacts):
    _, base = live_app
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_function("window.facilityCount !== undefined")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "map-375.png"))
    context.close()
