"""Risk flags, rule by rule, on small hand-made tables: what fires, and what must not.

Boundaries are checked exactly at the threshold (which never fires), just above it, with missing
values and with thresholds changed. ``test_rules`` checks the rules together and on the demo data.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from risk.rules import FACILITY_COLUMNS, FLAG_COLUMNS, LINE_COLUMNS, NOT_JUDGED, RAISED, RiskThresholds, compute_flags
from tests.risk.rule_tables import AS_OF, facility, line


def flags_of(rule, lines, facilities=None, thresholds=None, previous=None, as_of=AS_OF):
    lines = pd.DataFrame(lines, columns=LINE_COLUMNS)
    if facilities is None:
        facilities = [facility(key) for key in dict.fromkeys(lines["facility"])]
    found = compute_flags(lines, pd.DataFrame(facilities, columns=FACILITY_COLUMNS), as_of=as_of,
                          thresholds=thresholds, rules=[rule],
                          previous_lines=None if previous is None else pd.DataFrame(previous, columns=LINE_COLUMNS))
    assert list(found.columns) == list(FLAG_COLUMNS)
    assert set(found["rule"]) <= {rule}
    return found.to_dict("records")


def raised(found):
    return [f for f in found if f["outcome"] == RAISED]


# ------------------------------------------------------------------ 1. paid above allocated


def test_paid_above_allocated_fires_one_tiyn_over_and_not_at_the_allocation():
    found = flags_of("paid_above_allocated", [line("A", paid=1_001), line("B", paid=1_000),
                                              line("C", paid=None, contracted=None)])
    assert [(f["facility"], f["work_type"], f["threshold"]) for f in found] == [("A", "capital_repair", 0)]
    assert found[0]["figures"] == {"allocated_tiyn": 1_000, "paid_tiyn": 1_001, "contracted_tiyn": None,
                                   "paid_pct": 100.1, "contracted_pct": None, "paid_over": True,
                                   "contracted_over": False, "paid_limit_pct": 0, "contracted_limit_pct": 10}


def test_contracted_fires_only_beyond_ten_percent():
    found = flags_of("paid_above_allocated", [line("A", contracted=1_100, paid=900),
                                              line("B", contracted=1_101, paid=1_000)])
    assert [f["facility"] for f in found] == ["B"]
    assert found[0]["threshold"] == 10
    assert found[0]["figures"]["contracted_over"] and not found[0]["figures"]["paid_over"]
    assert found[0]["figures"]["contracted_pct"] == 110.1


def test_paid_above_allocated_thresholds_are_configurable():
    t = RiskThresholds(paid_over_allocated_pct=5, contracted_over_allocated_pct=20)
    found = flags_of("paid_above_allocated", [line("A", paid=1_050), line("B", paid=1_051),
                                              line("C", contracted=1_200), line("D", contracted=1_201)], thresholds=t)
    assert [(f["facility"], f["threshold"]) for f in found] == [("B", 5), ("D", 20)]


def test_nothing_allocated_but_something_paid_fires_without_a_share():
    found = flags_of("paid_above_allocated", [line("A", allocated=0, paid=1), line("B", allocated=0, paid=0)])
    assert [f["facility"] for f in found] == ["A"]
    assert found[0]["figures"]["paid_pct"] is None


def test_amounts_too_large_for_64_bits_are_still_compared_exactly():
    allocated = 10**17  # 1e17 tiyn x 11 000 overflows int64: compared in Python integers
    found = flags_of("paid_above_allocated", [line("A", allocated=allocated, contracted=allocated * 11 // 10),
                                              line("B", allocated=allocated, contracted=allocated * 11 // 10 + 1)])
    assert [f["facility"] for f in found] == ["B"]


# ------------------------------------------------------------------ 2. paid ahead of progress


def test_paid_ahead_fires_above_thirty_points_not_at_thirty():
    found = flags_of("paid_ahead_of_progress", [line("A", paid=700, progress=40), line("B", paid=701, progress=40),
                                                line("C", paid=695, progress=39.5), line("D", paid=696, progress=39.5)])
    assert [f["facility"] for f in found] == ["B", "D"]
    assert found[0]["figures"] == {"allocated_tiyn": 1_000, "paid_tiyn": 701, "paid_share_pct": 70.1,
                                   "progress_pct": 40, "gap_points": 30.1}
    assert found[0]["threshold"] == 30


def test_paid_ahead_needs_paid_progress_and_an_allocation():
    found = flags_of("paid_ahead_of_progress", [line("A", paid=900, progress=None), line("B", paid=None, progress=0),
                                                line("C", allocated=0, paid=900, progress=0),
                                                line("D", paid=0, progress=0)])
    assert found == []


def test_paid_ahead_threshold_is_configurable():
    found = flags_of("paid_ahead_of_progress", [line("A", paid=900, progress=40), line("B", paid=901, progress=40)],
                     thresholds=RiskThresholds(paid_ahead_points=50))
    assert [(f["facility"], f["threshold"]) for f in found] == [("B", 50)]


# ------------------------------------------------------------------ 3. repeated repairs


def test_repairs_in_two_of_three_years_fire_on_the_later_year():
    found = flags_of("repeat_repair", [line("A", 2022, "capital_repair", 500), line("A", 2024, "current_repair", 70)])
    assert [(f["facility"], f["fiscal_year"], f["work_type"], f["threshold"]) for f in found] == [("A", 2024, None, 3)]
    assert found[0]["figures"] == {"window_years": 3, "repairs": [
        {"year": 2022, "work_types": ["capital_repair"], "allocated_tiyn": 500},
        {"year": 2024, "work_types": ["current_repair"], "allocated_tiyn": 70}]}


@pytest.mark.parametrize("rows", [
    [line("A", 2022, "capital_repair"), line("A", 2025, "capital_repair")],        # three years apart
    [line("A", 2022, "capital_repair"), line("A", 2023, "maintenance")],           # not a repair
    [line("A", 2023, "capital_repair"), line("A", 2023, "current_repair")],        # one year
    [line("A", 2022, "capital_repair"), line("B", 2023, "capital_repair")],        # two facilities
    [line("A", 2022, "equipment"), line("A", 2023, "construction")],
])
def test_repairs_that_must_not_fire(rows):
    assert flags_of("repeat_repair", rows) == []


def test_three_repair_years_in_a_row_flag_the_second_and_the_third():
    found = flags_of("repeat_repair", [line("A", year, "current_repair", 10) for year in (2022, 2023, 2024)]
                     + [line("A", 2024, "capital_repair", 5)])
    assert [(f["fiscal_year"], [r["year"] for r in f["figures"]["repairs"]]) for f in found] == [
        (2023, [2022, 2023]), (2024, [2022, 2023, 2024])]
    assert found[1]["figures"]["repairs"][-1] == {"year": 2024, "work_types": ["capital_repair", "current_repair"],
                                                  "allocated_tiyn": 15}


def test_repeat_repair_window_is_configurable():
    rows = [line("A", 2022, "capital_repair"), line("A", 2024, "capital_repair"),
            line("B", 2022, "capital_repair"), line("B", 2023, "capital_repair")]
    found = flags_of("repeat_repair", rows, thresholds=RiskThresholds(repeat_repair_years=2))
    assert [(f["facility"], f["fiscal_year"]) for f in found] == [("B", 2023)]


# ------------------------------------------------------------------ 4. unit-cost outliers

RATES = tuple(range(10, 200, 10))  # 19 works; with one more X >= 190: Q1 54.17, Q3 155.83, limit 308.33 (type 8)


def group(last_rate, kind="clinic", work="capital_repair", area=1.0):
    rows = [line(f"C{n:02}", 2023, work, allocated=rate) for n, rate in enumerate(RATES + (last_rate,))]
    places = [facility(f"C{n:02}", kind, area=area) for n in range(len(rows))]
    return rows, places


def test_unit_cost_quartiles_are_hyndman_fan_type_8():
    values = np.array(RATES + (400,), dtype=float)
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75], method="median_unbiased")
    assert (round(q1, 2), median, round(q3, 2)) == (54.17, 105, 155.83)
    assert round(q3 + 1.5 * (q3 - q1), 2) == 308.33


def test_unit_cost_below_the_limit_does_not_fire_and_above_it_does():
    assert raised(flags_of("unit_cost_outlier", *group(308))) == []
    found = raised(flags_of("unit_cost_outlier", *group(309)))
    assert [(f["facility"], f["work_type"], f["threshold"]) for f in found] == [("C19", "capital_repair", 1.5)]
    assert found[0]["figures"] == {"allocated_tiyn": 309, "facility_type": "clinic", "basis": "area", "unit": "m2",
                                   "basis_value": 1, "rate_tiyn": 309, "group_size": 20, "q1_tiyn": 54,
                                   "median_tiyn": 105, "q3_tiyn": 156, "limit_tiyn": 308, "iqr_factor": 1.5}


def test_unit_cost_is_per_square_metre_and_adds_up_a_year_s_lines():
    rows, places = group(100, area=100.0)
    rows = [{**r, "allocated_tiyn": r["allocated_tiyn"] * 100} for r in rows]
    rows.append(line("C00", 2023, "capital_repair", allocated=40_000, paid=None))  # C00: 1000 + 40000 over 100 m²
    found = raised(flags_of("unit_cost_outlier", rows, places))
    assert [(f["facility"], f["figures"]["rate_tiyn"]) for f in found] == [("C00", 410)]


def test_a_small_group_is_not_judged_and_says_so():
    rows, places = group(10_000)
    found = flags_of("unit_cost_outlier", rows[1:], places[1:])  # 19 works < 20
    assert raised(found) == []
    assert len(found) == 19 and {f["outcome"] for f in found} == {NOT_JUDGED}
    assert {f["threshold"] for f in found} == {20}
    outlier = next(f for f in found if f["facility"] == "C19")
    assert outlier["figures"] == {"allocated_tiyn": 10_000, "facility_type": "clinic", "basis": "area", "unit": "m2",
                                  "basis_value": 1, "rate_tiyn": 10_000, "group_size": 19, "min_group": 20}
    found = flags_of("unit_cost_outlier", rows[1:], places[1:], thresholds=RiskThresholds(unit_cost_min_group=19))
    assert [f["facility"] for f in raised(found)] == ["C19"] and all(f["outcome"] == RAISED for f in found)


def test_groups_are_facility_type_and_work_type():
    rows, places = group(190)
    other_rows = [line("X1", 2023, "capital_repair", allocated=10_000), line("X2", 2023, "current_repair", allocated=10_000)]
    other_places = [facility("X1", "school", area=1.0), facility("X2", "clinic", area=1.0)]
    found = flags_of("unit_cost_outlier", rows + other_rows, places + other_places)
    assert raised(found) == []  # each stranger is alone in its group: not judged
    assert sorted(f["facility"] for f in found if f["outcome"] == NOT_JUDGED) == ["X1", "X2"]


def test_works_without_floor_area_or_capacity_and_equipment_are_not_compared():
    rows, places = group(10_000, area=None)
    assert flags_of("unit_cost_outlier", rows, places) == []
    rows, places = group(10_000, work="equipment")
    assert flags_of("unit_cost_outlier", rows, places) == []


def test_construction_is_priced_per_capacity_unit():
    rows = [line(f"K{n:02}", 2024, "construction", allocated=rate * 100) for n, rate in enumerate(RATES + (309,))]
    places = [facility(f"K{n:02}", "kindergarten", area=5_000.0, capacity=100, unit=" Places ") for n in range(20)]
    found = raised(flags_of("unit_cost_outlier", rows, places))
    assert [(f["facility"], f["figures"]["basis"], f["figures"]["unit"], f["figures"]["rate_tiyn"]) for f in found] == [
        ("K19", "capacity", "places", 309)]


def test_the_flag_uses_the_same_numbers_as_the_comparison():
    from risk.rules import prepare_facilities, prepare_lines
    from risk.unit_costs import compared, work_rates

    rows, places = group(309)
    lines = prepare_lines(pd.DataFrame(rows, columns=LINE_COLUMNS))
    table = compared(work_rates(lines, prepare_facilities(pd.DataFrame(places, columns=FACILITY_COLUMNS))), 1.5)
    outlier = table[table["facility"] == "C19"].iloc[0]
    flag = raised(flags_of("unit_cost_outlier", rows, places))[0]["figures"]
    assert (round(outlier["q1"]), round(outlier["median"]), round(outlier["upper_fence"])) == (
        flag["q1_tiyn"], flag["median_tiyn"], flag["limit_tiyn"])
    assert round(outlier["ratio"], 2) == round(309 / 105, 2)


# ------------------------------------------------------------------ 5. overdue


def test_overdue_fires_the_day_after_the_end_date():
    found = flags_of("overdue", [line("A", end="2025-06-30", status="in_progress", progress=50),
                                 line("B", end="2025-07-01", status="in_progress", progress=50),
                                 line("C", end="2024-12-01", status="suspended", progress=None)])
    assert [(f["facility"], f["figures"]["days_overdue"]) for f in found] == [("A", 1), ("C", 212)]
    assert found[0]["figures"] == {"end_date": "2025-06-30", "as_of": "2025-07-01", "days_overdue": 1,
                                   "status": "in_progress", "progress_pct": 50}
    assert found[0]["threshold"] == 0


@pytest.mark.parametrize("row", [
    line(end="2024-01-01", status="completed", progress=100), line(end="2024-01-01", status="cancelled"),
    line(end="2024-01-01", status="in_progress", progress=100), line(end=None, status="in_progress"),
    line(end="2024-01-01", status=None, progress=None), line(end="2024-01-01", status="completed", progress=60),
])
def test_finished_or_unknown_works_are_not_overdue(row):
    assert flags_of("overdue", [row]) == []


def test_without_a_status_the_progress_decides():
    found = flags_of("overdue", [line("A", end="2024-01-01", progress=60), line("B", end="2024-01-01", status="planned")])
    assert [(f["facility"], f["figures"]["status"]) for f in found] == [("A", None), ("B", "planned")]


def test_overdue_counts_from_the_day_passed_in_with_grace_days():
    rows = [line("A", end="2025-06-30", status="in_progress"), line("B", end="2025-06-29", status="in_progress")]
    found = flags_of("overdue", rows, thresholds=RiskThresholds(overdue_grace_days=1))
    assert [(f["facility"], f["figures"]["days_overdue"], f["threshold"]) for f in found] == [("B", 2, 1)]
    assert [f["facility"] for f in flags_of("overdue", rows, as_of=dt.date(2025, 6, 30))] == ["B"]


# ------------------------------------------------------------------ 6. contractor concentration


def district_year(first, second, *others):
    """District 611000000 in 2024, 1000 tiyn allocated: contractor Alpha holds two contracts."""
    return [line("A", 2024, "capital_repair", 300, contracted=first, contractor="ТОО «Alpha»", bin="111111111111"),
            line("B", 2024, "current_repair", 200, contracted=second, contractor="ТОО «Alpha»", bin="111111111111"),
            line("C", 2024, "maintenance", 500, contracted=None), *others]


def test_a_contractor_above_forty_percent_flags_each_of_its_facilities():
    assert flags_of("contractor_concentration", district_year(200, 200)) == []  # exactly 40%
    found = flags_of("contractor_concentration", district_year(201, 200))
    assert [(f["facility"], f["fiscal_year"], f["threshold"]) for f in found] == [("A", 2024, 40), ("B", 2024, 40)]
    assert found[0]["figures"] == {"contractor_name": "ТОО «Alpha»", "contractor_bin": "111111111111",
                                   "district_kato": "611000000", "contracts": 2, "contractor_tiyn": 401,
                                   "district_tiyn": 1_000, "share_pct": 40.1, "facility_tiyn": 201}


def test_one_large_contract_needs_the_minimum_set_to_one():
    rows = [line("A", 2024, "construction", 900, contracted=900, contractor="Builder"), line("B", 2024, "maintenance", 100)]
    assert flags_of("contractor_concentration", rows) == []
    found = flags_of("contractor_concentration", rows, thresholds=RiskThresholds(contractor_min_contracts=1))
    assert [(f["facility"], f["figures"]["share_pct"]) for f in found] == [("A", 90.0)]


def test_contractors_are_known_by_bin_else_by_name_ignoring_case_and_spaces():
    rows = [line("A", 2024, allocated=300, contracted=300, contractor="ТОО  Alpha"),
            line("B", 2024, allocated=300, contracted=300, contractor="тоо alpha "),
            line("C", 2024, allocated=400, contracted=None, contractor="ТОО Alpha")]  # no contract amount
    assert [f["facility"] for f in flags_of("contractor_concentration", rows)] == ["A", "B"]
    rows = [line("A", 2024, allocated=300, contracted=300, contractor="Alpha", bin="111111111111"),
            line("B", 2024, allocated=300, contracted=300, contractor="Alpha", bin="222222222222"),
            line("C", 2024, allocated=400)]
    assert flags_of("contractor_concentration", rows) == []  # same name, two companies


def test_districts_and_years_are_separate():
    rows = [line("A", 2024, allocated=100, contracted=100, contractor="Alpha"),
            line("B", 2024, allocated=100, contracted=100, contractor="Alpha"),
            line("C", 2024, allocated=1_000), line("D", 2025, allocated=1_000, contracted=1_000, contractor="Alpha")]
    places = [facility("A"), facility("B", district="612000000"), facility("C"), facility("D")]
    assert flags_of("contractor_concentration", rows, places) == []


def test_contractor_share_is_configurable():
    found = flags_of("contractor_concentration", district_year(201, 200), thresholds=RiskThresholds(contractor_share_pct=45))
    assert found == []


# ------------------------------------------------------------------ 7. stalled


def test_paid_rising_without_progress_is_stalled():
    before = [line("A", paid=100, progress=40), line("B", paid=100, progress=40), line("C", paid=100, progress=40)]
    now = [line("A", paid=150, progress=40), line("B", paid=150, progress=41), line("C", paid=100, progress=30)]
    found = flags_of("stalled", now, previous=before)
    assert [(f["facility"], f["work_type"], f["threshold"]) for f in found] == [("A", "capital_repair", 0)]
    assert found[0]["figures"] == {"paid_before_tiyn": 100, "paid_tiyn": 150, "progress_before_pct": 40,
                                   "progress_pct": 40}


def test_stalled_needs_both_sides_and_unfinished_works():
    before = [line("A", paid=100, progress=100), line("B", paid=None, progress=40), line("C", paid=100, progress=None),
              line("D", 2024, paid=100, progress=40), line("E", work="maintenance", paid=100, progress=40)]
    now = [line("A", paid=150, progress=100), line("B", paid=150, progress=40), line("C", paid=150, progress=40),
           line("D", 2025, paid=150, progress=40), line("E", paid=150, progress=40)]
    assert flags_of("stalled", now, previous=before) == []
    assert flags_of("stalled", now) == []  # nothing to compare with


def test_stalled_adds_up_a_work_s_lines_and_has_a_configurable_rise():
    before = [line("A", paid=100, progress=40)]
    now = [line("A", paid=60, progress=45), {**line("A", paid=60, progress=44), "contractor_name": "x"}]
    assert [f["figures"]["paid_tiyn"] for f in flags_of("stalled", now, previous=before,
                                                         thresholds=RiskThresholds(stalled_progress_points=5))] == [120]
    assert flags_of("stalled", now, previous=before) == []
