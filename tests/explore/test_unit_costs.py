"""A facility's unit costs beside comparable works: the numbers of the risk flag, both bases."""

import numpy as np
import pytest
import sqlalchemy as sa

from accounts import audit
from core.schema import facilities, risk_flags
from core.versions import latest_version_id
from explore.unit_costs import facility_unit_costs
from tests.helpers import budget_csv

HEADER = ("facility_id;facility_name_ru;facility_name_en;facility_type;lat;lon;fiscal_year;work_type;"
          "amount_allocated;capacity;capacity_unit;floor_area_m2")
PLACE = "43,297;68,2518"
RATES = tuple(range(10, 200, 10))  # per m², 19 works; S19 costs more


def rows(last_rate=900, count=20):
    out = []
    for n, rate in enumerate((RATES + (last_rate,))[:count]):
        out.append(f"S{n:02};Школа;School;school;{PLACE};2025;capital_repair;{rate * 1000};"
                   f"{500 + n};places;1000")
    out.append(f"S00;Школа;School;school;{PLACE};2025;equipment;1 000 000;500;places;1000")
    out.append(f"N1;Школа;School;school;{PLACE};2025;capital_repair;1 000 000;;;")
    return out


@pytest.fixture()
def published(monkeypatch, publish_csv):
    monkeypatch.setattr(audit, "utc_now", lambda: "2025-07-01T09:00:00+00:00")
    return publish_csv(budget_csv(*rows(), header=HEADER))


def pk(connection, facility_id):
    return connection.execute(sa.select(facilities.c.id).where(facilities.c.facility_id == facility_id)).scalar()


def test_a_work_is_compared_per_m2_and_per_place_with_type_8_quartiles(engine, published):
    with engine.connect() as connection:
        costs = facility_unit_costs(connection, latest_version_id(connection), pk(connection, "S19"))
    (work,) = costs.works
    assert (work.fiscal_year, work.work_type, work.reason, costs.min_group) == (2025, "capital_repair", None, 20)
    area, capacity = work.comparisons
    assert (area.basis, area.unit, area.primary, capacity.basis, capacity.unit, capacity.primary) == (
        "area", "m2", True, "capacity", "places", False)
    expected = np.quantile(np.array(RATES + (900,)) * 100_000 / 1000, [0.25, 0.5, 0.75], method="median_unbiased")
    assert area.group_size == 20 and area.judged
    assert (area.q1, area.median, area.q3) == pytest.approx(tuple(expected))
    assert area.upper_fence == pytest.approx(expected[2] + 1.5 * (expected[2] - expected[0]))
    assert area.rate == 90_000 and area.position == "above"
    assert area.ratio == pytest.approx(90_000 / expected[1])
    assert len(area.sample) == 20


def test_the_page_s_numbers_are_the_flag_s_numbers(engine, published):
    with engine.connect() as connection:
        costs = facility_unit_costs(connection, latest_version_id(connection), pk(connection, "S19"))
        figures = connection.execute(sa.select(risk_flags.c.figures).where(
            risk_flags.c.rule == "unit_cost_outlier", risk_flags.c.outcome == "raised")).scalars().all()
    area = costs.works[0].comparisons[0]
    assert len(figures) == 1
    assert (figures[0]["q1_tiyn"], figures[0]["median_tiyn"], figures[0]["q3_tiyn"], figures[0]["limit_tiyn"]) == (
        round(area.q1), round(area.median), round(area.q3), round(area.upper_fence))


def test_equipment_and_works_without_area_or_capacity_say_why(engine, published):
    with engine.connect() as connection:
        version = latest_version_id(connection)
        s00 = facility_unit_costs(connection, version, pk(connection, "S00"))
        n1 = facility_unit_costs(connection, version, pk(connection, "N1"))
    assert {w.work_type: w.reason for w in s00.works} == {"capital_repair": None, "equipment": "equipment"}
    assert [(w.reason, w.comparisons) for w in n1.works] == [("no_basis", ())]


def test_a_group_under_20_is_not_judged(engine, monkeypatch, publish_csv):
    monkeypatch.setattr(audit, "utc_now", lambda: "2025-07-01T09:00:00+00:00")
    publish_csv(budget_csv(*rows(count=19), header=HEADER))
    with engine.connect() as connection:
        costs = facility_unit_costs(connection, latest_version_id(connection), pk(connection, "S05"))
    area = costs.works[0].comparisons[0]
    assert (area.group_size, area.judged) == (19, False)
