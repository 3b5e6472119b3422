"""Read models: what the map and pages see of the published state."""

from core import versions
from explore import queries
from explore.filters import FacilityFilter
from tests.helpers import GOOD_ROWS, HEADER, budget_csv


def facility_rows(engine, version, **filters):
    with engine.connect() as connection:
        return {r["facility_id"]: r for r in queries.facility_rows(connection, version, FacilityFilter(**filters))}


def test_facility_rows_list_every_facility_with_the_years_money(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    rows = facility_rows(engine, version, year=2024)
    assert set(rows) == {"T1", "S1"}
    assert (rows["T1"]["lines"], rows["T1"]["allocated_tiyn"], rows["T1"]["paid_tiyn"]) == (1, 500_000_000, 500_000_000)
    assert (rows["S1"]["lines"], rows["S1"]["allocated_tiyn"], rows["S1"]["status"]) == (0, None, None)
    assert rows["T1"]["district_kato"] == "611000000" and rows["T1"]["name_ru"] == "Школа №1"


STATUS_HEADER = HEADER + ";status;funding_source;physical_progress_pct"
STATUS_ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;100;50;completed;oblast;100",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;equipment;10;;suspended;republican;20",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;7;;planned;oblast;",
)


def test_line_filters_choose_the_summed_lines_and_the_most_pressing_status_wins(engine, publish_csv):
    version = publish_csv(budget_csv(*STATUS_ROWS, header=STATUS_HEADER))
    both = facility_rows(engine, version, year=2025)
    assert (both["T1"]["lines"], both["T1"]["allocated_tiyn"], both["T1"]["status"]) == (2, 11_000, "suspended")
    assert both["T1"]["progress_pct"] == 100
    oblast = facility_rows(engine, version, year=2025, funding_source="oblast")
    assert (oblast["T1"]["lines"], oblast["T1"]["allocated_tiyn"], oblast["T1"]["status"]) == (1, 10_000, "completed")
    equipment = facility_rows(engine, version, year=2025, work_type="equipment", status="planned")
    assert (equipment["T1"]["lines"], equipment["S1"]["lines"], equipment["S1"]["allocated_tiyn"]) == (0, 1, 700)


def test_facility_filters_choose_facilities_in_sql(engine, publish_csv):
    version = publish_csv(budget_csv(*STATUS_ROWS, header=STATUS_HEADER))
    assert set(facility_rows(engine, version, year=2025, facility_type="kindergarten")) == {"S1"}
    assert set(facility_rows(engine, version, year=2025, district="611000000")) == {"T1"}
    assert facility_rows(engine, version, year=2025, district="612000000") == {}
    with engine.connect() as connection:
        one = queries.facility_rows(connection, version, FacilityFilter(year=2025), facility_id="S1")
        assert [r["facility_id"] for r in one] == ["S1"]
        assert queries.facility_rows(connection, None, FacilityFilter(year=2025)) == []
        assert len(queries.district_list(connection)) == 17


def test_district_totals_cover_all_17_with_zeros(engine, publish_csv, geography):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    with engine.connect() as connection:
        totals = {d["kato"]: d for d in queries.district_totals(connection, version, 2025)}
    assert len(totals) == 17
    assert totals["611000000"]["allocated_tiyn"] == 12_500_000_050
    assert totals["615400000"]["facility_count"] == 1
    assert totals["616400000"]["allocated_tiyn"] == 0 and totals["616400000"]["population"] == 81_418


def test_facility_detail_and_years(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    with engine.connect() as connection:
        detail = versions.published_facility(connection, version, "T1")
        assert versions.published_facility(connection, version, "missing") is None
        assert versions.fiscal_years(connection, version) == [2024, 2025]
        assert versions.fiscal_years(connection, None) == []
        assert not versions.shows_demo_data(connection, version)
    assert detail["district_name_en"] == "Turkestan"
    assert [line["fiscal_year"] for line in detail["lines"]] == [2025, 2024]
    assert detail["lines"][0]["source_row"] == 2


def test_the_latest_version_watch_asks_again_only_after_a_commit(engine, publish_csv, monkeypatch):
    import threading

    watch = versions.LatestVersionWatch(engine)
    assert watch.latest() is None
    first = publish_csv(budget_csv(*GOOD_ROWS))
    assert watch.latest()["id"] == first  # committed by another connection: seen at once
    asked = []
    real = versions.latest_version_plain
    monkeypatch.setattr(versions, "latest_version_plain", lambda *a: asked.append(a) or real(*a))
    assert [watch.latest()["id"] for _ in range(3)] == [first] * 3 and asked == []
    second = publish_csv(budget_csv(GOOD_ROWS[0]))
    assert watch.latest()["id"] == second and len(asked) == 1
    seen = []
    thread = threading.Thread(target=lambda: seen.append(watch.latest()["id"]))  # its own connection
    thread.start()
    thread.join()
    assert seen == [second]


def test_the_commit_mark_moves_for_every_thread_after_a_commit(engine, publish_csv):
    """Each thread's connection counts commits from its own start: a new thread's first number
    may equal an old thread's, yet the marks they return must differ once anything changed."""
    import threading

    watch = versions.LatestVersionWatch(engine)

    def mark_in_new_thread() -> int:
        marks = []
        thread = threading.Thread(target=lambda: marks.append(watch.commit_mark()))
        thread.start()
        thread.join()
        return marks[0]

    before = watch.commit_mark()
    assert watch.commit_mark() == before  # nothing committed: the same mark
    publish_csv(budget_csv(*GOOD_ROWS))
    after = watch.commit_mark()
    assert after != before
    assert mark_in_new_thread() not in (before, after)  # a new thread never reuses an old mark
    settled = watch.commit_mark()
    assert watch.commit_mark() == settled  # with nothing committed the mark stays
