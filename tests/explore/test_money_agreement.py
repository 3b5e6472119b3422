"""The map and the district page show every district with the same money per resident.

They compute it on different paths (the map from its selected facilities, the district page
from the district's published lines); both round once, half up, in tiyn (``core.money``).
"""

from budget.demo.dataset import CSV_PATH
from budget.publish import import_budget_file
from core import versions
from explore import queries
from explore.figures import with_ratios
from explore.filters import FacilityFilter, district_figures, district_sums, select_facilities


def test_map_and_district_page_agree_for_every_district_and_year_of_the_demo(engine, geography):
    result = import_budget_file(engine, CSV_PATH.read_bytes(), CSV_PATH.name, geography.districts,
                                actor="demo", kind="demo")
    assert result.ok
    compared = 0
    with engine.connect() as connection:
        version_id = result.version_id
        districts = queries.district_list(connection)
        years = versions.fiscal_years(connection, version_id)
        assert len(years) == 5 and len(districts) > 10
        for year in years:
            facility_filter = FacilityFilter(year=year)
            rows = select_facilities(queries.facility_rows(connection, version_id, facility_filter), facility_filter)
            on_map = {d["kato"]: d for d in district_figures(district_sums(rows), districts)}
            for district in districts:
                page_rows = queries.district_year_totals(connection, version_id, district["kato"])
                (page,) = [with_ratios(r, district["population"]) for r in page_rows if r["fiscal_year"] == year]
                shown = on_map[district["kato"]]
                assert shown["allocated_tiyn"] == page["allocated_tiyn"], (district["kato"], year)
                assert shown["allocated_per_resident_tiyn"] == page["allocated_per_resident"], (district["kato"], year)
                compared += 1
    assert compared == len(years) * len(districts)
