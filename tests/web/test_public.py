"""Public pages: map, facility, format, templates, language switch, errors."""

import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import GOOD_ROWS, budget_csv

EVIL_NAME = '<script>alert("kk")</script>'


@pytest.fixture()
def published(publish_csv):
    rows = [*GOOD_ROWS, f"E1;{EVIL_NAME};Школа & сад;school;43,297;68,2518;2025;equipment;1 000;"]
    return publish_csv(budget_csv(*rows))


def map_data(html: str) -> dict:
    match = re.search(r"var data = (\{.*?\});\n", html)
    return json.loads(match.group(1))


def district_katos(html: str) -> set[str]:
    return set(re.findall(r'"kato": "(\d{9})"', html))


def test_map_page_without_data_still_shows_the_17_districts(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(district_katos(html)) == 17
    assert "No budget data has been published yet." in html


def test_map_page_shows_published_facilities_for_the_latest_year(client, published):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert len(district_katos(html)) == 17
    data = map_data(html)
    assert sorted(data["id"]) == ["E1", "S1", "T1"]
    assert '<option value="2025" selected>' in html
    assert 'data-total="allocated">137,001,001 ₸<' in html  # 125 000 000,50 + 12 000 000 + 1 000


def test_year_parameter_switches_the_data(client, published):
    html = client.get("/?year=2024", headers={"Accept-Language": "en"}).get_data(as_text=True)
    data = map_data(html)
    assert dict(zip(data["id"], data["funded"])) == {"E1": 0, "S1": 0, "T1": 1}  # all listed, T1 funded
    assert data["values"]["allocated"][data["id"].index("T1")] == "5,000,000 ₸"
    assert data["values"]["allocated"][data["id"].index("S1")] == ""
    assert 'data-total="facilities">1<' in html
    unknown = client.get("/?year=1999", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="2025" selected>' in unknown


def test_page_makes_no_request_outside_the_app(client, published):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") or u.startswith("#") for u in urls)
    assert re.findall(r"https?://", html) == []


def test_user_text_is_escaped_on_map_and_facility_pages(client, published):
    for path in ("/", "/facility/E1"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html
    facility = client.get("/facility/E1", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;kk&#34;)&lt;/script&gt;" in facility


def test_facility_page_lists_lines_by_year(client, published):
    html = client.get("/facility/T1", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Школа №1" in html
    assert html.index('id="year-2025"') < html.index('id="year-2024"')
    assert html.count("<tr>") == 1 + 1 + 2  # two year tables: header rows + one line each
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
    from data.budget_format import COLUMNS

    html = client.get("/budget-format", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in html
    assert "Постоянный идентификатор объекта" in html
