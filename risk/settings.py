"""The risk rules' thresholds as settings (docs/risk-flags.md, docs/configuration.md).

They apply to versions published after a change; each version keeps the thresholds it was
checked with.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.settings import Setting
from risk.rules import RiskThresholds

# Setting -> (``RiskThresholds`` field, help text).
RISK_SETTINGS = {
    "RISK_PAID_OVER_ALLOCATED_PCT": ("paid_over_allocated_pct", "Rule 1: flag a line paid more "
                                     "than this percentage above its allocation (0: any overpayment)."),
    "RISK_CONTRACTED_OVER_ALLOCATED_PCT": ("contracted_over_allocated_pct", "Rule 1: flag a line "
                                           "contracted more than this percentage above its allocation."),
    "RISK_PAID_AHEAD_POINTS": ("paid_ahead_points", "Rule 2: flag a line whose paid share of the "
                               "allocation exceeds its physical progress by more than these points."),
    "RISK_REPEAT_REPAIR_YEARS": ("repeat_repair_years", "Rule 3: flag repairs of one facility in two "
                                 "different years within this many consecutive years."),
    "RISK_UNIT_COST_IQR_FACTOR": ("unit_cost_iqr_factor", "Rule 4: flag a unit cost above Q3 + this "
                                  "factor x IQR of its facility type and work type."),
    "RISK_UNIT_COST_MIN_GROUP": ("unit_cost_min_group", "Rule 4: fewest comparable works a group needs "
                                 "to be judged; smaller groups are reported as not judged."),
    "RISK_OVERDUE_GRACE_DAYS": ("overdue_grace_days", "Rule 5: days after the end date before "
                                "unfinished works count as overdue."),
    "RISK_CONTRACTOR_SHARE_PCT": ("contractor_share_pct", "Rule 6: flag a contractor holding more than "
                                  "this percentage of a district's allocated money in a year."),
    "RISK_CONTRACTOR_MIN_CONTRACTS": ("contractor_min_contracts", "Rule 6: contracts the contractor must "
                                      "hold in the district that year (1: a single large contract counts)."),
    "RISK_STALLED_PROGRESS_POINTS": ("stalled_progress_points", "Rule 7: flag works paid more than in "
                                     "the previous version while progress rose by at most these points."),
}
SETTINGS = tuple(Setting(name, getattr(RiskThresholds, field), text)
                  for name, (field, text) in RISK_SETTINGS.items())


def thresholds(config: Mapping) -> RiskThresholds:
    """The risk rules' thresholds from the app's settings (ValueError if one is not a number >= 0)."""
    return RiskThresholds(**{field: config[name] for name, (field, _help) in RISK_SETTINGS.items()})
