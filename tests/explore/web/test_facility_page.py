"""The facility page: header with the district link, small map, chart, every line, what changed."""

import json
import re

import pytest

from budget.publish import rollback
from tests.explore.web.chart_svg import svg_chart
from tests.helpers import GOOD_ROWS, budget_csv, static_href

FULL_HEADER = ("facility_id;facility_name_kk;facility_name_ru;facility_name_en;facility_type;lat;lon;"
               "address;fiscal_year;work_type;budget_program_code;funding_source;amount_allocated;"
               "amount_contracted;amount_paid;contractor_name;contractor_bin;procurement_ref;start_date;"
               "end_date;status;physical_progress_pct;source_url;description")
EVIL = '<script>alert("x")</script>'
FULL_ROW = ("F1;Мектеп;Школа;School No. 5;school;43,297;68,2518;Тәуке хан даңғылы, 5;2025;capital_repair;"
            "261-015;oblast;125 000 000;118 400 000;{paid};{contractor};180340021791;12345678-ОК1;2025-04-01;"
            "2025-11-30;{status};{progress};https://goszakup.gov.kz/ru/announce/index/1;Шатырды ауыстыру")


def full_row(paid="60 000 000", contractor="ТОО «Құрылыс-Сервис»", status="in_progress", progress="45"):
    return FULL_ROW.format(paid=paid, contractor=contractor, status=status, progress=progress)


@pytest.fixture()
def two_versions(publish_csv):
    """Version 1 publishes F1's 2025 line; version 2 pays, finishes it and changes the contractor."""
    first = publish_csv(budget_csv(full_row(), header=FULL_HEADER))
    second = publish_csv(budget_csv(
        full_row(paid="118 400 000", contractor=f"ТОО {EVIL}", status="completed", progress="100"),
        "F1;Мектеп;Школа;School No. 5;school;43,297;68,2518;;2025;equipment;;district;2 000 000;;;;;;;;;;;",
        header=FULL_HEADER))
    return first, second


def get(client, path, lang="en"):
    response = client.get(path, headers={"Accept-Language": lang})
    return response, response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def section(html: str, start: str, end: str = "</section>") -> str:
    part = html[html.index(start):]
    return part[:part.index(end)]


def test_header_names_type_district_link_and_address(client, two_versions):
    response, html = get(client, "/facility/F1")
    assert response.status_code == 200
    assert "<h1>School No. 5</h1>" in html
    assert "<dd>School</dd>" in html
    assert '<dd><a href="/district/611000000">Turkestan</a></dd>' in html
    assert "Тәуке хан даңғылы, 5" in html
    _, kazakh = get(client, "/facility/F1", lang="kk")
    assert "<h1>Мектеп</h1>" in kazakh and ">Түркістан</a>" in kazakh


def test_name_falls_back_to_another_language(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))  # no English names
    _, html = get(client, "/facility/T1")
    assert "<h1>Школа №1</h1>" in html


def test_every_field_of_a_line_is_shown(client, two_versions):
    _, html = get(client, "/facility/F1")
    lines = section(html, 'id="year-2025"')
    assert lines.count('<tr class="line">') == 2
    for text in ("Capital repair", "Oblast budget", "261-015", "125,000,000 ₸", "118,400,000 ₸", "Completed",
                 "100%", "180340021791", "12345678-ОК1", "2025-04-01", "2025-11-30", "Шатырды ауыстыру",
                 'href="https://goszakup.gov.kz/ru/announce/index/1"', "Equipment", "District budget"):
        assert text in lines, text


def test_money_by_year_chart_drawn_on_the_server_and_table(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    _, html = get(client, "/facility/T1")
    chart = svg_chart(html, "facility-chart")
    assert chart["years"] == ["2024", "2025"] and chart["legend"] == ["Allocated", "Paid"]
    assert {key: title for key, (title, _) in chart["bars"].items()} == {
        ("2024", "allocated"): "2024 · Allocated: 5,000,000 ₸", ("2024", "paid"): "2024 · Paid: 5,000,000 ₸",
        ("2025", "allocated"): "2025 · Allocated: 125,000,001 ₸", ("2025", "paid"): "2025 · Paid: 60,000,000 ₸"}
    assert chart["desc"] == ("2025: allocated 125,000,001 ₸, paid 60,000,000 ₸. "
                             "2024: allocated 5,000,000 ₸, paid 5,000,000 ₸.")
    assert chart["title"] == "Allocated and paid by year, in tenge."
    assert chart["unit"] == "Million KZT" and chart["ticks"] == ["0", "50", "100", "150"]
    heights = {key: height for key, (_, height) in chart["bars"].items()}
    assert heights[("2025", "allocated")] == pytest.approx(heights[("2024", "allocated")] * 25, rel=0.02)
    assert 'role="img"' in chart["svg"] and 'aria-labelledby="facility-chart-title"' in chart["svg"]
    table = section(html, 'id="facility-years"', "</table>")
    assert table.index(">2025<") < table.index(">2024<")
    assert "125,000,001 ₸" in table and "48%" in table and "100%" in table
    # Nothing heavy on first paint: no chart library, no Leaflet, no inline script.
    assert "chart.umd.min.js" not in html and "charts.js" not in html and "<canvas" not in html
    assert "leaflet" not in re.sub(r'data-leaflet-(js|css)="[^"]*"', "", html)
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    assert " style=" not in section(html, '<div class="facility-head">', 'id="by-year"')
    assert " style=" not in section(html, '<section class="this-year"')


def test_chart_in_russian_and_kazakh_uses_their_number_style(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    _, russian = get(client, "/facility/T1", lang="ru")
    chart = svg_chart(russian, "facility-chart")
    assert chart["bars"][("2025", "allocated")][0] == "2025 · Выделено: 125 000 001 ₸"
    assert chart["legend"] == ["Выделено", "Оплачено"]
    _, kazakh = get(client, "/facility/T1", lang="kk")
    assert svg_chart(kazakh, "facility-chart")["bars"][("2025", "paid")][0].endswith(": 60 000 000 ₸")


def test_small_map_waits_behind_a_placeholder(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    _, html = get(client, "/facility/T1")
    head = html[:html.index("</head>")]
    assert "leaflet" not in head
    box = re.search(r'<div class="point-map" role="region"[^>]*>', html).group(0)
    assert 'data-point-map="/map/point/T1.js"' in box
    assert f'data-leaflet-js="{static_href(client, "vendor/leaflet/dist/leaflet.js")}"' in box
    assert f'data-leaflet-css="{static_href(client, "vendor/leaflet/dist/leaflet.css")}"' in box
    assert '<div class="folium-map" id="map_facility"></div>' in html
    placeholder = section(html, '<div class="point-map-placeholder">', "</div>")
    assert "43.29700, 68.25180" in placeholder
    assert '<a href="/#map=15/43.2970/68.2518">Show on the big map</a>' in html
    assert f'<script src="{static_href(client, "js/point_map.js")}" defer></script>' in html
    assert "user-scalable" not in html  # folium's zoom lock is left out


def test_small_map_script_is_local_and_carries_the_facility(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    response = client.get("/map/point/T1.js", headers={"Accept-Language": "ru"})
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert 'L.map(\n                "map_facility"' in script  # the div the page holds
    point = json.loads(re.search(r"var point = (\{.*?\});", script).group(1))
    assert point == {"lat": 43.297, "lon": 68.2518, "colour": "#0072b2", "name": "Школа №1"}
    assert "L.geoJSON(" in script  # the district's outline
    assert "tileLayer" not in script and "<script" not in script
    assert "Accept-Language" in response.headers["Vary"]
    again = client.get("/map/point/T1.js", headers={"Accept-Language": "ru", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    kazakh = client.get("/map/point/T1.js", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert '"name":"№1 мектеп"' in kazakh  # each language its own script
    assert client.get("/map/point/NOPE.js").status_code == 404


def test_small_map_uses_tiles_when_configured(app, client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    app.config["TILES_URL"] = "https://tiles.example/{z}/{x}/{y}.png"
    script = client.get("/map/point/T1.js").get_data(as_text=True)
    assert "https://tiles.example/{z}/{x}/{y}.png" in script and '"zoom": 15' in script


def test_what_changed_lists_versions_with_field_changes(client, two_versions):
    first, second = two_versions
    _, html = get(client, "/facility/F1")
    changes = section(html, 'id="changes"')
    versions = re.findall(r'data-version="(\d+)"', changes)
    assert versions == [str(second), str(first)]  # newest first
    newest = changes[changes.index(f'data-version="{second}"'):changes.index(f'data-version="{first}"')]
    assert f"Version {second} of " in newest and "Published file" in newest and "test.csv" in newest
    assert "<strong>Added:</strong> 2025 · Equipment · District budget" in newest
    assert "Allocated: 2,000,000 ₸" in newest
    changed = newest[newest.index('class="changed"'):]
    for label, before, after in (("Paid", "60,000,000 ₸", "118,400,000 ₸"), ("Status", "In progress", "Completed"),
                                 ("Progress", "45%", "100%"),
                                 ("Contractor", "ТОО «Құрылыс-Сервис»", "ТОО &lt;script&gt;")):
        assert re.search(rf'{label}: <span class="before">{re.escape(before)}</span>.*?'
                         rf'<span class="after">{re.escape(after)}', changed, re.S), label
    assert "Allocated:" not in changed  # unchanged fields are not listed
    oldest = changes[changes.index(f'data-version="{first}"'):]
    assert "First publication of this facility's budget lines: 1." in oldest
    assert "<script>alert" not in html


def test_a_rollback_shows_as_a_change_back(client, engine, two_versions):
    first, _ = two_versions
    with engine.begin() as connection:
        back = rollback(connection, first, actor="admin")
    _, html = get(client, "/facility/F1")
    newest = section(html, f'data-version="{back}"', "</li>\n    \n")
    assert f"Rollback to version {first}" in newest
    assert "<strong>Removed:</strong> 2025 · Equipment" in newest
    assert re.search(r'Paid: <span class="before">118,400,000 ₸</span>.*?<span class="after">60,000,000 ₸',
                     newest, re.S)


def test_facility_without_published_lines_has_no_chart_but_keeps_its_history(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("X1;Басқа;Другой;school;43,297;68,2518;2024;equipment;1;",
                           "X1;Басқа;Другой;school;43,297;68,2518;2025;equipment;1;"), mode="replace")
    _, html = get(client, "/facility/T1")  # both its years were replaced without it
    assert "No budget lines are published for this facility." in html
    assert "<canvas" not in html and "chart.umd.min.js" not in html
    assert html.count("<strong>Removed:</strong>") == 2  # ... and the history says so


def test_facility_page_makes_no_request_outside_the_app(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    _, html = get(client, "/facility/T1")
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") or u.startswith("#") for u in urls)
    assert re.findall(r"https?://", html) == []
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


def test_the_page_opens_with_the_years_money_as_steps_and_the_works_in_words(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    _, html = get(client, "/facility/T1")
    top = section(html, '<section class="this-year"')
    assert "Money in 2025" in top
    assert [m for m in re.findall(r'<div class="step (\w+)">', top)] [:3] == ["allocated", "contracted", "paid"]
    assert "125,000,001 ₸" in top and "60,000,000 ₸" in top
    assert re.search(r'<div class="step paid">.*?value="(\d+(\.\d+)?)"', top, re.S).group(1) == "48.0"
    # The resident's order: this year, risk flags, feedback, then the details and history.
    order = [html.index(marker) for marker in ('class="facility-actions"', 'class="this-year"', 'id="risk-flags"',
                                                'id="feedback"', 'id="details"', 'id="by-year"')]
    assert order == sorted(order)
    assert 'href="#feedback-form-heading"' in section(html, 'class="facility-actions"', "</div>")


def test_capacity_units_are_words_of_the_readers_language(client, publish_csv):
    from core.web.i18n import capacity_text
    with client.application.test_request_context(headers={"Accept-Language": "ru"}):
        assert capacity_text(200, "places").replace("\u00a0", " ") == "200 мест"
        assert capacity_text(1, "мест") == "1 место"
        assert capacity_text(1200, "beds").replace("\u00a0", " ") == "1 200 коек"
        assert capacity_text(30, "палаток") == "30 палаток"  # not a known unit: as the official wrote it
    with client.application.test_request_context(headers={"Accept-Language": "kk"}):
        assert capacity_text(200, "Places") == "200 орын"
        assert capacity_text(75, "visits per shift") == "ауысымына 75 келу"
