"""Planted anomalies of the demo data, for the risk flags (``ANOMALIES`` names the facilities,
one kind each):

- ``paid_above_allocated``: one completed line paid 3-15 % above the allocation (the
  contract was raised with it). The only kind that the validator reports (as a warning).
- ``repeat_repair``: capital or current repair of the same facility in two of three
  consecutive years. Elsewhere repairs of one facility are at least three years apart.
- ``overdue``: one line in_progress or suspended with end_date in 2024 or 2025 and progress
  below 100. Elsewhere open works end in December 2026 or later.
- ``paid_ahead_of_progress``: one 2026 line with the paid share of the allocation more
  than 30 points above the physical progress. Elsewhere payments trail progress.
- ``unit_cost_outlier``: a capital repair costing about six times the usual tenge per m²
  for its facility type (small buildings, so the amount itself looks ordinary).
- ``contractor_concentration``: ``CONCENTRATION["contractor"]`` holds the listed
  facilities' lines in one district and year, more than 40 % of that district's money that
  year. Elsewhere no contractor holds more than two lines in one district and year (one
  large contract can still be most of a small district's money in a year).
"""

from __future__ import annotations

import datetime as dt
import random

from budget.demo.lines import AMOUNT_RANGE, CONSTRUCTION_UNIT_COST, REPAIRS, budget_line, round_thousands, set_amounts

ANOMALIES: dict[str, tuple[str, ...]] = {
    "paid_above_allocated": (
        "TRK-SCH-0011", "TRK-SCH-0047", "TRK-SCH-0093", "TRK-SCH-0152", "TRK-KIN-0021",
        "TRK-KIN-0078", "TRK-CLI-0014", "TRK-CUL-0009", "TRK-SPO-0020", "TRK-WAT-0017",
    ),
    "repeat_repair": (
        "TRK-SCH-0030", "TRK-SCH-0121", "TRK-SCH-0177", "TRK-KIN-0044", "TRK-KIN-0101",
        "TRK-CLI-0037", "TRK-CUL-0031", "TRK-HOS-0012",
    ),
    "overdue": (
        "TRK-SCH-0058", "TRK-SCH-0134", "TRK-SCH-0190", "TRK-KIN-0009", "TRK-KIN-0066",
        "TRK-HOS-0005", "TRK-COL-0011", "TRK-SPO-0007", "TRK-SOC-0015", "TRK-WAT-0030",
    ),
    "paid_ahead_of_progress": (
        "TRK-SCH-0073", "TRK-KIN-0112", "TRK-CLI-0049", "TRK-CUL-0040", "TRK-OTH-0010",
    ),
    "unit_cost_outlier": ("TRK-KIN-0035", "TRK-CLI-0020", "TRK-CUL-0029"),
    "contractor_concentration": (
        "TRK-SCH-0079", "TRK-SCH-0083", "TRK-KIN-0047", "TRK-CUL-0018", "TRK-SOC-0010",
    ),
}
CONCENTRATION = {"contractor": "ТОО «Қазығұрт Құрылыс Инвест»", "district_kato": "614000000",
                 "fiscal_year": 2024}
OUTLIER_RATE_PER_M2 = 6 * 70_000


def anomaly_lines(rng: random.Random, facility: dict, anomaly: str) -> list[dict]:
    """The line(s) that carry ``anomaly``, see the module docstring."""
    kind = facility["facility_type"]
    if anomaly == "repeat_repair":
        year = rng.randint(2022, 2024)
        second = (year + rng.choice((1, 2)), rng.choice(REPAIRS))
        return [budget_line(rng, facility, year, "capital_repair"), budget_line(rng, facility, *second)]
    if anomaly == "overdue":
        big = kind in CONSTRUCTION_UNIT_COST and rng.random() < 0.3
        stopped = ANOMALIES["overdue"].index(facility["facility_id"]) % 3 == 2  # every third
        return [_overdue_line(rng, facility, "construction" if big else "capital_repair",
                              suspended=stopped)]
    if anomaly == "paid_ahead_of_progress":
        return [_paid_ahead_line(rng, facility)]
    if anomaly == "paid_above_allocated":
        line = budget_line(rng, facility, rng.randint(2022, 2024),
                           rng.choice(("current_repair", "equipment")), status="completed")
        line["amount_contracted"] = line["amount_paid"] = round(
            line["amount_allocated"] * rng.uniform(1.03, 1.15))
        return [line]
    if anomaly == "unit_cost_outlier":
        line = budget_line(rng, facility, rng.randint(2022, 2024), "capital_repair", status="completed")
        line["amount_allocated"] = round_thousands(min(
            facility["floor_area_m2"] * OUTLIER_RATE_PER_M2, AMOUNT_RANGE["capital_repair"][1]))
        set_amounts(rng, line)
        return [line]
    if anomaly == "contractor_concentration":
        line = budget_line(rng, facility, CONCENTRATION["fiscal_year"], "capital_repair",
                           status="completed")
        line["contractor_name"] = CONCENTRATION["contractor"]
        return [line]
    raise ValueError(f"unknown anomaly {anomaly!r}")


def _overdue_line(rng: random.Random, facility: dict, work: str, suspended: bool) -> dict:
    """Works that should have ended in 2024 or 2025 and are still open."""
    year = rng.choice((2024, 2025))
    line = budget_line(rng, facility, year, work, status="suspended" if suspended else "in_progress")
    start_year = year - 1 if work == "construction" else year
    line["start_date"] = dt.date(start_year, rng.randint(3, 6), rng.randint(1, 28))
    line["end_date"] = dt.date(year, rng.randint(10, 12), rng.randint(1, 28))
    line["physical_progress_pct"] = rng.randint(25, 85)
    set_amounts(rng, line)
    return line


def _paid_ahead_line(rng: random.Random, facility: dict) -> dict:
    """A 2026 capital repair paid far beyond the work done."""
    line = budget_line(rng, facility, 2026, "capital_repair", status="in_progress")
    line["start_date"] = dt.date(2026, rng.randint(3, 5), rng.randint(1, 28))
    line["physical_progress_pct"] = progress = rng.randint(10, 35)
    line["amount_contracted"] = round(line["amount_allocated"] * rng.uniform(0.95, 1.0))
    line["amount_paid"] = round(line["amount_allocated"] * (progress + rng.randint(35, 50)) / 100)
    return line
