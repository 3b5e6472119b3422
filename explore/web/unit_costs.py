"""The facility page's unit-cost comparison in words and as small strip charts (inline SVG).

``explore.unit_costs`` gives the numbers (those of the unit-cost risk flag); this says them:
"2.3× the median of 48 comparable capital repairs", or why a work is not compared, and lays out
each strip chart: every comparable work a grey dot, the quartile box, the median, the fences
and this facility's work as a larger dot. Positions across are percentages, so a chart fits a
375 px phone as well as a wide screen; ``templates/explore/_unit_costs.html`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from core.web.i18n import WORK_TYPE_LABELS, label_of, money, number
from explore.unit_costs import Comparison, facility_unit_costs
from risk.rule_tools import whole

_work = label_of(WORK_TYPE_LABELS)
LEFT, RIGHT = 2.0, 98.0  # % of the width: the dots' radius stays inside
# Okabe-Ito: the facility's work in vermillion, the box in sky blue, fences in grey.
OWN, BOX, PEER, FENCE = "#d55e00", "#56b4e9", "#767676", "#595959"


@dataclass(frozen=True)
class Strip:
    dots: tuple[float, ...]  # % across
    own: float
    q1: float
    median: float
    q3: float
    lower_fence: float | None  # None: outside the drawn range
    upper_fence: float | None
    low_label: str
    high_label: str


def comparable_works(work_type: str, count: int) -> str:
    """'48 comparable capital repairs' in the reader's language."""
    if work_type == "construction":
        return ngettext("%(num)d comparable construction project", "%(num)d comparable construction projects", count)
    if work_type == "capital_repair":
        return ngettext("%(num)d comparable capital repair", "%(num)d comparable capital repairs", count)
    if work_type == "current_repair":
        return ngettext("%(num)d comparable current repair", "%(num)d comparable current repairs", count)
    if work_type == "maintenance":
        return ngettext("%(num)d comparable maintenance work", "%(num)d comparable maintenance works", count)
    return ngettext("%(num)d comparable work", "%(num)d comparable works", count)


def per_unit(comparison: Comparison) -> str:
    if comparison.basis == "area":
        return _("per m²")
    if comparison.unit in ("", "places", "place"):
        return _("per place")
    return _("per unit of capacity (%(unit)s)", unit=comparison.unit)


def sentence(work_type: str, comparison: Comparison, minimum: int) -> str:
    """What one comparison says, in plain words."""
    rate = money(whole(comparison.rate))
    unit = per_unit(comparison)
    if not comparison.judged:
        return _("%(rate)s %(unit)s. Too few comparable works (%(count)s): a comparison needs at least "
                 "%(minimum)s.", rate=rate, unit=unit, count=comparison.group_size, minimum=minimum)
    peers = comparable_works(work_type, comparison.group_size)
    if comparison.ratio is None:
        text = _("%(rate)s %(unit)s; the median of %(peers)s is zero.", rate=rate, unit=unit, peers=peers)
    else:
        text = _("%(rate)s %(unit)s: %(ratio)s× the median of %(peers)s (%(median)s).", rate=rate, unit=unit,
                 ratio=number(round(comparison.ratio, 1)), peers=peers, median=money(whole(comparison.median)))
    if comparison.position == "above":
        text += " " + _("Above the upper fence of %(fence)s: unusually high.", fence=money(whole(comparison.upper_fence)))
    elif comparison.position == "below":
        text += " " + _("Below the lower fence of %(fence)s: unusually low.", fence=money(whole(comparison.lower_fence)))
    else:
        text += " " + _("Within the usual range (quartiles %(q1)s to %(q3)s).", q1=money(whole(comparison.q1)),
                        q3=money(whole(comparison.q3)))
    return text


def strip(comparison: Comparison) -> Strip:
    values = (*comparison.sample, comparison.rate)
    low, high = min(values), max(values)
    span = high - low or 1.0

    def at(value: float) -> float:
        return round(LEFT + (RIGHT - LEFT) * (value - low) / span, 2)

    def fence(value: float) -> float | None:
        return at(value) if low <= value <= high else None

    return Strip(tuple(at(v) for v in comparison.sample), at(comparison.rate), at(max(comparison.q1, low)),
                 at(comparison.median), at(min(comparison.q3, high)), fence(comparison.lower_fence),
                 fence(comparison.upper_fence), money(whole(low)), money(whole(high)))


def section(connection: sa.Connection, version_id: int | None, facility: dict) -> dict:
    """The partial's context: each work with its comparisons in words and strips."""
    costs = facility_unit_costs(connection, version_id, facility["id"])
    works = []
    for work in costs.works:
        items = [{"basis": c.basis, "unit": per_unit(c), "text": sentence(work.work_type, c, costs.min_group), "judged": c.judged,
                  "position": c.position, "primary": c.primary, "strip": strip(c) if c.judged else None}
                 for c in work.comparisons]
        reason = ""
        if work.reason == "equipment":
            reason = _("Equipment is not compared: its cost does not grow with the building.")
        elif work.reason == "no_basis":
            reason = _("No floor area or capacity is published for this facility, so a cost per m² or per "
                       "place cannot be computed.")
        works.append({"year": work.fiscal_year, "work_type": work.work_type, "work": _work(work.work_type),
                      "allocated": money(work.allocated_tiyn), "comparisons": items, "reason": reason})
    return {"works": works, "min_group": costs.min_group, "iqr_factor": number(costs.iqr_factor),
            "colours": {"own": OWN, "box": BOX, "peer": PEER, "fence": FENCE}}
