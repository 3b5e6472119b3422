"""Filters from the URL, text search, and the figures that follow a selection."""

import pytest

from explore.filters import (
    FacilityFilter,
    district_figures,
    district_sums,
    matches_text,
    parse_filter,
    select_facilities,
    sort_facilities,
    status_in_year,
    totals,
)

YEARS = [2023, 2024, 2025]
KATOS = ["611000000", "612000000"]


def row(facility_id, lines=1, allocated=100, paid=50, district="611000000", **extra):
    values = {"facility_id": facility_id, "name_kk": f"{facility_id} мектебі", "name_ru": f"Школа {facility_id}",
              "name_en": None, "facility_type": "school", "district_kato": district, "lines": lines,
              "allocated_tiyn": allocated if lines else None, "contracted_tiyn": None,
              "paid_tiyn": paid if lines else None, "progress_pct": None, "status": None}
    values.update(extra)
    return values


def test_parse_reads_every_parameter_and_round_trips_to_the_url():
    args = {"year": "2024", "type": "school", "work": "capital_repair", "status": "completed",
            "funding": "oblast", "district": "612000000", "q": "  Школа   №1 "}
    parsed, problems = parse_filter(args, YEARS, KATOS)
    assert problems == []
    assert parsed == FacilityFilter(2024, "school", "capital_repair", "completed", "oblast", "612000000", "Школа №1")
    assert parsed.has_line_filters
    assert parse_filter(parsed.query_args(), YEARS, KATOS) == (parsed, [])


def test_missing_year_means_the_latest_and_empty_values_mean_all():
    parsed, problems = parse_filter({"type": "", "q": ""}, YEARS, KATOS)
    assert (parsed, problems) == (FacilityFilter(year=2025), [])
    assert parsed.query_args() == {"year": "2025"}
    assert not parsed.has_line_filters
    assert parse_filter({}, [], KATOS) == (FacilityFilter(year=None), [])


@pytest.mark.parametrize("args, bad", [
    ({"year": "1999"}, ["year"]), ({"year": "20x5"}, ["year"]), ({"type": "castle"}, ["type"]),
    ({"work": "<script>"}, ["work"]), ({"status": "done"}, ["status"]), ({"funding": "x"}, ["funding"]),
    ({"district": "999999999"}, ["district"]), ({"q": "a" * 101}, ["q"]),
])
def test_unknown_values_are_dropped_and_named(args, bad):
    parsed, problems = parse_filter(args, YEARS, KATOS)
    assert problems == bad
    assert parsed.year == 2025 and parsed.facility_type is None and parsed.district is None
    assert len(parsed.text) <= 100


def test_text_search_ignores_case_and_covers_every_name_and_the_id():
    facility = {"facility_id": "TRK-SCH-7", "name_kk": "Әл-Фараби атындағы МЕКТЕП", "name_ru": "Школа имени Аль-Фараби",
                "name_en": "Al-Farabi School"}
    for text in ("мектеп", "ШКОЛА", "farabi", "trk-sch", "әл-фараби", ""):
        assert matches_text(facility, text), text
    assert not matches_text(facility, "балабақша")
    assert matches_text({"name_ru": "Ёлочка"}, "елочка")


def test_selection_keeps_unfunded_facilities_only_without_line_filters():
    rows = [row("A"), row("B", lines=0)]
    assert [r["facility_id"] for r in select_facilities(rows, FacilityFilter(year=2025))] == ["A", "B"]
    with_work = FacilityFilter(year=2025, work_type="equipment")
    assert [r["facility_id"] for r in select_facilities(rows, with_work)] == ["A"]
    assert [r["facility_id"] for r in select_facilities(rows, FacilityFilter(year=2025, text="школа b"))] == ["B"]


def test_totals_are_exact_integers_and_count_funded_facilities():
    rows = [row("A", allocated=10**16 + 1, paid=3), row("B", allocated=2, paid=None), row("C", lines=0)]
    assert totals(rows) == {"allocated_tiyn": 10**16 + 3, "contracted_tiyn": 0, "paid_tiyn": 3,
                            "facilities": 3, "funded": 2}
    assert totals([]) == {"allocated_tiyn": 0, "contracted_tiyn": 0, "paid_tiyn": 0, "facilities": 0, "funded": 0}


def test_district_figures_cover_every_district_with_per_resident_amounts():
    districts = [{"kato": "611000000", "population": 3}, {"kato": "612000000", "population": 0}]
    sums = district_sums([row("A", allocated=10), row("B", allocated=1, paid=1), row("C", lines=0)])
    assert set(sums) == {"611000000"}  # only districts with selected facilities
    figures = district_figures(sums, districts)
    first, second = figures
    assert (first["allocated_tiyn"], first["paid_tiyn"], first["funded"]) == (11, 51, 2)
    assert first["allocated_per_resident_tiyn"] == 4  # 11 / 3 = 3.67, rounded half up (core.money)
    assert (second["allocated_tiyn"], second["allocated_per_resident_tiyn"]) == (0, None)


def test_sorting_puts_missing_amounts_last_either_way():
    rows = [row("A", allocated=5), row("B", lines=0), row("C", allocated=9)]
    label = lambda r, by: r["name_ru"]  # noqa: E731
    assert [r["facility_id"] for r in sort_facilities(rows, "allocated", False, label)] == ["A", "C", "B"]
    assert [r["facility_id"] for r in sort_facilities(rows, "allocated", True, label)] == ["C", "A", "B"]
    assert [r["facility_id"] for r in sort_facilities(rows, "name", True, label)] == ["C", "B", "A"]
    assert [r["facility_id"] for r in sort_facilities(rows, "nonsense", False, label)] == ["A", "B", "C"]


def test_status_precedence():
    assert status_in_year(None) is None
    assert status_in_year(0) == "suspended"
