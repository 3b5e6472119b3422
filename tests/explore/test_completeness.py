"""The data-completeness score of a facility and of a district."""

import pytest
import sqlalchemy as sa

from core.schema import facilities
from core.versions import latest_version_id
from explore.completeness import district_completeness, facility_completeness
from tests.helpers import budget_csv

HEADER = ("facility_id;facility_name_ru;facility_name_en;facility_type;lat;lon;fiscal_year;work_type;"
          "amount_allocated;amount_contracted;contractor_bin;start_date;end_date;physical_progress_pct;capacity")
PLACE = "43,297;68,2518"
ROWS = (f"A;Школа;School;school;{PLACE};2025;capital_repair;1000;900;180340021791;2025-01-01;2025-12-31;50;300",
        f"A;Школа;School;school;{PLACE};2024;capital_repair;1000;;;2024-01-01;;;300",
        f"B;Школа;School;school;{PLACE};2025;current_repair;1000;;;;;;")


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=HEADER))


def test_a_facility_s_score_is_the_mean_of_five_shares(engine, published):
    with engine.connect() as connection:
        pk = connection.execute(sa.select(facilities.c.id).where(facilities.c.facility_id == "A")).scalar()
        found = facility_completeness(connection, latest_version_id(connection), pk)
    assert (found.lines, found.facilities) == (2, 1)
    assert found.shares == {"contract": 50.0, "dates": 50.0, "progress": 50.0, "contractor_bin": 50.0, "capacity": 100.0}
    assert found.score == 60.0


def test_a_district_s_score_counts_all_its_lines_and_facilities(engine, published):
    with engine.connect() as connection:
        found = district_completeness(connection, latest_version_id(connection), "611000000")
        nothing = district_completeness(connection, latest_version_id(connection), "000000000")
    assert (found.lines, found.facilities, found.present["capacity"]) == (3, 2, 1)
    assert found.score == pytest.approx((100 / 3 * 4 + 50) / 5, abs=0.1)
    assert nothing.score is None and nothing.lines == 0
