"""What each risk rule could check: of a version's budget lines, how many had the inputs the rule
needs, how many lacked them (a missing input), and how many the rule is not about.

A flag's absence means little when the rule could not look: this says how far each rule saw.
Counts are of published budget lines (all years). Inputs per rule (``risk.rules.RULES``):

1. ``paid_above_allocated``: paid or contracted.
2. ``paid_ahead_of_progress``: paid and physical progress (allocation above zero).
3. ``repeat_repair``: repair lines only; nothing can be missing.
4. ``unit_cost_outlier``: works other than equipment; a floor area or a capacity, and a group of
   at least ``RISK_UNIT_COST_MIN_GROUP`` comparable works (``risk.unit_costs``, as the rule).
5. ``overdue``: an end date, and a status or a physical progress.
6. ``contractor_concentration``: a contract amount and a contractor (BIN or name).
7. ``stalled``: paid and physical progress (and lines of the version before, not counted here).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from risk.group_rules import REPAIRS, contractor_key
from risk.rules import RULES, RiskThresholds, prepare_facilities, prepare_lines
from risk.store import facility_attributes, published_lines, thresholds_of
from risk.unit_costs import UNIT_COST_WORK_TYPES, compared, work_rates

COVERAGE_FIELDS = ("rule", "lines", "checked", "missing_inputs", "not_applicable")


def rule_coverage(lines: pd.DataFrame, facilities: pd.DataFrame,
                  thresholds: RiskThresholds | None = None) -> list[dict]:
    """One row per rule (in ``RULES`` order): lines, checked, missing_inputs, not_applicable."""
    t = thresholds or RiskThresholds()
    lines, facilities = prepare_lines(lines), prepare_facilities(facilities)
    total = len(lines)
    everything = pd.Series(True, index=lines.index)
    paid, contracted = lines["paid_tiyn"].notna(), lines["contracted_tiyn"].notna()
    progress, end = lines["physical_progress_pct"].notna(), lines["end_date"].notna()
    status = lines["status"].notna()
    contractor = contractor_key(lines["contractor_name"], lines["contractor_bin"]).notna()
    judged = _unit_cost_judged(lines, facilities, t)
    applies_checked = {
        "paid_above_allocated": (everything, paid | contracted),
        "paid_ahead_of_progress": (everything, paid & progress & (lines["allocated_tiyn"].fillna(0) > 0)),
        "repeat_repair": (lines["work_type"].isin(REPAIRS), everything),
        "unit_cost_outlier": (lines["work_type"].isin(UNIT_COST_WORK_TYPES), judged),
        "overdue": (everything, end & (status | progress)),
        "contractor_concentration": (everything, contracted & contractor),
        "stalled": (everything, paid & progress),
    }
    rows = []
    for rule in RULES:
        applies, has_inputs = applies_checked[rule]
        applies = applies.to_numpy(dtype=bool)
        checked = int((applies & has_inputs.to_numpy(dtype=bool)).sum())
        relevant = int(applies.sum())
        rows.append({"rule": rule, "lines": total, "checked": checked, "missing_inputs": relevant - checked,
                     "not_applicable": total - relevant})
    return rows


def _unit_cost_judged(lines: pd.DataFrame, facilities: pd.DataFrame, t: RiskThresholds) -> pd.Series:
    """Lines whose work the unit-cost rule judged: priced on its primary basis in a big enough group."""
    table = compared(work_rates(lines, facilities), float(t.unit_cost_iqr_factor))
    if table.empty:
        return pd.Series(False, index=lines.index)
    table = table[table["primary"].astype(bool) & (table["group_size"] >= int(t.unit_cost_min_group))]
    keys = set(zip(table["facility"], table["fiscal_year"], table["work_type"]))
    return pd.Series([key in keys for key in zip(lines["facility"], lines["fiscal_year"], lines["work_type"])],
                     index=lines.index, dtype=bool)


def version_coverage(connection: sa.Connection, version_id: int | None,
                     thresholds: RiskThresholds | None = None) -> list[dict]:
    """``rule_coverage`` of the lines published as of ``version_id`` ([] before any publication)."""
    if version_id is None:
        return []
    return rule_coverage(published_lines(connection, version_id), facility_attributes(connection),
                         thresholds or thresholds_of(connection, version_id))
