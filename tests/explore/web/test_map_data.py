"""The map's data endpoints and the table view: filters, gzip, ETags, escaping, fresh data."""

import gzip
import json

import pytest

from tests.helpers import GOOD_ROWS, HEADER, budget_csv

EVIL_NAME = '<script>alert("kk")</script>'
FULL_HEADER = HEADER + ";status;funding_source;physical_progress_pct"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000;in_progress;oblast;40",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;district;100",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;;planned;republican;",
    f"E1;{EVIL_NAME};Школа & сад;school;43,297;68,2518;2025;equipment;1 000;;suspended;oblast;",
)
EN = {"Accept-Language": "en"}


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=FULL_HEADER))


def columns(client, query=""):
    response = client.get(f"/map/facilities.json{query}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, response.data
    assert response.headers["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.data))


def cues(data):
    return {i: data["cues"][c] for i, c in zip(data["id"], data["cue"])}


def test_facility_columns_follow_the_year_and_mark_money_and_status(client, published):
    latest = columns(client)
    assert latest["year"] == 2025 and latest["version"] == published
    assert sorted(latest["id"]) == ["E1", "S1", "T1"]
    assert cues(latest) == {"T1": "in_progress", "S1": "planned", "E1": "stopped"}
    assert latest["types"][latest["type"][latest["id"].index("S1")]] == "kindergarten"
    assert cues(columns(client, "?year=2024")) == {"T1": "completed", "S1": "none", "E1": "none"}


def test_the_default_map_after_a_publication_comes_from_its_stored_view(app, client, published, monkeypatch):
    """A worker meeting a new version reads no facility rows for the map everybody opens first."""
    from explore import queries

    app.extensions.get("caches", {}).clear()  # as in a worker that has not served this version yet
    read = []
    real = queries.facility_rows
    monkeypatch.setattr(queries, "facility_rows", lambda *a, **k: read.append(a[2]) or real(*a, **k))
    page = client.get("/", headers=EN)
    assert page.status_code == 200 and 'data-total="funded">3<' in page.get_data(as_text=True)
    assert sorted(columns(client)["id"]) == ["E1", "S1", "T1"]
    assert client.get("/map/summary.json", headers=EN).json["counts"] == {"facilities": 3, "funded": 3}
    assert read == []
    assert sorted(columns(client, "?type=school")["id"]) == ["E1", "T1"]  # any other view is built
    assert len(read) == 1


@pytest.mark.parametrize("query, expected", [
    ("?type=kindergarten", {"S1"}), ("?work=equipment", {"S1", "E1"}), ("?status=suspended", {"E1"}),
    ("?funding=oblast", {"T1", "E1"}), ("?district=615400000", {"S1"}), ("?q=%D0%A1%D0%90%D0%94", {"S1", "E1"}),
    ("?year=2024&work=equipment", set()), ("?year=2024&type=school", {"T1", "E1"}),
])
def test_every_filter_narrows_the_facilities(client, published, query, expected):
    assert set(columns(client, query)["id"]) == expected


def test_unknown_filter_values_are_a_400_naming_them(client, published):
    response = client.get("/map/facilities.json?type=castle&year=1999")
    assert response.status_code == 400
    assert response.json == {"error": "bad_parameter", "parameters": ["year", "type"]}
    assert client.get("/map/summary.json?status=x").status_code == 400


def test_facility_data_is_plain_json_for_clients_without_gzip(client, published):
    response = client.get("/map/facilities.json", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert sorted(response.json["id"]) == ["E1", "S1", "T1"]


def test_data_answers_304_until_a_new_version_is_published(client, published, publish_csv):
    first = client.get("/map/facilities.json", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert client.get("/map/facilities.json", headers={"If-None-Match": etag}).status_code == 304
    other_filter = client.get("/map/facilities.json?type=school", headers={"If-None-Match": etag})
    assert other_filter.status_code == 200
    publish_csv(budget_csv(GOOD_ROWS[2]), mode="replace")  # 2025 now holds only S1
    fresh = client.get("/map/facilities.json", headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert fresh.status_code == 200
    data = json.loads(gzip.decompress(fresh.data))
    assert cues(data)["T1"] == "none" and cues(data)["S1"] == "planned"  # never a stale cache


def test_summary_totals_legend_and_district_colours_follow_filters_and_metric(client, published):
    summary = client.get("/map/summary.json", headers=EN).json
    assert summary["totals"]["allocated"] == "137,001,001\u00a0₸"
    assert summary["totals"]["execution"] == "43.8%"  # 60 000 000 / 137 001 001
    assert summary["counts"] == {"facilities": 3, "funded": 3}
    assert len(summary["districts"]) == 17
    turkestan, saryagash = summary["districts"]["611000000"], summary["districts"]["615400000"]
    assert turkestan["label"].startswith("Turkestan: ") and "per resident" in turkestan["label"]
    assert turkestan["colour"] != summary["districts"]["612000000"]["colour"]  # Kentau got nothing
    assert summary["legend"]["title"] == "Allocated in 2025, million ₸"
    assert summary["legend"]["rows"][-1]["label"] == "No money in this selection"
    paid = client.get("/map/summary.json?metric=paid", headers=EN).json
    assert paid["legend"]["title"] == "Paid in 2025, million ₸"
    assert paid["districts"]["615400000"]["colour"] == "#d9d9d9"  # S1 paid nothing yet
    assert saryagash["colour"] != "#d9d9d9"
    per_resident = client.get("/map/summary.json?metric=per_resident", headers=EN).json
    assert per_resident["legend"]["title"] == "Allocated per resident in 2025, ₸"
    schools = client.get("/map/summary.json?type=kindergarten", headers=EN).json
    assert schools["totals"]["allocated"] == "12,000,000\u00a0₸" and schools["counts"]["facilities"] == 1


def test_summary_speaks_the_chosen_language(client, published):
    russian = client.get("/map/summary.json", headers={"Accept-Language": "ru"}).json
    assert russian["districts"]["611000000"]["label"].startswith("Туркестан")
    assert "\xa0" in russian["totals"]["allocated"] or " " in russian["totals"]["allocated"]


def test_popup_details_for_the_selected_year_without_contacts_or_markup(client, published):
    popup = client.get("/map/facility/T1.json?year=2025", headers=EN).json
    assert popup["name"] == "Школа №1" and popup["url"] == "/facility/T1" and popup["note"] == ""
    fields = {f["label"]: f["value"] for f in popup["fields"]}
    assert fields == {"Type": "School", "District": "Turkestan", "Allocated": "125,000,001\u00a0₸",
                      "Contracted": "—", "Paid": "60,000,000\u00a0₸", "Progress": "40%", "Status": "In progress",
                      "Feedback": "0 open, 0 answered"}
    assert popup["feedback"] == {"open": 0, "answered": 0, "total": 0, "label": "Leave feedback",
                                 "url": "/facility/T1#feedback-form-heading"}
    old = client.get("/map/facility/S1.json?year=2024", headers=EN).json
    assert old["note"] == "No money in 2024 for this selection." and len(old["fields"]) == 3
    evil = client.get("/map/facility/E1.json", headers={"Accept-Language": "kk"})
    assert evil.json["name"] == EVIL_NAME  # JSON text; map.js writes it with textContent
    assert evil.mimetype == "application/json"
    assert client.get("/map/facility/NOPE.json").status_code == 404


def test_table_lists_sorts_and_paginates_the_selection(client, published):
    html = client.get("/facilities?year=2025&sort=allocated&order=desc", headers=EN).get_data(as_text=True)
    assert html.index("Школа №1") < html.index("Детский сад") < html.index("Школа &amp; сад")
    assert "<script>alert" not in html
    assert 'aria-sort="descending"' in html
    assert "3 facilities, page 1 of 1." in html
    assert 'href="/?year=2025"' in html  # back to the map with the same selection
    narrowed = client.get("/facilities?type=kindergarten", headers=EN).get_data(as_text=True)
    assert "Детский сад" in narrowed and "Школа №1" not in narrowed and "1 facility, page 1 of 1." in narrowed
    empty = client.get("/facilities?year=2024&work=equipment", headers=EN).get_data(as_text=True)
    assert "No facility matches these filters." in empty


def test_table_pages_hold_50_rows(client, publish_csv):
    rows = [f"P{i:03};Мектеп {i:03};Школа {i:03};school;43,297;68,2518;2025;equipment;{i + 1};" for i in range(120)]
    publish_csv(budget_csv(*rows))
    first = client.get("/facilities", headers=EN).get_data(as_text=True)
    assert "120 facilities, page 1 of 3." in first and "Школа 049" in first and "Школа 050" not in first
    last = client.get("/facilities?page=3", headers=EN).get_data(as_text=True)
    assert "Школа 119" in last and "Школа 099" not in last and 'rel="prev"' in last and 'rel="next"' not in last
    beyond = client.get("/facilities?page=99", headers=EN).get_data(as_text=True)
    assert "page 3 of 3." in beyond


def test_table_without_data(client):
    html = client.get("/facilities", headers=EN).get_data(as_text=True)
    assert "No budget data has been published yet." in html
    assert client.get("/map/facilities.json").json["id"] == []


@pytest.mark.parametrize("path", ["/?year=%C2%B2", "/map/facilities.json?year=%C2%B2", "/facilities?year=%C2%B2",
                                  "/dashboard?year=%C2%B2", "/facilities?year=" + "9" * 40])
def test_a_year_that_is_not_plain_digits_is_answered_like_any_unknown_year(client, path):
    unknown = path.split("?")[0] + "?year=abc"
    assert client.get(path).status_code == client.get(unknown).status_code < 500
