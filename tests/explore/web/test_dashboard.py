"""The dashboard: tables and charts for the map's filters, the year rule, CSV downloads that
match the page, languages, fresh figures after a publication."""

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from core.schema import districts
from tests.helpers import HEADER, budget_csv, static_href

FULL_HEADER = HEADER + ";status;funding_source;physical_progress_pct"
TURKESTAN, SARYAGASH = "611000000", "615400000"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000;in_progress;oblast;40",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;district;100",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;;planned;republican;",
    "K1;Емхана;Поликлиника;clinic;43,297;68,2518;2025;equipment;3 000 000;3 000 000;completed;oblast;100",
    "E1;Мектеп;Школа;school;43,297;68,2518;2024;construction;1 000;;suspended;;",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2023;equipment;2 000 000;2 000 000;completed;;",
)
TABLES = ("years", "districts", "facility-types", "work-types", "funding-sources")


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=FULL_HEADER))


def get(client, path, lang="en"):
    response = client.get(path, headers={"Accept-Language": lang})
    return response, response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def total(html: str, name: str) -> str:
    return re.search(rf'data-total="{name}">([^<]*)<', html).group(1)


def table(html: str, slug: str) -> dict[str, dict[str, str]]:
    """The body rows of one dashboard table: row key -> {field: shown text}."""
    match = re.search(rf'<table id="{slug}-table".*?</table>', html, re.S)
    assert match, slug
    body = match.group(0).split("<tbody>")[1].split("</tbody>")[0]
    return {key: dict(re.findall(r'data-field="([\w-]+)">([^<]*)<', row))
            for key, row in re.findall(r'<tr data-key="([^"]*)"[^>]*>(.*?)</tr>', body, re.S)}


def summary_totals(client, query: str) -> dict:
    totals = client.get(f"/map/summary.json{query}", headers={"Accept-Language": "en"}).json["totals"]
    return {key: value.replace("\u00a0", " ") for key, value in totals.items()}


def test_dashboard_shows_the_latest_year_and_every_table(client, published):
    response, html = get(client, "/dashboard")
    assert response.status_code == 200
    assert "<h1>Budget dashboard</h1>" in html
    assert 'aria-current="page">Dashboard</a>' in html  # the header's link
    assert total(html, "allocated") == "140,000,001 ₸"  # 2025: 125 000 000,50 + 12 000 000 + 3 000 000
    assert total(html, "paid") == "63,000,000 ₸"
    assert total(html, "execution") == "45%"
    assert total(html, "allocated-change") == "+2,699.4%"  # from 5 001 000 in 2024
    assert total(html, "facilities") == "3"
    for slug in TABLES:  # accessible tables: caption, header cells with scope, a chart described by them
        block = re.search(rf'<table id="{slug}-table".*?</table>', html, re.S).group(0)
        assert f'<caption id="{slug}-caption">' in block and '<th scope="col"' in block and '<th scope="row"' in block
        assert f'aria-describedby="{slug}-table"' in html
        assert f'href="/dashboard/{slug}.csv?year=2025&amp;format=commas"' in html
        assert f'href="/dashboard/{slug}.csv?year=2025&amp;format=excel"' in html
    assert "changes compare it with 2024 under the same filters" in html

    years = table(html, "years")
    assert list(years) == ["2023", "2024", "2025"]
    assert years["2023"]["allocated-change"] == "—"  # 2022 not published
    assert years["2024"] == {"allocated": "5,001,000 ₸", "contracted": "0 ₸", "paid": "5,000,000 ₸",
                             "execution": "100%", "allocated-change": "+150.1%",  # 150.05, half up
                             "paid-change": "+150%", "facilities": "2"}
    districts_table = table(html, "districts")
    assert list(districts_table) == [TURKESTAN, SARYAGASH]
    assert districts_table[TURKESTAN]["allocated-per-resident"] == "516 ₸"  # 12 800 000 050 tiyn / 248 160
    assert districts_table[TURKESTAN]["allocated-change"] == "+2,459.5%"  # from 5 001 000
    assert districts_table[SARYAGASH]["allocated-change"] == "—"  # nothing there in 2024
    assert f'href="/district/{TURKESTAN}?year=2025">Turkestan</a>' in html
    works = table(html, "work-types")
    assert list(works) == ["construction", "capital_repair", "current_repair", "equipment"]
    assert works["construction"]["allocated"] == "0 ₸" and works["construction"]["allocated-change"] == "-100%"
    funding = table(html, "funding-sources")
    assert list(funding) == ["republican", "oblast", "district", ""]  # "" = not specified (E1 in 2024)
    assert funding[""]["allocated"] == "0 ₸"
    assert ">Not specified</th>" in html


def test_the_charts_carry_the_table_figures(client, published):
    _, html = get(client, "/dashboard")
    chart = json.loads(re.search(r'id="facility-types-chart-data">(.*?)</script>', html, re.S).group(1))
    assert chart["horizontal"] is True and chart["labels"] == ["School", "Kindergarten", "Clinic"]
    allocated, paid = chart["series"]
    assert allocated["values"] == [125_000_001, 12_000_000, 3_000_000]
    assert [t.replace("\u00a0", " ") for t in allocated["texts"]] == [row["allocated"] for row in table(html, "facility-types").values()]
    per_resident = json.loads(re.search(r'id="districts-chart-data">(.*?)</script>', html, re.S).group(1))
    assert [s["label"] for s in per_resident["series"]] == ["Allocated per resident", "Paid per resident"]
    assert per_resident["series"][0]["texts"][0] == "516\u00a0₸"
    assert f'src="{static_href(client, "vendor/chart.js/dist/chart.umd.min.js")}"' in html


@pytest.mark.parametrize("query", ["", "?year=2024", "?work=equipment", "?type=school&funding=oblast",
                                   "?q=%D1%88%D0%BA%D0%BE%D0%BB%D0%B0", f"?district={SARYAGASH}&year=2023",
                                   "?status=completed", "?risk=any", "?year=2024&risk=any&type=school"])
def test_every_year_row_is_what_the_map_shows_for_that_year(client, published, query):
    _, html = get(client, f"/dashboard{query}")
    other = re.sub(r"[?&]year=\d+", "", query).lstrip("?&")
    for year, row in table(html, "years").items():
        expected = summary_totals(client, f"?year={year}" + (f"&{other}" if other else ""))
        assert (row["allocated"], row["paid"]) == (expected["allocated"], expected["paid"]), year
    expected = summary_totals(client, query or "?")  # and the selected year's totals are the map's
    assert (total(html, "allocated"), total(html, "paid"), total(html, "execution")) == (
        expected["allocated"], expected["paid"], expected["execution"])


def test_filters_change_the_figures(client, published):
    _, kindergartens = get(client, "/dashboard?type=kindergarten")
    assert total(kindergartens, "allocated") == "12,000,000 ₸"
    assert list(table(kindergartens, "facility-types")) == ["kindergarten"]
    assert table(kindergartens, "years")["2023"]["allocated"] == "2,000,000 ₸"
    _, oblast = get(client, "/dashboard?funding=oblast")
    assert total(oblast, "allocated") == "128,000,001 ₸"
    assert list(table(oblast, "funding-sources")) == ["oblast"]
    assert table(oblast, "years")["2024"]["allocated"] == "0 ₸"
    _, previous = get(client, "/dashboard?year=2024")
    assert total(previous, "allocated") == "5,001,000 ₸"
    assert list(table(previous, "years")) == ["2023", "2024", "2025"]  # every year, whatever the year filter
    assert 'data-key="2024" aria-current="true"' in previous
    _, first = get(client, "/dashboard?year=2023")
    assert total(first, "allocated-change") == "—"
    assert "2022 is not published, so there is no change to show" in first
    _, nothing = get(client, "/dashboard?type=hospital")
    assert total(nothing, "allocated") == "0 ₸" and "No budget lines match these filters in 2025." in nothing


def test_the_filter_form_is_the_maps(client, published):
    _, html = get(client, "/dashboard?type=school&work=capital_repair")
    form = re.search(r'<form method="get" action="/dashboard".*?</form>', html, re.S).group(0)
    for name in ("year", "q", "type", "district", "work", "status", "funding"):
        assert f'name="{name}"' in form
    assert '<option value="school" selected>' in form and '<option value="capital_repair" selected>' in form
    assert 'href="/?year=2025&amp;type=school&amp;work=capital_repair"' in html  # the same selection on the map


def csv_rows(client, path, lang="en", delimiter=","):
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:], newline=""), delimiter=delimiter))


def whole_tenge(text: str) -> str:
    return f"{int(Decimal(text).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,} ₸"


@pytest.mark.parametrize("slug", TABLES)
def test_csv_values_equal_the_pages(client, published, slug):
    query = "?year=2025&type=school" if slug == "districts" else "?year=2025"
    _, html = get(client, f"/dashboard{query}")
    shown = table(html, slug)
    rows = csv_rows(client, f"/dashboard/{slug}.csv{query}")
    header, body = rows[0], rows[1:]
    assert len(body) == len(shown)
    column = {name: header.index(name) for name in header}
    for row in body:
        key = row[0] if slug == "years" else row[column["Code"]]
        page = shown[key]
        assert whole_tenge(row[column["Allocated, KZT"]]) == page["allocated"]
        assert whole_tenge(row[column["Paid, KZT"]]) == page["paid"]
        execution = row[column["Paid / allocated, %"]]
        assert (f"{float(execution):g}%" if execution else "—") == page["execution"]
        assert row[column["Facilities funded"]] == page["facilities"]
        if slug == "districts":
            assert whole_tenge(row[column["Allocated per resident, KZT"]]) == page["allocated-per-resident"]
    if slug == "years":
        assert body[-1][:4] == ["2025", "140000000.50", "0.00", "63000000.00"]  # exact tenge, not rounded


def test_csv_neutralises_formulas_and_keeps_negative_numbers_numeric(client, published, engine):
    with engine.begin() as connection:  # a district name as a boundary file might carry it
        connection.execute(sa.update(districts).where(districts.c.kato == TURKESTAN)
                           .values(name_en='=HYPERLINK("http://evil")'))
    rows = csv_rows(client, "/dashboard/districts.csv?year=2025")
    turkestan = next(r for r in rows if r[1] == TURKESTAN)
    assert turkestan[0] == "'=HYPERLINK(\"http://evil\")"
    rows = csv_rows(client, "/dashboard/work-types.csv?year=2025")
    construction = next(r for r in rows if r[1] == "construction")
    assert construction[-2] == "-100.0"  # a number written by the app, not text


def test_csv_in_the_chosen_language(client, published):
    rows = csv_rows(client, "/dashboard/districts.csv", lang="ru", delimiter=";")  # Excel's layout there
    assert rows[0][:3] == ["Район", "Code" if rows[0][1] == "Code" else rows[0][1], "Население"]
    assert rows[1][:2] == ["Туркестан", TURKESTAN]


def test_csv_of_an_unknown_table_or_with_bad_parameters(client, published):
    assert client.get("/dashboard/secrets.csv").status_code == 404
    assert client.get("/dashboard/years.csv?type=castle").status_code == 400


def test_district_names_in_the_chosen_language(client, published):
    _, russian = get(client, "/dashboard", lang="ru")
    assert '<html lang="ru">' in russian and ">Туркестан</a>" in russian
    _, kazakh = get(client, "/dashboard", lang="kk")
    assert ">Түркістан</a>" in kazakh


def test_dashboard_before_any_publication(client):
    response, html = get(client, "/dashboard")
    assert response.status_code == 200
    assert "No budget data has been published yet." in html and "<canvas" not in html
    assert client.get("/dashboard/years.csv").status_code == 404


def test_a_new_publication_shows_at_once(client, published, publish_csv):
    _, before = get(client, "/dashboard")
    etag = client.get("/dashboard", headers={"Accept-Language": "en"}).headers["ETag"]
    assert client.get("/dashboard", headers={"Accept-Language": "en", "If-None-Match": etag}).status_code == 304
    publish_csv(budget_csv("S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;7 000 000;"),
                mode="replace")
    _, after = get(client, "/dashboard")
    assert total(before, "allocated") == "140,000,001 ₸" and total(after, "allocated") == "7,000,000 ₸"
    assert list(table(after, "years")) == ["2023", "2024", "2025"]  # other years are kept


def test_the_risk_filter_of_the_map_applies_year_by_year(client, publish_csv):
    publish_csv(budget_csv(
        "X1;Мектеп;Школа;school;43,297;68,2518;2025;current_repair;1 000 000;2 000 000;in_progress;oblast;50",
        "X1;Мектеп;Школа;school;43,297;68,2518;2024;equipment;400 000;400 000;completed;oblast;100",
        "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;equipment;5 000 000;5 000 000;completed;oblast;100",
        header=FULL_HEADER))
    _, html = get(client, "/dashboard?risk=paid_above_allocated")
    assert '<option value="paid_above_allocated" selected>' in html  # the map's form, with its new field
    assert total(html, "allocated") == "1,000,000 ₸"  # X1 only: paid twice its allocation in 2025
    years = table(html, "years")
    assert (years["2024"]["allocated"], years["2025"]["allocated"]) == ("0 ₸", "1,000,000 ₸")
    assert 'href="/dashboard/years.csv?year=2025&amp;risk=paid_above_allocated&amp;format=commas"' in html
    rows = csv_rows(client, "/dashboard/years.csv?year=2025&risk=paid_above_allocated")
    assert [r[1] for r in rows[1:]] == ["0.00", "1000000.00"]
