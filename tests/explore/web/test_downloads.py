"""Residents' downloads of the facility table and the dashboard: headers in the page's language,
exact tenge, and the layout Excel needs in Kazakh and Russian (semicolons, decimal commas, BOM);
the open data CSV under /api stays as it was (codes, tiyn)."""

import csv
import io
import re

import pytest

from tests.helpers import HEADER, budget_csv

FULL_HEADER = HEADER + ";status;physical_progress_pct"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000,07;in_progress;40,5",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;100",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;0,01;;planned;",
    "K1;=HYPERLINK(\"x\");=HYPERLINK(\"x\");clinic;43,297;68,2518;2025;equipment;90 071 992 547 409,93;;;",
)


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=FULL_HEADER))


def download(client, path, lang):
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # UTF-8 with BOM: Excel reads the letters right
    return response


def rows_of(response, delimiter):
    return list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:], newline=""), delimiter=delimiter))


def test_facility_table_in_english_has_commas_and_exact_tenge(client, published):
    response = download(client, "/facilities.csv", "en")
    assert response.headers["Content-Disposition"] == 'attachment; filename="facilities-2025.csv"'
    header, *body = rows_of(response, ",")
    assert header == ["Identifier", "Name", "Type", "District", "Fiscal year", "Allocated, KZT",
                      "Contracted, KZT", "Paid, KZT", "Progress, %", "Status"]
    by_id = {row[0]: row for row in body}
    assert by_id["T1"] == ["T1", "Школа №1", "School", "Turkestan", "2025", "125000000.50", "", "60000000.07",
                           "40.5", "In progress"]
    assert by_id["S1"][5] == "0.01"  # one tiyn
    assert by_id["K1"][5] == "90071992547409.93"  # beyond a float's 15-16 digits, still exact
    assert by_id["K1"][1] == "'=HYPERLINK(\"x\")"  # a name is never run as a formula
    assert response.data.count(b"\r\n") == 4


@pytest.mark.parametrize("lang, header", [
    ("ru", ["Идентификатор", "Название", "Тип", "Район", "Финансовый год", "Выделено, тенге"]),
    ("kk", ["Идентификатор", "Атауы", "Түрі", "Аудан", "Қаржы жылы", "Бөлінген, теңге"]),
])
def test_facility_table_in_kazakh_and_russian_is_laid_out_for_their_excel(client, published, lang, header):
    response = download(client, "/facilities.csv", lang)
    assert response.data.decode("utf-8")[1:].split("\r\n")[0].count(";") == 9
    rows = rows_of(response, ";")
    assert rows[0][:6] == header
    t1 = next(row for row in rows if row[0] == "T1")
    assert t1[5:9] == ["125000000,50", "", "60000000,07", "40,5"]  # decimal commas: numbers in that Excel
    assert t1[1] == {"ru": "Школа №1", "kk": "№1 мектеп"}[lang]


def test_the_other_layout_on_request_whatever_the_language(client, published):
    rows = rows_of(download(client, "/facilities.csv?format=commas", "ru"), ",")
    assert rows[0][5] == "Выделено, тенге" and next(r for r in rows if r[0] == "T1")[5] == "125000000.50"
    rows = rows_of(download(client, "/facilities.csv?format=excel", "en"), ";")
    assert next(r for r in rows if r[0] == "T1")[5] == "125000000,50"


def test_the_download_follows_the_tables_filter_and_order(client, published):
    rows = rows_of(download(client, "/facilities.csv?type=school&year=2024", "en"), ",")
    assert [row[0] for row in rows[1:]] == ["T1"] and rows[1][4:6] == ["2024", "5000000.00"]
    rows = rows_of(download(client, "/facilities.csv?sort=allocated&order=desc", "en"), ",")
    assert [row[0] for row in rows[1:]] == ["K1", "T1", "S1"]
    assert client.get("/facilities.csv?type=castle").status_code == 400


def test_before_any_publication_there_is_nothing_to_download(client):
    assert client.get("/facilities.csv").status_code == 404


def test_an_unchanged_download_is_answered_304(client, published):
    response = download(client, "/facilities.csv", "ru")
    assert "Accept-Language" in response.headers["Vary"] and response.headers["Cache-Control"] == "no-cache"
    again = client.get("/facilities.csv", headers={"Accept-Language": "ru", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("lang, first", [("ru", "excel"), ("kk", "excel"), ("en", "commas")])
def test_the_pages_offer_both_layouts_their_languages_first(client, published, lang, first):
    html = client.get("/facilities?type=school", headers={"Accept-Language": lang}).get_data(as_text=True)
    links = re.findall(r'href="/facilities\.csv\?year=2025&amp;type=school&amp;sort=name&amp;order=asc&amp;format=(\w+)"',
                       html)
    assert links[0] == first and sorted(links) == ["commas", "excel"]
    html = client.get("/dashboard", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert re.findall(r'href="/dashboard/years\.csv\?year=2025&amp;format=(\w+)"', html)[0] == first


def test_the_dashboards_tables_too(client, published):
    rows = rows_of(download(client, "/dashboard/years.csv", "ru"), ";")
    assert rows[0][:2] == ["Финансовый год", "Выделено, тенге"]
    assert rows[-1][:2] == ["2025", "90072117547410,44"]  # 125 000 000,50 + 0,01 + 90 071 992 547 409,93
    rows = rows_of(download(client, "/dashboard/years.csv", "en"), ",")
    assert rows[-1][:2] == ["2025", "90072117547410.44"]


def test_the_open_data_csv_is_unchanged(client, published):
    rows = rows_of(download(client, "/api/v1/facilities.csv", "ru"), ",")
    assert "allocated_tiyn" in rows[0] and "facility_id" in rows[0]
    t1 = dict(zip(rows[0], next(r for r in rows if r[0] == "T1")))
    assert t1["allocated_tiyn"] == "12500000050" and t1["facility_type"] == "school"
