"""Risk flags are computed and stored with each version, in the publication's transaction.

The publication date is fixed (``audit.utc_now`` is replaced), so "today" for the overdue rule
never depends on the clock.
"""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from accounts import audit
from budget.publish import import_budget_file, rollback
from core.schema import metadata, risk_checks, risk_flags
from explore import queries
from explore.filters import FacilityFilter
from risk import store as risk_store
from risk.rules import RiskThresholds
from tests.helpers import budget_csv

HEADER = ("facility_id;facility_name_ru;facility_type;lat;lon;fiscal_year;work_type;funding_source;"
          "amount_allocated;amount_contracted;amount_paid;end_date;status;physical_progress_pct")
PLACE = "43,297;68,2518"  # Turkestan city, district 611000000


def flagged(connection, version_id, rule=None, fiscal_year=None) -> set[str]:
    """The facilities with a raised flag (of ``rule``, in ``fiscal_year``), read as pages read them."""
    return {row["facility_id"] for row in risk_store.risk_flag_rows(connection, version_id, rule=rule,
                                                                     fiscal_year=fiscal_year)}


def row(facility, year, work, allocated, contracted="", paid="", end="", status="", progress="",
        funding="oblast", kind="school"):
    return ";".join(map(str, (facility, f"Объект {facility}", kind, PLACE, year, work, funding, allocated,
                              contracted, paid, end, status, progress)))


@pytest.fixture()
def on_day(monkeypatch):
    """Publish as if on the given day (UTC)."""
    def set_day(day: str):
        monkeypatch.setattr(audit, "utc_now", lambda: f"{day}T09:00:00+00:00")
    set_day("2025-07-01")
    return set_day


@pytest.fixture()
def publish(engine, geography, on_day):
    def publish(*rows, thresholds=None, kind="import"):
        result = import_budget_file(engine, budget_csv(*rows, header=HEADER), "t.csv", geography.districts,
                                    actor="test", kind=kind, risk_thresholds=thresholds)
        assert result.ok, [p.message() for p in result.validated.errors]
        return result.version_id
    return publish


def stored(engine, version_id, outcome="raised"):
    with engine.connect() as connection:
        rows = risk_store.risk_flag_rows(connection, version_id, outcome=outcome)
    return sorted((r["facility_id"], r["fiscal_year"], r["rule"]) for r in rows)


def check(engine, version_id):
    with engine.connect() as connection:
        return risk_store.risk_check(connection, version_id)


def test_migrations_create_exactly_the_declared_risk_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "risk" in repr(d)] == []


def test_publication_stores_the_flags_and_the_check(engine, publish):
    version = publish(row("A", 2025, "current_repair", "1 000", "1 000", "1 001", "2025-12-01", "completed", "100"),
                      row("B", 2024, "capital_repair", "1 000", "900", "900", "2025-06-30", "in_progress", "80"),
                      row("C", 2025, "maintenance", "1 000", "", "", "2025-07-01", "in_progress", "10"))
    assert stored(engine, version) == [("A", 2025, "paid_above_allocated"), ("B", 2024, "overdue")]
    with engine.connect() as connection:
        (flag,) = risk_store.risk_flag_rows(connection, version, rule="overdue")
    assert flag["figures"] == {"end_date": "2025-06-30", "as_of": "2025-07-01", "days_overdue": 1,
                               "status": "in_progress", "progress_pct": 80}
    assert (flag["work_type"], flag["outcome"], flag["threshold"]) == ("capital_repair", "raised", 0)
    assert check(engine, version) == {"version_id": version, "as_of": "2025-07-01", "flag_count": 2,
                                      "thresholds": RiskThresholds().as_dict()}


def test_the_thresholds_passed_in_are_used_and_recorded(engine, publish):
    version = publish(row("A", 2025, "current_repair", "1 000", "1 150", "1 000"),
                      thresholds=RiskThresholds(contracted_over_allocated_pct=20, overdue_grace_days=3))
    assert stored(engine, version) == []
    assert check(engine, version)["thresholds"]["contracted_over_allocated_pct"] == 20
    assert check(engine, version)["thresholds"]["overdue_grace_days"] == 3


def test_each_version_keeps_its_own_flags(engine, publish, on_day):
    first = publish(row("A", 2024, "capital_repair", "1 000"))
    second = publish(row("A", 2025, "current_repair", "1 000"))  # repair again a year later
    assert stored(engine, first) == []
    assert stored(engine, second) == [("A", 2025, "repeat_repair")]
    on_day("2026-01-15")
    third = publish(row("A", 2025, "current_repair", "1 000", "", "", "2025-12-31", "in_progress", "50"))
    assert stored(engine, third) == [("A", 2025, "overdue"), ("A", 2025, "repeat_repair")]
    assert check(engine, third)["as_of"] == "2026-01-15"
    assert stored(engine, second) == [("A", 2025, "repeat_repair")]  # versions never change


def test_stalled_compares_with_the_lines_replaced_and_stays_while_they_are_published(engine, publish):
    first = publish(row("A", 2025, "capital_repair", "1 000", "1 000", "300", "2026-12-01", "in_progress", "40"))
    second = publish(row("A", 2025, "capital_repair", "1 000", "1 000", "600", "2026-12-01", "in_progress", "40"))
    assert stored(engine, second) == [("A", 2025, "stalled")]
    with engine.connect() as connection:
        (flag,) = risk_store.risk_flag_rows(connection, second)
    assert flag["figures"] == {"paid_before_tiyn": 30_000, "paid_tiyn": 60_000, "progress_before_pct": 40,
                               "progress_pct": 40}
    third = publish(row("B", 2026, "equipment", "500"))  # another year: 2025's comparison stands
    assert stored(engine, third) == [("A", 2025, "stalled")]
    with engine.begin() as connection:
        back_to_first = rollback(connection, first, actor="test")
        back_to_second = rollback(connection, second, actor="test")
    assert stored(engine, back_to_first) == []
    assert stored(engine, back_to_second) == [("A", 2025, "stalled")]


def test_rollback_checks_the_restored_data_as_of_its_own_date(engine, publish, on_day):
    first = publish(row("A", 2025, "capital_repair", "1 000", "", "", "2025-12-31", "in_progress", "50"))
    publish(row("A", 2025, "capital_repair", "1 000", "", "", "2025-12-31", "completed", "100"))
    on_day("2026-02-01")
    with engine.begin() as connection:
        restored = rollback(connection, first, actor="test")
    assert stored(engine, first) == []
    assert stored(engine, restored) == [("A", 2025, "overdue")]
    assert check(engine, restored)["as_of"] == "2026-02-01"


def test_a_failed_publication_leaves_no_flags(engine, publish, geography):
    publish(row("A", 2025, "current_repair", "1 000", "", "2 000"))

    def refuse(connection, version_id):
        raise RuntimeError("someone else published")
    with pytest.raises(RuntimeError):
        import_budget_file(engine, budget_csv(row("B", 2025, "current_repair", "1 000", "", "2 000"), header=HEADER),
                           "t.csv", geography.districts, actor="test", on_published=refuse)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(risk_flags)).scalar() == 1
        assert connection.execute(sa.select(sa.func.count()).select_from(risk_checks)).scalar() == 1


def test_a_version_published_before_the_flags_is_checked_once(engine, publish):
    version = publish(row("A", 2025, "current_repair", "1 000", "", "2 000"))
    with engine.begin() as connection:  # as a database from before migration 0005 would be
        connection.execute(risk_flags.delete())
        connection.execute(risk_checks.delete())
    with engine.begin() as connection:
        assert risk_store.check_latest(connection, RiskThresholds()) == version
        assert risk_store.check_latest(connection, RiskThresholds()) is None
    assert stored(engine, version) == [("A", 2025, "paid_above_allocated")]
    assert check(engine, version)["as_of"] == "2025-07-01"  # the version's own publication date


def test_filter_and_read_models(engine, publish):
    version = publish(row("A", 2025, "current_repair", "1 000", "", "2 000"),
                      row("B", 2025, "capital_repair", "1 000", "", "", "2025-01-01", "suspended", "20"),
                      row("C", 2025, "maintenance", "1 000"), row("B", 2024, "current_repair", "1 000", "", "1 001"))
    with engine.connect() as connection:
        def ids(**kw):
            return [r["facility_id"] for r in queries.facility_rows(connection, version, FacilityFilter(**kw))]
        assert ids(year=2025) == ["A", "B", "C"]
        assert ids(year=2025, risk="any") == ["A", "B"]
        assert ids(year=2025, risk="overdue") == ["B"]
        assert ids(year=2024, risk="paid_above_allocated") == ["B"]
        assert ids(year=2025, risk="stalled") == []
        assert flagged(connection, version) == {"A", "B"}
        assert flagged(connection, version, "paid_above_allocated", 2025) == {"A"}
        assert [(r["fiscal_year"], r["rule"]) for r in risk_store.risk_flag_rows(connection, version, facility_id="B")] == [
            (2025, "repeat_repair"), (2025, "overdue"), (2024, "paid_above_allocated")]


def test_the_demo_data_is_stored_with_its_planted_flags(engine, geography, on_day):
    from budget.demo.anomalies import ANOMALIES
    from budget.demo.dataset import CSV_PATH, REFERENCE_DATE

    on_day(REFERENCE_DATE.isoformat())
    result = import_budget_file(engine, CSV_PATH.read_bytes(), CSV_PATH.name, geography.districts,
                                actor="demo", kind="demo")
    with engine.connect() as connection:
        for rule, planted in ANOMALIES.items():
            assert set(planted) <= flagged(connection, result.version_id, rule), rule
        counts = dict(connection.execute(
            sa.select(risk_flags.c.rule, sa.func.count()).where(risk_flags.c.version_id == result.version_id,
                                                                risk_flags.c.outcome == "raised")
            .group_by(risk_flags.c.rule)).all())
    assert {rule: counts.get(rule, 0) for rule in ANOMALIES if rule != "contractor_concentration"} == {
        "paid_above_allocated": 10, "repeat_repair": 8, "overdue": 10, "paid_ahead_of_progress": 5,
        "unit_cost_outlier": 3}
    assert check(engine, result.version_id)["as_of"] == dt.date(2026, 7, 1).isoformat()
