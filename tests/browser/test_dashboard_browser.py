"""The dashboard in a real browser on the demo data: every chart painted from the app's own
Chart.js, the same figures as its table, filters, a CSV download, accessible, phone width.

Reads only: the live app is shared by every browser test."""

import pytest

from tests.browser.conftest import wait_for_function
from tests.browser.page_checks import serious_accessibility_violations
from tests.browser.test_pages_browser import no_horizontal_scroll, outside_requests

# Pixels of one colour on a canvas: proves the bars were really painted, not just the axes (the
# dashboard's charts are Chart.js canvases; the facility and district pages draw SVG).
COUNT_COLOUR = """([selector, rgb]) => {
    const canvas = document.querySelector(selector);
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - rgb[0]) < 4 && Math.abs(data[i + 1] - rgb[1]) < 4
            && Math.abs(data[i + 2] - rgb[2]) < 4 && data[i + 3] > 200) { count++; }
    }
    return count;
}"""
ALLOCATED_RGB, PAID_RGB = [0x00, 0x72, 0xB2], [0xD5, 0x5E, 0x00]


def wait_for_bars(page, selector):
    for colour in (ALLOCATED_RGB, PAID_RGB):
        wait_for_function(page, f"({COUNT_COLOUR})([{selector!r}, {colour}]) > 50")

pytestmark = pytest.mark.browser

CHARTS = ("years", "districts", "facility-types", "work-types", "funding-sources")


def chart(page, slug, expression):
    return page.evaluate(f"Chart.getChart(document.getElementById('{slug}-chart')).{expression}")


def test_dashboard_draws_every_chart_with_the_table_figures(live_app, page, browser, artifacts):
    _, base = live_app
    page.goto(f"{base}/dashboard")
    assert page.locator("h1").inner_text() == "Budget dashboard"
    for slug in CHARTS:
        wait_for_bars(page, f"#{slug}-chart")
    assert page.locator("canvas[data-chart-drawn]").count() == len(CHARTS)

    # Each chart has a bar per table row, labelled as the table's row headers.
    for slug in CHARTS:
        row_headers = page.locator(f"#{slug}-table tbody th").all_inner_texts()
        assert chart(page, slug, "data.labels") == row_headers, slug
        assert chart(page, slug, "options.indexAxis") == ("x" if slug == "years" else "y")
    assert chart(page, "facility-types", "data.datasets.map(d => d.label)") == ["Allocated", "Paid"]
    assert chart(page, "districts", "data.datasets.map(d => d.label)") == ["Allocated per resident",
                                                                          "Paid per resident"]
    texts = page.evaluate("JSON.parse(document.getElementById('work-types-chart-data').textContent)"
                          ".series[0].texts")
    assert texts == page.locator('#work-types-table tbody td[data-field="allocated"]').all_inner_texts()

    page.screenshot(path=str(artifacts / "dashboard-1280.png"), full_page=True)
    assert serious_accessibility_violations(page) == []

    # A filter of the shared form: only schools, and the figures follow.
    before = page.locator('[data-total="allocated"]').inner_text()
    page.select_option("#f-type", "school")
    page.locator("#filters button[type=submit]").click()
    page.wait_for_url("**type=school**")
    wait_for_bars(page, "#facility-types-chart")
    assert page.locator("#facility-types-table tbody th").all_inner_texts() == ["School"]
    assert page.locator('[data-total="allocated"]').inner_text() != before
    assert chart(page, "facility-types", "data.labels") == ["School"]

    # The table's CSV comes from the app, ready for Excel.
    with page.expect_download() as download:
        page.locator('a[href^="/dashboard/facility-types.csv"][href$="format=excel"]').click()
    path = download.value.path()
    with open(path, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"\xef\xbb\xbf") and "School" in content.decode("utf-8")
    assert download.value.suggested_filename.startswith("dashboard-facility-types-")

    assert outside_requests(page) == []
    assert page.console_errors == []
    width = no_horizontal_scroll(browser, f"{base}/dashboard", artifacts / "dashboard-375.png",
                                 chart="canvas[data-chart-drawn]")
    assert width <= 375
