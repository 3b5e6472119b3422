"""The map's view of a selection: compact columns for the browser, district sums and totals,
and the default view each publication stores (``explore.map_views``)."""

import gzip
import json

import orjson
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from budget.publish import rollback
from core.schema import map_views as map_views_table
from core.schema import metadata
from explore import map_views, queries
from explore.filters import FacilityFilter, district_sums, select_facilities, totals
from explore.map_views import CUES, build_view, cue_of, deltas, facility_columns
from tests.helpers import GOOD_ROWS, budget_csv

MORE_ROWS = (
    "E1;Емхана;Поликлиника;clinic;41,655447;69,15946;2025;equipment;700 000;",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2023;current_repair;1 000;1 000",
)


def decoded(columns: dict, name: str) -> list[float]:
    """A delta-encoded coordinate column back in degrees, as static/js/map.js adds it up."""
    total, values = 0, []
    for step in columns[name]:
        total += step
        values.append(total / columns["scale"])
    return values


def test_facility_columns_are_compact_and_language_free():
    rows = [{"facility_id": "A", "lat": 1.234567, "lon": 2.0, "facility_type": "clinic", "lines": 2,
             "status": "in_progress", "name_kk": "аты"},
            {"facility_id": "B", "lat": 1.0, "lon": 2.0, "facility_type": "castle", "lines": 0, "status": None},
            {"facility_id": "C", "lat": -0.5, "lon": 179.99999, "facility_type": "school", "lines": 1,
             "status": "suspended"}]
    data = facility_columns(rows, ("school", "clinic", "other"))
    assert data["id"] == ["A", "B", "C"]
    assert data["lat"] == [123457, -23457, -150000] and data["lon"] == [200000, 0, 17799999]
    assert decoded(data, "lat") == [1.23457, 1.0, -0.5] and decoded(data, "lon") == [2.0, 2.0, 179.99999]
    assert data["type"] == [1, 2, 0]  # an unknown type counts as the last one ("other")
    assert [data["cues"][c] for c in data["cue"]] == ["in_progress", "none", "stopped"]
    assert "аты" not in json.dumps(data, ensure_ascii=False)


def test_deltas():
    assert deltas([]) == [] and deltas([5]) == [5] and deltas([5, 3, 3, 10]) == [5, -2, 0, 7]


@pytest.mark.parametrize("lines, status, cue", [
    (0, "completed", "none"), (1, None, "planned"), (1, "tendering", "planned"), (2, "completed", "completed"),
    (1, "suspended", "stopped"), (1, "cancelled", "stopped"), (1, "in_progress", "in_progress"),
])
def test_cue_of_a_facility(lines, status, cue):
    assert cue_of(lines, status) == cue and cue in CUES


def selected(engine, version_id, facility_filter):
    with engine.connect() as connection:
        return select_facilities(queries.facility_rows(connection, version_id, facility_filter), facility_filter)


def stored_view(engine, version_id, facility_filter):
    with engine.connect() as connection:
        return map_views.stored(connection, version_id, facility_filter)


def test_a_view_carries_the_columns_and_the_figures_of_its_rows(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS, *MORE_ROWS))
    rows = selected(engine, version, FacilityFilter(year=2025))
    view = build_view(rows, version, 2025)
    payload = orjson.loads(gzip.decompress(view.facilities_gzip))
    assert {k: payload[k] for k in ("version", "year")} == {"version": version, "year": 2025}
    assert {k: v for k, v in payload.items() if k not in ("version", "year")} == facility_columns(rows)
    assert view.district_sums == district_sums(rows) and view.totals == totals(rows)
    assert view.totals["allocated_tiyn"] == 12_500_000_050 + 1_200_000_000 + 70_000_000


def test_each_publication_stores_its_default_view_equal_to_one_built_live(engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS))
    second = publish_csv(budget_csv(*MORE_ROWS))  # brings 2023 and 2025: 2025 is replaced
    for version in (first, second):
        default = FacilityFilter(year=2025)
        live = build_view(selected(engine, version, default), version, 2025)
        assert stored_view(engine, version, default) == live
    assert selected(engine, second, FacilityFilter(year=2025))[0]["facility_id"] == "E1"


def test_only_the_default_view_is_stored(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS, *MORE_ROWS))
    with engine.connect() as connection:
        stored_years = connection.execute(sa.select(map_views_table.c.fiscal_year)
                                          .where(map_views_table.c.version_id == version)).scalars().all()
    assert stored_years == [2025]  # the newest year
    for other in (FacilityFilter(year=2024), FacilityFilter(year=2025, facility_type="school"),
                  FacilityFilter(year=2025, text="школа"), FacilityFilter(year=2025, work_type="equipment"),
                  FacilityFilter(year=2025, risk="any")):
        assert stored_view(engine, version, other) is None  # built when asked for
    assert stored_view(engine, None, FacilityFilter(year=2025)) is None


def test_a_rollback_stores_the_view_of_the_data_it_restores(engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;№1 мектеп;Школа №1;school;43,297;68,2518;2026;equipment;1 000;"))
    with engine.begin() as connection:
        restored = rollback(connection, first, actor="test")
    default = FacilityFilter(year=2025)  # the restored data has no 2026 again
    assert stored_view(engine, restored, default).facilities_gzip.startswith(b"\x1f\x8b")
    assert (orjson.loads(gzip.decompress(stored_view(engine, restored, default).facilities_gzip))["id"]
            == orjson.loads(gzip.decompress(stored_view(engine, first, default).facilities_gzip))["id"])
    assert stored_view(engine, restored, default).district_sums == stored_view(engine, first, default).district_sums


def test_the_migration_creates_exactly_the_declared_table(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "map_views" in repr(d)] == []
