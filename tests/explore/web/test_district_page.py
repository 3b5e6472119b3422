"""The district page: totals by year and type, per resident, execution rate, chart, facilities."""

import re

import pytest

from tests.explore.web.chart_svg import svg_chart
from tests.helpers import GOOD_ROWS, budget_csv

EVIL_NAME = '<script>alert("kk")</script>'
TURKESTAN = "611000000"
CLINIC_2025 = "K1;Емхана;Поликлиника;clinic;43,297;68,2518;2025;equipment;3 000 000;3 000 000"
EVIL_2024 = f"E1;{EVIL_NAME};Школа & сад;school;43,297;68,2518;2024;equipment;1 000;"


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*GOOD_ROWS, CLINIC_2025, EVIL_2024))


def get(client, path, lang="en"):
    response = client.get(path, headers={"Accept-Language": lang})
    return response, response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def total(html: str, name: str) -> str:
    return re.search(rf'data-total="{name}">([^<]*)<', html).group(1)


def test_district_page_shows_the_latest_year_by_default(client, published):
    response, html = get(client, f"/district/{TURKESTAN}")
    assert response.status_code == 200
    assert "<h1>Turkestan</h1>" in html
    assert "248,160" in html  # population
    assert f'<a href="/district/{TURKESTAN}?year=2025" aria-current="page">2025</a>' in html
    # 2025 in Turkestan: T1 125 000 000,50 (paid 60 000 000) and K1 3 000 000 (paid 3 000 000)
    assert total(html, "allocated") == "128,000,001 ₸"
    assert total(html, "paid") == "63,000,000 ₸"
    assert total(html, "execution") == "49.2%"  # 63 000 000 / 128 000 000,50
    assert total(html, "per-resident") == "516 ₸"  # 12 800 000 050 tiyn / 248 160 residents
    assert total(html, "paid-per-resident") == "254 ₸"
    assert total(html, "facilities") == "2"


def test_district_page_tables_by_type_all_years_and_facilities(client, published):
    _, html = get(client, f"/district/{TURKESTAN}")
    by_type = html[html.index('class="by-type"'):]
    by_type = by_type[:by_type.index("</table>")]
    assert by_type.index("School") < by_type.index("Clinic")  # most allocated first
    assert "125,000,001 ₸" in by_type and "3,000,000 ₸" in by_type and "100%" in by_type
    years = html[html.index('id="district-years"'):]
    years = years[:years.index("</table>")]
    assert years.count('<tr class="year-total"') == 2
    assert years.index(">2025</a>") < years.index(">2024</a>")
    assert "5,001,000 ₸" in years  # 2024: T1 5 000 000 + E1 1 000
    facilities = html[html.index('class="facility-list"'):]
    assert re.findall(r'href="/facility/(\w+)"', facilities) == ["T1", "K1", "E1"]  # E1: nothing in 2025
    e1_row = facilities[facilities.index('href="/facility/E1"'):]
    assert e1_row[:e1_row.index("</tr>")].count("—") == 2


def test_chart_is_drawn_on_the_server_with_the_year_table_figures(client, published):
    _, html = get(client, f"/district/{TURKESTAN}")
    chart = svg_chart(html, "district-chart")
    assert chart["years"] == ["2024", "2025"]
    assert chart["legend"] == ["Allocated", "Paid"]
    assert chart["bars"][("2025", "allocated")][0] == "2025 · Allocated: 128,000,001 ₸"
    assert chart["bars"][("2024", "paid")][0] == "2024 · Paid: 5,000,000 ₸"
    assert chart["unit"] == "Million KZT" and chart["ticks"] == ["0", "50", "100", "150"]  # the axis reads 0 ... 150
    assert ("2025: allocated 128,000,001 ₸, paid 63,000,000 ₸. 2024: allocated 5,001,000 ₸, paid 5,000,000 ₸."
            == chart["desc"])
    assert 'role="img"' in chart["svg"] and 'aria-describedby="district-chart-desc"' in chart["svg"]
    # The tallest bar is the largest amount: 128 of the axis' 150 million.
    heights = {key: height for key, (_, height) in chart["bars"].items()}
    assert max(heights, key=heights.get) == ("2025", "allocated")
    assert heights[("2025", "allocated")] / heights[("2025", "paid")] == pytest.approx(128 / 63, rel=0.02)
    _, shardara = get(client, "/district/616400000")
    assert svg_chart(shardara, "district-chart")["unit"] == "KZT"  # nothing allocated there
    assert "chart.umd.min.js" not in html and "charts.js" not in html and "<canvas" not in html


def test_year_parameter_selects_the_year_and_unknown_years_fall_back(client, published):
    _, html = get(client, f"/district/{TURKESTAN}?year=2024")
    assert 'aria-current="page">2024</a>' in html
    assert total(html, "allocated") == "5,001,000 ₸"
    assert total(html, "execution") == "100%"
    facilities = html[html.index('class="facility-list"'):]
    assert re.findall(r'href="/facility/(\w+)"', facilities) == ["T1", "E1", "K1"]
    _, fallback = get(client, f"/district/{TURKESTAN}?year=1999")
    assert 'aria-current="page">2025</a>' in fallback
    _, garbage = get(client, f"/district/{TURKESTAN}?year=abc")
    assert 'aria-current="page">2025</a>' in garbage


def test_links_to_the_map_and_the_table_of_the_district(client, published):
    _, html = get(client, f"/district/{TURKESTAN}")
    assert f'href="/?district={TURKESTAN}">Show on the map</a>' in html
    assert f'href="/facilities?district={TURKESTAN}">Show as a table</a>' in html


def test_district_without_facilities_shows_zeros(client, published):
    _, html = get(client, "/district/616400000")  # Shardara
    assert "<h1>Shardara</h1>" in html
    assert total(html, "allocated") == "0 ₸"
    assert total(html, "execution") == "—"
    assert "No budget lines in this year." in html


def test_district_page_before_any_publication(client):
    response, html = get(client, f"/district/{TURKESTAN}")
    assert response.status_code == 200
    assert "No budget data has been published yet." in html
    assert "<canvas" not in html


def test_names_in_the_chosen_language_and_user_text_escaped(client, published):
    _, russian = get(client, f"/district/{TURKESTAN}", lang="ru")
    assert '<html lang="ru">' in russian and "<h1>Туркестан</h1>" in russian
    assert "Выделено" in russian
    _, kazakh = get(client, f"/district/{TURKESTAN}", lang="kk")
    assert "<h1>Түркістан</h1>" in kazakh
    assert "<script>alert" not in kazakh
    assert "&lt;script&gt;alert(&#34;kk&#34;)&lt;/script&gt;" in kazakh


def test_unknown_district_is_a_404_in_the_chosen_language(client, published):
    for path in ("/district/999999999", "/district/<b>x</b>"):
        response, html = get(client, path, lang="ru")
        assert response.status_code == 404
        assert '<html lang="ru">' in html and "Страница не найдена" in html
        assert "<b>x</b>" not in html
    response, html = get(client, "/district/000000000")
    assert response.status_code == 404 and "There is no such district." in html


def test_district_page_makes_no_request_outside_the_app(client, published):
    _, html = get(client, f"/district/{TURKESTAN}")
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") or u.startswith("#") for u in urls)
    assert re.findall(r"https?://", html) == []
    assert "onclick" not in html and "onchange" not in html
