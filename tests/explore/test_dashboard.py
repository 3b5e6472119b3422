"""The dashboard's figures: exact sums by year and breakdown, execution rate, per resident,
change from the year before (None without a base), the CSV for Excel."""

from decimal import Decimal

import pytest

from explore.dashboard import (
    Column,
    breakdown,
    build,
    by_year,
    change_pct,
    kzt,
    money_sums,
    selected_lines,
    table_csv,
    with_population,
)

TURKESTAN, ARYS, SOZAK = "611000000", "611600000", "615600000"
DISTRICTS = [{"kato": TURKESTAN, "population": 1000}, {"kato": ARYS, "population": 3},
             {"kato": SOZAK, "population": None}]


def line(facility, year, allocated, paid=None, contracted=None, district=TURKESTAN, type_="school",
         work="capital_repair", funding="oblast", lines=1):
    return {"facility_id": facility, "fiscal_year": year, "allocated_tiyn": allocated, "paid_tiyn": paid,
            "contracted_tiyn": contracted, "district_kato": district, "facility_type": type_,
            "work_type": work, "funding_source": funding, "line_count": lines}


LINES = [
    line("A", 2024, 10_000, 10_000),
    line("A", 2025, 12_500_050, 6_000_000, 12_000_000, lines=2),
    line("A", 2025, 1, None, work="equipment", funding=None),
    line("B", 2025, 300, 300, district=ARYS, type_="kindergarten", funding="district"),
    line("C", 2025, 7, 0, district=SOZAK, type_="clinic", work="construction", funding="republican"),
    line("C", 2024, 5, 5, district=SOZAK, type_="clinic", work="construction", funding="republican"),
]
EVERYONE = {2023: {"A", "B", "C"}, 2024: {"A", "B", "C"}, 2025: {"A", "B", "C"}}


def test_money_sums_are_exact_integers_with_unknown_amounts_as_zero():
    sums = money_sums([line("A", 2025, 10**15 + 1, None, 3), line("B", 2025, 10**15, 2, None, lines=4)])
    assert sums == {"allocated_tiyn": 2 * 10**15 + 1, "contracted_tiyn": 3, "paid_tiyn": 2,
                    "line_count": 5, "facility_count": 2}
    assert money_sums([]) == {"allocated_tiyn": 0, "contracted_tiyn": 0, "paid_tiyn": 0, "line_count": 0,
                              "facility_count": 0}


@pytest.mark.parametrize("current, previous, expected", [
    (150, 100, 50.0), (50, 100, -50.0), (100, 100, 0.0), (1, 3, -66.7), (0, 100, -100.0),
    (5_001_000, 2_000_000, 150.1), (1_999_000, 2_000_000, -0.1),  # ties: half away from zero, exactly
    (100, 0, None), (100, None, None), (None, 100, None), (0, 0, None),
])
def test_change_from_the_year_before_needs_a_base(current, previous, expected):
    assert change_pct(current, previous) == expected


def test_selected_lines_keep_the_year_and_the_years_selection():
    assert [l["facility_id"] for l in selected_lines(LINES, 2025, {2025: {"A", "C"}})] == ["A", "A", "C"]
    assert selected_lines(LINES, 2025, {2024: {"A"}}) == []  # no selection for the year: nothing
    assert selected_lines(LINES, None, EVERYONE) == []


def test_by_year_shows_every_year_with_its_own_selection_and_the_change():
    rows = by_year(LINES, [2023, 2024, 2025], {2023: set(), 2024: {"A", "C"}, 2025: {"A"}})
    assert [r["fiscal_year"] for r in rows] == [2023, 2024, 2025]
    empty, y2024, y2025 = rows
    assert empty["allocated_tiyn"] == 0 and empty["execution_pct"] is None
    assert empty["allocated_change_pct"] is None  # 2022 is not published
    assert y2024["allocated_change_pct"] is None  # 2023 had nothing allocated: no percentage
    assert (y2024["allocated_tiyn"], y2024["paid_tiyn"], y2024["facility_count"]) == (10_005, 10_005, 2)
    assert (y2025["allocated_tiyn"], y2025["paid_tiyn"], y2025["line_count"]) == (12_500_051, 6_000_000, 3)
    assert y2025["allocated_change_pct"] == round(100 * (12_500_051 - 10_005) / 10_005, 1)
    assert y2025["paid_change_pct"] == round(100 * (6_000_000 - 10_005) / 10_005, 1)
    assert y2025["execution_pct"] == 48.0


def test_by_year_compares_with_the_calendar_year_before_not_the_previous_published_one():
    rows = by_year([line("A", 2022, 100), line("A", 2024, 200)], [2022, 2024], {2022: {"A"}, 2024: {"A"}})
    assert [r["allocated_change_pct"] for r in rows] == [None, None]


def test_breakdown_orders_codes_as_the_format_lists_them_and_keeps_categories_that_dropped():
    current = selected_lines(LINES, 2025, EVERYONE)
    previous = selected_lines(LINES, 2024, EVERYONE)
    works = breakdown("work_type", current, previous)
    assert [r["key"] for r in works] == ["construction", "capital_repair", "equipment"]
    construction, repair, equipment = works
    assert construction["allocated_change_pct"] == 40.0  # 5 -> 7
    assert repair["allocated_tiyn"] == 12_500_050 + 300 and repair["allocated_change_pct"] == 124_903.5
    assert equipment["allocated_change_pct"] is None  # nothing the year before
    funding = breakdown("funding_source", current, previous)
    assert [r["key"] for r in funding] == ["republican", "oblast", "district", None]  # unknown last
    assert funding[-1]["allocated_tiyn"] == 1 and funding[-1]["execution_pct"] == 0.0
    dropped = breakdown("facility_type", selected_lines(LINES, 2025, {2025: {"A"}}), previous)
    assert [(r["key"], r["allocated_tiyn"], r["allocated_change_pct"]) for r in dropped] == [
        ("school", 12_500_051, round(100 * (12_500_051 - 10_000) / 10_000, 1)), ("clinic", 0, -100.0)]


def test_breakdown_without_a_published_year_before_has_no_change():
    rows = breakdown("district", selected_lines(LINES, 2025, EVERYONE), None)
    assert [r["key"] for r in rows] == [TURKESTAN, ARYS, SOZAK]  # by KATO code
    assert all(r["allocated_change_pct"] is None for r in rows)


def test_per_resident_rounds_half_up_and_is_none_without_population():
    rows = with_population(breakdown("district", selected_lines(LINES, 2025, EVERYONE), None), DISTRICTS)
    turkestan, arys, sozak = rows
    assert turkestan["allocated_per_resident"] == 12_500  # 12 500 051 / 1000 = 12 500.051
    assert turkestan["paid_per_resident"] == 6_000
    assert arys["allocated_per_resident"] == 100 and arys["population"] == 3
    assert arys["paid_per_resident"] == 100
    assert sozak["population"] is None
    assert sozak["allocated_per_resident"] is None and sozak["paid_per_resident"] is None
    # A district the districts list does not know has no population either.
    unknown = with_population([{"key": "999", "allocated_tiyn": 5, "paid_tiyn": 0}], DISTRICTS)[0]
    assert unknown["allocated_per_resident"] is None


def test_build_the_dashboard_of_a_year():
    result = build(LINES, [2024, 2025], 2025, EVERYONE, DISTRICTS)
    assert result.year == 2025 and result.previous_year == 2024 and result.has_money
    assert result.total["allocated_tiyn"] == 12_500_050 + 1 + 300 + 7
    assert result.total["execution_pct"] == round(100 * 6_000_300 / 12_500_358, 1)
    assert result.total["allocated_change_pct"] == round(100 * (12_500_358 - 10_005) / 10_005, 1)
    # Every breakdown adds up to the year's total.
    for rows in result.tables.values():
        for name in ("allocated_tiyn", "contracted_tiyn", "paid_tiyn", "line_count"):
            assert sum(r[name] for r in rows) == result.total[name]
    assert result.total["population"] is None  # Sozak has no population: no per-resident total
    assert result.total["allocated_per_resident"] is None
    assert [r["fiscal_year"] for r in result.years] == [2024, 2025]


def test_build_per_resident_total_uses_the_listed_districts():
    result = build(LINES, [2024, 2025], 2025, {2024: set(), 2025: {"A", "B"}}, DISTRICTS)
    assert result.total["population"] == 1003
    assert result.total["allocated_per_resident"] == round((12_500_051 + 300) / 1003)
    assert result.tables["district"][0]["allocated_change_pct"] is None  # 2024 selected nothing


def test_build_without_the_year_before_or_without_data():
    result = build(LINES, [2025], 2025, EVERYONE, DISTRICTS)
    assert result.previous_year is None and result.total["allocated_change_pct"] is None
    empty = build([], [], None, {}, DISTRICTS)
    assert not empty.has_money and empty.years == [] and empty.tables["district"] == []
    assert empty.total["execution_pct"] is None and empty.total["allocated_per_resident"] is None


def test_kzt_is_exact():
    assert kzt(12_500_050) == Decimal("125000.50") and str(kzt(1)) == "0.01" and kzt(None) is None


def test_table_csv_is_for_excel_and_neutralises_formulas():
    columns = [Column("=Name", lambda r: r["name"]), Column("Allocated, KZT", lambda r: kzt(r["tiyn"])),
               Column("Change, %", lambda r: r["change"]), Column("Count", lambda r: r["count"])]
    rows = [{"name": "=HYPERLINK(\"http://x\")", "tiyn": 12_500_050, "change": -12.5, "count": 3},
            {"name": "+1", "tiyn": 0, "change": None, "count": 0},
            {"name": "-2+3", "tiyn": 1, "change": 0.0, "count": 1},
            {"name": "@SUM(A1)", "tiyn": None, "change": 7.0, "count": 1},
            {"name": "Түркістан, \"центр\"", "tiyn": 5, "change": None, "count": 1}]
    body = table_csv(columns, rows)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8")[1:]
    assert text.split("\r\n") == [
        "'=Name,\"Allocated, KZT\",\"Change, %\",Count",
        "\"'=HYPERLINK(\"\"http://x\"\")\",125000.50,-12.5,3",
        "'+1,0.00,,0",
        "'-2+3,0.01,0.0,1",
        "'@SUM(A1),,7.0,1",
        "\"Түркістан, \"\"центр\"\"\",0.05,,1",
        "",
    ]
