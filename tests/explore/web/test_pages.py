"""Public pages: map, facility, format, templates, language switch, errors."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.helpers import GOOD_ROWS, budget_csv

EVIL_NAME = '<script>alert("kk")</script>'


@pytest.fixture()
def published(publish_csv):
    rows = [*GOOD_ROWS, f"E1;{EVIL_NAME};Школа & сад;school;43,297;68,2518;2025;equipment;1 000;"]
    return publish_csv(budget_csv(*rows))


def district_katos(html: str) -> set[str]:
    return set(re.findall(r'"kato": "(\d{9})"', html))


def test_map_page_without_data_still_shows_the_17_districts(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(district_katos(html)) == 17
    assert "No budget data has been published yet." in html


def test_map_page_is_of_fixed_size_and_shows_the_selections_totals(client, published):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert len(district_katos(html)) == 17
    assert "T1" not in html and "Школа №1" not in html  # facilities come from /map/facilities.json
    assert '<option value="2025" selected>' in html
    assert 'data-total="allocated">137,001,001\u00a0₸<' in html  # 125 000 000,50 + 12 000 000 + 1 000
    assert 'data-total="facilities">3<' in html and 'data-total="funded">3<' in html
    assert 'href="/facilities?year=2025"' in html  # the table view of the same selection


def test_map_page_keeps_the_filters_of_its_url(client, published):
    html = client.get("/?year=2024&type=school&q=Школа&metric=paid", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="2024" selected>' in html
    assert '<option value="school" selected>' in html
    assert 'value="Школа"' in html and 'value="paid" checked' in html
    assert 'data-total="allocated">5,000,000\u00a0₸<' in html
    assert 'data-total="facilities">2<' in html and 'data-total="funded">1<' in html  # T1, and E1 without money
    unknown = client.get("/?year=1999&type=castle", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="2025" selected>' in unknown and 'data-total="facilities">3<' in unknown


def test_map_page_answers_304_when_nothing_changed(client, published, publish_csv):
    first = client.get("/")
    assert first.headers["Cache-Control"] == "no-cache"
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    publish_csv(budget_csv(GOOD_ROWS[0]))
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_page_makes_no_request_outside_the_app(client, published):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") or u.startswith("#") for u in urls)
    assert re.findall(r"https?://", html) == []


def test_user_text_is_escaped_on_map_and_facility_pages(client, published):
    for path in ("/", "/facility/E1", "/facilities"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html
    facility = client.get("/facility/E1", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;kk&#34;)&lt;/script&gt;" in facility


def test_facility_page_lists_lines_by_year(client, published):
    html = client.get("/facility/T1", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Школа №1" in html
    assert html.index('id="year-2025"') < html.index('id="year-2024"')
    assert html.count('<tr class="line">') == 2  # two year tables, one budget line each
    assert "125 000 001 ₸" in html.replace("\u00a0", " ")  # 125 000 000,50 KZT, rounded for display


def test_unknown_facility_is_a_404_in_the_chosen_language(client, published):
    response = client.get("/facility/NOPE", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "There is no such page or facility." in response.get_data(as_text=True)


def test_language_switch_remembers_the_choice_and_returns(client, published):
    response = client.get("/language/ru?next=/facility/T1")
    assert response.status_code == 302 and response.headers["Location"] == "/facility/T1"
    html = client.get("/facility/T1").get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert client.get("/language/xx").status_code == 404


def test_language_switch_refuses_to_redirect_elsewhere(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_every_page_has_the_language_switch(client, published):
    for path in ("/", "/facility/T1", "/budget-format", "/nope"):
        html = client.get(path).get_data(as_text=True)
        for code in ("kk", "ru", "en"):
            assert f'href="/language/{code}?next=' in html


def test_templates_download_and_read_back(client):
    csv = client.get("/budget-template.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.startswith("\ufeff".encode()) and b"facility_id;facility_name_kk" in csv.data
    xlsx = client.get("/budget-template.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == ["budget", "columns"]


def test_budget_format_page_lists_every_column(client):
    from budget.format import COLUMNS

    html = client.get("/budget-format", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in html
    assert "Постоянный идентификатор объекта" in html
