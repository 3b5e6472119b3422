"""Risk flags as a whole: the thresholds, what ``compute_flags`` accepts, the order of its flags,
and the rules run on the bundled demo data, where every planted anomaly must be caught.

``test_each_rule`` checks each rule's boundaries on small hand-made tables.
"""

import pandas as pd
import pytest

from risk.rule_tools import hundredths
from risk.rules import (
    FACILITY_COLUMNS,
    FLAG_COLUMNS,
    LINE_COLUMNS,
    NOT_JUDGED,
    RAISED,
    RULES,
    RiskThresholds,
    compute_flags,
)
from tests.risk.rule_tables import AS_OF, facility, line

# ------------------------------------------------------------------ thresholds


def test_default_thresholds_are_the_issue_s():
    t = RiskThresholds()
    assert (t.contracted_over_allocated_pct, t.paid_ahead_points, t.repeat_repair_years,
            t.unit_cost_iqr_factor, t.contractor_share_pct, t.paid_over_allocated_pct) == (10, 30, 3, 1.5, 40, 0)


@pytest.mark.parametrize("field, value", [("paid_ahead_points", -1), ("contractor_share_pct", "40"),
                                          ("unit_cost_min_group", 2.5), ("repeat_repair_years", 1),
                                          ("unit_cost_min_group", 3), ("overdue_grace_days", True),
                                          ("contractor_min_contracts", 0)])
def test_wrong_thresholds_are_refused(field, value):
    with pytest.raises(ValueError, match="risk threshold"):
        RiskThresholds(**{field: value})


def test_thresholds_count_in_hundredths():
    assert [hundredths(v) for v in (30, 10.5, 0.005, 0, 1.5)] == [3000, 1050, 1, 0, 150]


def test_unknown_rule_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="known: paid_above_allocated"):
        compute_flags(pd.DataFrame([line()]), pd.DataFrame([facility()]), as_of=AS_OF, rules=["bribery"])


def test_no_lines_no_flags():
    found = compute_flags(pd.DataFrame(columns=LINE_COLUMNS), pd.DataFrame(columns=FACILITY_COLUMNS),
                          as_of=AS_OF)
    assert found.empty and list(found.columns) == list(FLAG_COLUMNS)


# ------------------------------------------------------------------ all rules together


def test_flags_come_sorted():
    rows = [line("B", 2024, "capital_repair", paid=2_000, end="2024-01-01", status="in_progress", progress=10),
            line("A", 2023, "current_repair", paid=1_001), line("A", 2022, "capital_repair")]
    found = compute_flags(pd.DataFrame(rows), pd.DataFrame([facility("A"), facility("B")]), as_of=AS_OF)
    assert [(f, y, r) for f, y, r in zip(found["facility"], found["fiscal_year"], found["rule"])] == [
        ("A", 2023, "paid_above_allocated"), ("A", 2023, "repeat_repair"),
        ("B", 2024, "paid_above_allocated"), ("B", 2024, "paid_ahead_of_progress"), ("B", 2024, "overdue")]


# ------------------------------------------------------------------ the demo data's planted anomalies


@pytest.fixture(scope="module")
def demo_flags(geography):
    from budget.demo.dataset import CSV_PATH, REFERENCE_DATE
    from budget.reader import read_budget_file
    from budget.validation import validate_table

    validated = validate_table(read_budget_file(CSV_PATH.read_bytes(), CSV_PATH.name), geography.districts,
                               today=REFERENCE_DATE)
    assert validated.ok
    lines = validated.lines.rename(columns={"facility_id": "facility", "amount_allocated": "allocated_tiyn",
                                            "amount_contracted": "contracted_tiyn", "amount_paid": "paid_tiyn"})
    facilities = validated.facilities.rename(columns={"facility_id": "facility", "kato": "district_kato"})
    return compute_flags(lines, facilities, as_of=REFERENCE_DATE)


def test_every_planted_anomaly_of_the_demo_data_is_caught(demo_flags):
    from budget.demo.anomalies import ANOMALIES

    found = demo_flags[demo_flags["outcome"] == RAISED]
    for rule, planted in ANOMALIES.items():
        flagged = set(found.loc[found["rule"] == rule, "facility"])
        assert set(planted) <= flagged, (rule, sorted(set(planted) - flagged))


def test_the_demo_data_raises_few_flags_beside_the_planted_ones(demo_flags):
    from budget.demo.anomalies import ANOMALIES

    found = demo_flags[demo_flags["outcome"] == RAISED]
    extra = {rule: sorted(set(found.loc[found["rule"] == rule, "facility"]) - set(ANOMALIES.get(rule, ())))
             for rule in RULES}
    # Exactly the planted ones, but for the rule the generator does not avoid: contractors with a
    # large construction and one more contract in a small district (see docs/risk-flags.md).
    assert {rule: ids for rule, ids in extra.items() if ids and rule != "contractor_concentration"} == {}
    assert len(extra["contractor_concentration"]) < 40
    not_judged = demo_flags[demo_flags["outcome"] == NOT_JUDGED]
    assert set(not_judged["rule"]) == {"unit_cost_outlier"} and len(not_judged) == 212  # groups under 20
