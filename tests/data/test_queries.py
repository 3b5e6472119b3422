"""Read models: what the map and pages see of the published state."""

from data import queries
from tests.conftest import GOOD_ROWS, budget_csv


def test_map_lists_every_facility_with_the_years_money(engine, publish_csv):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    with engine.connect() as connection:
        rows = {r["facility_id"]: r for r in queries.map_facilities(connection, version, 2024)}
    assert set(rows) == {"T1", "S1"}
    assert (rows["T1"]["lines_in_year"], rows["T1"]["allocated_tiyn"], rows["T1"]["paid_tiyn"]) == (1, 500_000_000, 500_000_000)
    assert (rows["S1"]["lines_in_year"], rows["S1"]["allocated_tiyn"]) == (0, None)


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
        detail = queries.facility_detail(connection, version, "T1")
        assert queries.facility_detail(connection, version, "missing") is None
        assert queries.fiscal_years(connection, version) == [2024, 2025]
        assert queries.fiscal_years(connection, None) == []
        assert not queries.shows_demo_data(connection, version)
    assert detail["district_name_en"] == "Turkestan"
    assert [line["fiscal_year"] for line in detail["lines"]] == [2025, 2024]
    assert detail["lines"][0]["source_row"] == 2
