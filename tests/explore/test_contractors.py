"""A contractor across the published data: names, money per year, district shares, flags."""

import pytest

from core.versions import latest_version_id
from explore.contractors import contractor
from tests.helpers import budget_csv

HEADER = ("facility_id;facility_name_ru;facility_name_en;facility_type;lat;lon;fiscal_year;work_type;"
          "amount_allocated;amount_contracted;amount_paid;contractor_name;contractor_bin")
PLACE = "43,297;68,2518"
BIN, OTHER = "180340021791", "091140232121"
ROWS = (f"A;Школа A;School A;school;{PLACE};2025;capital_repair;1000;800;900;ТОО Құрылыс;{BIN}",
        f"B;Школа B;School B;school;{PLACE};2025;current_repair;1000;200;;ТОО «Құрылыс»;{BIN}",
        f"C;Школа C;School C;school;{PLACE};2025;current_repair;1000;1000;;ТОО Басқа;{OTHER}",
        f"A;Школа A;School A;school;{PLACE};2024;current_repair;500;500;500;ТОО Құрылыс;{BIN}")


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=HEADER))


def test_a_contractor_s_names_money_and_district_share(engine, published):
    with engine.connect() as connection:
        found = contractor(connection, latest_version_id(connection), BIN)
        assert contractor(connection, latest_version_id(connection), "000000000000") is None
    assert found["names"] == ["ТОО «Құрылыс»", "ТОО Құрылыс"]
    assert [(y["fiscal_year"], y["contracted_tiyn"], y["paid_tiyn"], y["lines"]) for y in found["years"]] == [
        (2025, 100_000, 90_000, 2), (2024, 50_000, 50_000, 1)]
    assert [f["facility_id"] for f in found["facilities"]] == ["A", "B"]
    assert [(s["fiscal_year"], s["contractor_tiyn"], s["district_tiyn"], s["share_pct"])
            for s in found["district_shares"]] == [(2025, 100_000, 200_000, 50.0), (2024, 50_000, 50_000, 100.0)]
    assert {f["rule"] for f in found["flags"]} <= {"paid_above_allocated", "repeat_repair",
                                                   "contractor_concentration"}
    assert ("A", 2025, "paid_above_allocated") not in {(f["facility_id"], f["fiscal_year"], f["rule"])
                                                       for f in found["flags"]}
