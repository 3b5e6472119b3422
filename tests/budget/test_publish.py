"""Versioned, atomic publication: new versions, replaced years, rollback, audit."""

import pytest
import sqlalchemy as sa

from budget.publish import RollbackError, history, import_budget_file, rollback
from core import versions as core_versions
from core.schema import audit_log, budget_lines, facilities, facility_snapshots, version_state, versions
from explore import queries
from explore.filters import FacilityFilter
from tests.helpers import GOOD_ROWS, budget_csv


def snapshot(engine) -> dict:
    """Every row of every table: 'the database exactly as it was'."""
    with engine.connect() as connection:
        return {table.name: connection.execute(sa.select(table)).all()
                for table in (versions, version_state, facilities, facility_snapshots, budget_lines, audit_log)}


def published(engine, year):
    with engine.connect() as connection:
        version = core_versions.latest_version(connection)["id"]
        return {f["facility_id"]: f["allocated_tiyn"]
                for f in queries.facility_rows(connection, version, FacilityFilter(year=year)) if f["lines"]}


def test_publication_records_the_version_and_audit(engine, publish_csv):
    content = budget_csv(*GOOD_ROWS)
    version_id = publish_csv(content, actor="akimat:aigerim")
    with engine.connect() as connection:
        (version,) = history(connection)
        entries = connection.execute(sa.select(audit_log)).all()
    assert version["id"] == version_id
    assert version["created_by"] == "akimat:aigerim"
    assert (version["row_count"], version["facility_count"], version["new_facility_count"]) == (3, 2, 2)
    assert version["fiscal_years"] == "2024,2025"
    assert len(version["sha256"]) == 64
    assert [(e.action, e.actor, e.target_id) for e in entries] == [("publish", "akimat:aigerim", str(version_id))]
    assert entries[0].details["fiscal_years"] == [2024, 2025]


def test_money_is_stored_exactly_in_tiyn(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    assert published(engine, 2025) == {"T1": 12_500_000_050, "S1": 1_200_000_000}


def test_new_version_replaces_only_the_years_it_contains(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;99;"), mode="replace")
    assert published(engine, 2025) == {"T1": 9900}  # S1's 2025 line is gone with the year
    assert published(engine, 2024) == {"T1": 500_000_000}  # 2024 untouched


def test_facilities_are_upserted_by_facility_id(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;Жаңа атау;Новое имя;school;43,3;68,25;2026;maintenance;1;"))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(facilities.c.facility_id, facilities.c.name_ru, facilities.c.lat)
                                  .order_by(facilities.c.facility_id)).all()
    assert rows == [("S1", "Детский сад", 41.655447), ("T1", "Новое имя", 43.3)]


def test_a_file_with_one_bad_row_changes_nothing(engine, publish_csv, geography):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = snapshot(engine)
    bad = budget_csv(GOOD_ROWS[0].replace("2025", "2026"), "X9;;Ошибка;school;43,3;68,25;2026;equipment;-5;")
    result = import_budget_file(engine, bad, "bad.csv", geography.districts, actor="test")
    assert not result.ok and result.version_id is None
    assert snapshot(engine) == before


def test_a_failure_inside_the_transaction_rolls_everything_back(engine, publish_csv, geography, monkeypatch):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = snapshot(engine)
    import budget.publish as uploads

    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(uploads.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        import_budget_file(engine, budget_csv(GOOD_ROWS[2].replace("S1", "S2")), "x.csv",
                           geography.districts, actor="test")
    assert snapshot(engine) == before


def test_dry_run_validates_without_writing(engine, publish_csv, geography):
    before = snapshot(engine)
    result = import_budget_file(engine, budget_csv(*GOOD_ROWS), "a.csv", geography.districts,
                                actor="test", dry_run=True)
    assert result.ok and result.version_id is None
    assert snapshot(engine) == before


def test_rollback_makes_a_new_version_equal_to_the_old_one(engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;X;Сдвинута;school;43,3;68,25;2025;capital_repair;1;",
                           "N1;Жаңа;Новый;clinic;43,297;68,2518;2026;equipment;7;"))
    with engine.begin() as connection:
        restored = rollback(connection, first, actor="admin")
    with engine.connect() as connection:
        versions_now = history(connection)
        t1 = connection.execute(sa.select(facilities).where(facilities.c.facility_id == "T1")).first()
        years = core_versions.fiscal_years(connection, restored)
    assert [v["id"] for v in versions_now] == [restored, first + 1, first]  # history kept
    assert versions_now[0]["kind"] == "rollback" and versions_now[0]["rollback_of"] == first
    assert published(engine, 2025) == {"T1": 12_500_000_050, "S1": 1_200_000_000}
    assert published(engine, 2026) == {}  # the year the bad upload added is gone again
    assert years == [2024, 2025]
    assert (t1.name_ru, t1.lat) == ("Школа №1", 43.297)  # facility attributes restored too


def test_rolling_back_to_a_rollback_keeps_its_state(engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS))
    second = publish_csv(budget_csv("T1;X;Y;school;43,3;68,25;2025;capital_repair;1;"))
    with engine.begin() as connection:
        back = rollback(connection, first, actor="admin")
    publish_csv(budget_csv("T1;X;Z;school;43,3;68,25;2025;capital_repair;2;"))
    with engine.begin() as connection:
        rollback(connection, back, actor="admin")
    assert published(engine, 2025) == {"T1": 12_500_000_050, "S1": 1_200_000_000}
    assert second  # the bad version stays in history


def test_rollback_to_an_unknown_version_is_refused(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = snapshot(engine)
    with pytest.raises(RollbackError), engine.begin() as connection:
        rollback(connection, 99, actor="admin")
    assert snapshot(engine) == before
