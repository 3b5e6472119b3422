"""Read models of the district and facility pages: a district's figures, a facility's changes."""

import pytest

from budget.publish import rollback
from core.line_changes import FieldChange
from explore import queries
from tests.helpers import GOOD_ROWS, budget_csv

TURKESTAN, SARYAGASH, SHARDARA = "611000000", "615400000", "616400000"
T1_2025 = "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;{paid}"
T1_EQUIPMENT = "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;equipment;1 000;"
OTHER_2026 = "K9;Клиника;Клиника;clinic;43,297;68,2518;2026;maintenance;7;"


@pytest.fixture()
def three_versions(engine, publish_csv):
    """v1: the good rows; v2: 2025 again (T1 paid more, new equipment line, S1 gone);
    v3: another facility's 2026 only; v4: rollback to v1."""
    first = publish_csv(budget_csv(*GOOD_ROWS))
    second = publish_csv(budget_csv(T1_2025.format(paid="70 000 000"), T1_EQUIPMENT), actor="akimat",
                         mode="replace")
    third = publish_csv(budget_csv(OTHER_2026), mode="replace")
    with engine.begin() as connection:
        fourth = rollback(connection, first, actor="admin")
    return first, second, third, fourth


def test_district_is_found_by_kato(engine):
    with engine.connect() as connection:
        assert queries.district(connection, TURKESTAN)["name_en"] == "Turkestan"
        assert queries.district(connection, TURKESTAN)["population"] == 248_160
        assert queries.district(connection, "000000000") is None


def test_district_year_totals_cover_every_published_year(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    with engine.connect() as connection:
        turkestan = queries.district_year_totals(connection, version, TURKESTAN)
        saryagash = queries.district_year_totals(connection, version, SARYAGASH)
        shardara = queries.district_year_totals(connection, version, SHARDARA)
        assert queries.district_year_totals(connection, None, TURKESTAN) == []
    assert turkestan == [
        {"fiscal_year": 2024, "allocated_tiyn": 500_000_000, "contracted_tiyn": 0, "paid_tiyn": 500_000_000,
         "facility_count": 1, "line_count": 1},
        {"fiscal_year": 2025, "allocated_tiyn": 12_500_000_050, "contracted_tiyn": 0,
         "paid_tiyn": 6_000_000_000, "facility_count": 1, "line_count": 1}]
    assert [(r["fiscal_year"], r["allocated_tiyn"], r["line_count"]) for r in saryagash] == [
        (2024, 0, 0), (2025, 1_200_000_000, 1)]
    assert [r["allocated_tiyn"] for r in shardara] == [0, 0]


def test_district_type_totals_for_one_year(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS, "K1;Емхана;Поликлиника;clinic;43,297;68,2518;2025;equipment;3;1"))
    with engine.connect() as connection:
        rows = queries.district_type_totals(connection, version, TURKESTAN, 2025)
        assert queries.district_type_totals(connection, version, TURKESTAN, 2023) == []
        assert queries.district_type_totals(connection, version, TURKESTAN, None) == []
    assert [(r["facility_type"], r["allocated_tiyn"], r["paid_tiyn"], r["facility_count"]) for r in rows] == [
        ("school", 12_500_000_050, 6_000_000_000, 1), ("clinic", 300, 100, 1)]


def test_district_facilities_list_all_with_the_years_sums(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS, "K1;Емхана;Поликлиника;clinic;43,297;68,2518;2024;equipment;3;1"))
    with engine.connect() as connection:
        in_2025 = queries.district_facilities(connection, version, TURKESTAN, 2025)
        in_2024 = queries.district_facilities(connection, version, TURKESTAN, 2024)
        elsewhere = queries.district_facilities(connection, version, SARYAGASH, 2025)
    assert [(r["facility_id"], r["allocated_tiyn"], r["lines_in_year"]) for r in in_2025] == [
        ("T1", 12_500_000_050, 1), ("K1", None, 0)]  # K1 has no 2025 line: listed last, no amount
    assert [(r["facility_id"], r["allocated_tiyn"], r["paid_tiyn"]) for r in in_2024] == [
        ("T1", 500_000_000, 500_000_000), ("K1", 300, 100)]
    assert [r["facility_id"] for r in elsewhere] == ["S1"]
    assert in_2025[0]["name_ru"] == "Школа №1" and in_2025[0]["facility_type"] == "school"


def test_facility_changes_list_each_version_that_changed_its_lines(engine, three_versions):
    first, second, third, fourth = three_versions
    with engine.connect() as connection:
        changes = queries.facility_changes(connection, "T1")
    assert [c["version"]["id"] for c in changes] == [first, second, fourth]  # v3 did not touch T1
    assert [c["first"] for c in changes] == [True, False, False]
    assert [c["version"]["kind"] for c in changes] == ["import", "import", "rollback"]
    assert changes[1]["version"]["created_by"] == "akimat" and changes[1]["version"]["file_name"] == "test.csv"

    published = changes[0]["diff"]
    assert [(x["fiscal_year"], x["work_type"]) for x in published.added] == [(2024, "current_repair"),
                                                                          (2025, "capital_repair")]
    update = changes[1]["diff"]
    assert [(x["fiscal_year"], x["work_type"], x["allocated_tiyn"]) for x in update.added] == [
        (2025, "equipment", 100_000)]
    assert update.removed == []
    (changed,) = update.changed
    assert changed.key == ("T1", 2025, "capital_repair", None, None)
    assert changed.fields == (FieldChange("paid_tiyn", 6_000_000_000, 7_000_000_000),)
    assert update.unchanged == 1  # the 2024 line, kept from version 1

    undone = changes[2]["diff"]
    assert [(x["work_type"]) for x in undone.removed] == ["equipment"]
    assert undone.changed[0].fields == (FieldChange("paid_tiyn", 7_000_000_000, 6_000_000_000),)


def test_a_facility_left_out_of_a_year_shows_its_lines_removed(engine, three_versions):
    first, second, _, fourth = three_versions
    with engine.connect() as connection:
        changes = queries.facility_changes(connection, "S1")
    assert [c["version"]["id"] for c in changes] == [first, second, fourth]
    assert [len(c["diff"].removed) for c in changes] == [0, 1, 0]
    assert [len(c["diff"].added) for c in changes] == [1, 0, 1]


def test_facility_changes_stop_at_the_given_version(engine, three_versions):
    first, second, third, fourth = three_versions
    with engine.connect() as connection:
        assert [c["version"]["id"] for c in queries.facility_changes(connection, "T1", third)] == [first, second]
        clinic = queries.facility_changes(connection, "K9")  # the rollback to v1 takes its 2026 away
        assert [(c["version"]["id"], c["diff"].counts["added"], c["diff"].counts["removed"]) for c in clinic] == [
            (third, 1, 0), (fourth, 0, 1)]
        assert queries.facility_changes(connection, "K9", second) == []
        assert queries.facility_changes(connection, "missing") == []
