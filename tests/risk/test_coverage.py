"""What each risk rule could check: checked, missing inputs, not applicable."""

import pandas as pd

from risk.coverage import rule_coverage
from risk.rules import FACILITY_COLUMNS, LINE_COLUMNS, RULES, RiskThresholds
from tests.risk.rule_tables import facility, line


def coverage(lines, facilities, **thresholds):
    rows = rule_coverage(pd.DataFrame(lines, columns=LINE_COLUMNS), pd.DataFrame(facilities, columns=FACILITY_COLUMNS),
                         RiskThresholds(**thresholds))
    assert [r["rule"] for r in rows] == list(RULES)
    assert all(r["checked"] + r["missing_inputs"] + r["not_applicable"] == r["lines"] for r in rows)
    return {r["rule"]: (r["checked"], r["missing_inputs"], r["not_applicable"]) for r in rows}


def test_each_rule_counts_the_lines_it_could_and_could_not_check():
    lines = [line("A", paid=500, progress=50, end="2025-01-01", status="in_progress", contracted=900, bin="123456789012"),
             line("B", work="equipment"),
             line("C", work="construction", contracted=100, contractor="ТОО Құрылыс")]
    places = [facility("A", area=100.0), facility("B"), facility("C", capacity=50, unit="places")]
    found = coverage(lines, places, unit_cost_min_group=4)
    assert found["paid_above_allocated"] == (2, 1, 0)
    assert found["paid_ahead_of_progress"] == (1, 2, 0)
    assert found["repeat_repair"] == (1, 0, 2)
    assert found["unit_cost_outlier"] == (0, 2, 1)  # groups of one: too few comparable works
    assert found["overdue"] == (1, 2, 0)
    assert found["contractor_concentration"] == (2, 1, 0)
    assert found["stalled"] == (1, 2, 0)


def test_unit_costs_count_as_checked_in_a_big_enough_group():
    lines = [line(f"F{n}", allocated=1000 + n) for n in range(4)] + [line("X")]
    places = [facility(f"F{n}", area=10.0) for n in range(4)] + [facility("X")]
    assert coverage(lines, places, unit_cost_min_group=4)["unit_cost_outlier"] == (4, 1, 0)
