"""The map in a real browser: drawn offline, filters and URL state, popups, languages, phones."""

from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest

from core import versions
from explore import queries
from explore.filters import FacilityFilter, select_facilities
from tests.browser.conftest import wait_for_function
from tests.browser.page_checks import serious_accessibility_violations

pytestmark = pytest.mark.browser

STATE = "window.OpenBudgetMap && window.OpenBudgetMap.state"
DISTRICT_FILLS = f"{STATE}.districts.getLayers().map(d => d.options.fillColor)"


def expected(app, **filters):
    """(facilities the filter selects, those with money) straight from the read model."""
    with app.extensions["engine"].connect() as connection:
        version = versions.latest_version(connection)["id"]
        years = versions.fiscal_years(connection, version)
        facility_filter = FacilityFilter(**{"year": years[-1], **filters})
        rows = select_facilities(queries.facility_rows(connection, version, facility_filter), facility_filter)
    return rows, sum(1 for r in rows if r["lines"]), years


def wait_until_drawn(page, loads=1):
    wait_for_function(page, f"{STATE} && {STATE}.ready && {STATE}.loads >= {loads}")


def state(page, key):
    return page.evaluate(f"{STATE}.{key}")


def open_map(page, base, path="/"):
    page.goto(base + path)
    wait_until_drawn(page)


def click_on_map(page, lat, lon):
    """A real mouse click where the point (lat, lon) is drawn on the map's canvas."""
    box = page.locator(".folium-map").bounding_box()
    point = page.evaluate(f"{STATE}.map.latLngToContainerPoint([{lat}, {lon}])")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def outside_requests(page):
    return [u for u in page.requests if urlparse(u).hostname != "127.0.0.1"]


def test_map_draws_17_districts_and_every_facility_offline(live_app, page, artifacts):
    app, base = live_app
    open_map(page, base)
    rows, funded, _ = expected(app)
    assert len(page.evaluate(DISTRICT_FILLS)) == 17
    assert state(page, "facilityCount") == len(rows) == 600
    assert state(page, "fundedCount") == funded and 100 < funded < 600
    drawn = page.evaluate(f"{STATE}.visibleMarkers") + page.locator(".facility-cluster").count()
    assert drawn > 0 and page.locator(".facility-cluster").count() > 0  # grouped at region zoom
    cluster_total = sum(int(t) for t in page.locator(".facility-cluster span").all_inner_texts())
    assert cluster_total + state(page, "visibleMarkers") == 600  # the whole region is in view
    assert page.locator('[data-total="facilities"]').inner_text() == "600"
    assert page.locator(".map-legend li").count() >= 2
    assert len(set(page.evaluate(DISTRICT_FILLS))) >= 3  # the choropleth coloured the districts
    assert page.locator(".demo-notice").is_visible()
    assert "OpenStreetMap contributors" in page.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(artifacts / "map-1280.png"))
    assert outside_requests(page) == []
    assert page.console_errors == []
    assert serious_accessibility_violations(page) == []


def test_a_filter_shows_the_expected_facilities_and_totals(live_app, page):
    app, base = live_app
    first_year = years_of(app)[0]
    rows, funded, _ = expected(app, facility_type="school", year=first_year)
    open_map(page, base, f"/?year={first_year}&type=school")
    assert state(page, "facilityCount") == len(rows) and state(page, "fundedCount") == funded
    assert page.locator('[data-total="facilities"]').inner_text() == str(len(rows))
    assert page.locator("#f-type").input_value() == "school"


def years_of(app):
    with app.extensions["engine"].connect() as connection:
        return versions.fiscal_years(connection, versions.latest_version(connection)["id"])


def test_changing_year_and_type_changes_markers_totals_and_the_url(live_app, page):
    app, base = live_app
    open_map(page, base)
    _, funded_latest, years = expected(app)
    total_before = page.locator('[data-total="allocated"]').inner_text()
    page.select_option("#f-year", str(years[0]))
    wait_until_drawn(page, 2)
    _, funded_first, _ = expected(app, year=years[0])
    assert funded_first != funded_latest
    assert state(page, "fundedCount") == funded_first
    assert page.locator('[data-total="allocated"]').inner_text() != total_before
    page.select_option("#f-type", "kindergarten")
    wait_until_drawn(page, 3)
    kindergartens, _, _ = expected(app, year=years[0], facility_type="kindergarten")
    assert state(page, "facilityCount") == len(kindergartens) < 600
    query = parse_qs(urlparse(page.url).query)
    assert query["year"] == [str(years[0])] and query["type"] == ["kindergarten"]
    assert "#map=" in page.url
    table_link = urlparse(page.locator("#table-link").get_attribute("href"))
    assert parse_qs(table_link.query) == {"year": [str(years[0])], "type": ["kindergarten"]}
    page.fill("#f-q", "zzz-no-such-name")
    wait_for_function(page, f"{STATE}.facilityCount === 0 && {STATE}.ready")
    assert page.locator('[data-total="facilities"]').inner_text() == "0"
    assert page.console_errors == []


def test_a_copied_link_reproduces_filters_and_view(live_app, page):
    app, base = live_app
    years = years_of(app)
    link = f"/?year={years[1]}&work=capital_repair&metric=paid#map=10/42.3200/69.5900"
    open_map(page, base, link)
    assert page.locator("#f-year").input_value() == str(years[1])
    assert page.locator("#f-work").input_value() == "capital_repair"
    assert page.locator('input[name="metric"][value="paid"]').is_checked()
    assert page.evaluate(f"{STATE}.map.getZoom()") == 10
    centre = page.evaluate(f"(() => {{ const c = {STATE}.map.getCenter(); return [c.lat, c.lng]; }})()")
    assert centre == pytest.approx([42.32, 69.59], abs=1e-3)
    rows, _, _ = expected(app, year=years[1], work_type="capital_repair")
    assert state(page, "facilityCount") == len(rows)
    assert page.locator(".map-legend summary").inner_text().startswith("Paid in")


def test_hovering_a_district_shows_its_figures(live_app, page):
    _, base = live_app
    open_map(page, base, "/#map=9/41.0/68.3")
    box = page.locator(".folium-map").bounding_box()
    # Open steppe in the view's upper left: a district, but no facility or group under the mouse.
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.25, steps=3)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "per resident" in tooltip.inner_text()


def test_popup_opens_on_click_shows_the_year_and_links_to_the_facility_page(live_app, page):
    app, base = live_app
    rows, _, years = expected(app)
    counts = Counter((r["lat"], r["lon"]) for r in rows)
    target = next(r for r in rows if r["lines"] and counts[(r["lat"], r["lon"])] == 1)
    open_map(page, base, f"/#map=18/{target['lat']}/{target['lon']}")
    click_on_map(page, target["lat"], target["lon"])
    popup = page.locator(".leaflet-popup-content .facility-popup")
    popup.locator("a.popup-facility").wait_for()
    assert popup.locator("strong").inner_text() == (target["name_en"] or target["name_ru"] or target["name_kk"])
    assert "Allocated" in popup.inner_text()
    link = popup.locator("a.popup-facility")
    assert link.get_attribute("href") == f"/facility/{target['facility_id']}"
    link.click()
    page.wait_for_load_state()
    assert target["facility_id"] in page.locator("main").inner_text()
    assert page.console_errors == []


def test_script_in_a_facility_name_never_runs(live_app, browser):
    app, base = live_app
    from budget.publish import import_budget_file, rollback
    from tests.helpers import budget_csv

    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    content = budget_csv(f"XSS1;{payload};{payload};school;41,2;67,9;2026;equipment;1;")
    geography = app.extensions["geography"]
    result = import_budget_file(app.extensions["engine"], content, "xss.csv", geography.districts, actor="test")
    assert result.ok
    try:
        context = browser.new_context(locale="ru-RU")
        page = context.new_page()
        page.goto(base + "/?year=2026&q=onerror#map=18/41.2/67.9")
        wait_until_drawn(page)
        assert state(page, "facilityCount") == 1
        click_on_map(page, 41.2, 67.9)
        page.locator(".facility-popup a.popup-facility").wait_for()
        assert payload in page.locator(".facility-popup strong").inner_text()
        page.goto(base + "/facilities?year=2026&q=onerror")
        assert payload in page.locator("table").inner_text()
        page.goto(base + "/facility/XSS1")
        assert payload in page.locator("h1").inner_text()
        assert page.evaluate("window.__xss") is None
        context.close()
    finally:
        with app.extensions["engine"].begin() as connection:
            rollback(connection, result.version_id - 1, actor="test")


def test_language_switch_changes_the_page_and_keeps_the_selection(live_app, page):
    _, base = live_app
    open_map(page, base, "/?type=school")
    english = page.locator("#panel-title").inner_text()
    page.get_by_role("link", name="Русский").click()
    wait_until_drawn(page)
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("#panel-title").inner_text() != english
    assert page.locator("#f-type").input_value() == "school"
    page.get_by_role("link", name="Қазақша").click()
    wait_until_drawn(page)
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.locator(".map-legend summary").inner_text() != ""
    assert page.console_errors == []


def test_the_table_view_is_reachable_by_keyboard(live_app, page):
    _, base = live_app
    open_map(page, base, "/?type=hospital")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "table-link":
            break
    else:
        pytest.fail("the table link is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/facilities?**")
    assert "type=hospital" in page.url
    assert page.locator("table.facility-table tbody tr").count() > 0
    assert serious_accessibility_violations(page) == []


def test_unreachable_tiles_leave_a_plain_background(live_app, browser):
    app, base = live_app
    app.config["TILES_URL"] = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens there
    try:
        context = browser.new_context()
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        wait_until_drawn(page)
        assert page.locator("img.leaflet-tile").count() > 0
        assert len(page.evaluate(DISTRICT_FILLS)) == 17
        assert state(page, "facilityCount") == 600
        assert errors == []
        context.close()
    finally:
        app.config["TILES_URL"] = ""


def test_phone_width_has_no_horizontal_scroll_and_the_panel_opens(live_app, browser, artifacts):
    _, base = live_app
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "/")
    wait_until_drawn(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not page.locator("#f-year").is_visible()
    page.screenshot(path=str(artifacts / "map-375.png"))
    page.locator("#panel-toggle").tap()
    assert page.locator("#f-year").is_visible()
    assert page.locator("#panel-toggle").get_attribute("aria-expanded") == "true"
    size = page.locator("#f-year").bounding_box()
    assert size["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "map-375-panel.png"))
    context.close()
