"""Derived figures for pages: sums by year, money per resident, execution rate (pure, exact).

Money stays integer tiyn; a ratio is computed only at the end and rounded once.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.money import per_resident
from core.vocabulary import MONEY_FIELDS


def totals_by_year(lines: Iterable[dict]) -> list[dict]:
    """Allocated, contracted and paid per fiscal year, oldest first.

    A sum is None when no line of the year gives that amount (unknown, not zero).
    """
    totals: dict[int, dict] = {}
    for line in lines:
        year = totals.setdefault(line["fiscal_year"], {"fiscal_year": line["fiscal_year"], "line_count": 0,
                                                       **{name: None for name in MONEY_FIELDS}})
        year["line_count"] += 1
        for name in MONEY_FIELDS:
            if line.get(name) is not None:
                year[name] = (year[name] or 0) + int(line[name])
    return [totals[year] for year in sorted(totals)]


def execution_rate(paid_tiyn: int | None, allocated_tiyn: int | None) -> float | None:
    """Paid as a percentage of allocated (may exceed 100); None when nothing was allocated."""
    if not allocated_tiyn:
        return None
    return round(100 * int(paid_tiyn or 0) / int(allocated_tiyn), 1)


def with_ratios(row: dict, population: int | None) -> dict:
    """``row`` (with allocated and paid tiyn) plus money per resident and the execution rate."""
    return {**row,  # paid, when not given, counts as nothing paid
            "allocated_per_resident": per_resident(row["allocated_tiyn"], population),
            "paid_per_resident": per_resident(row["paid_tiyn"], population),
            "execution_pct": execution_rate(row["paid_tiyn"], row["allocated_tiyn"])}


def year_at_a_glance(lines: Iterable[dict], year: int) -> dict:
    """One fiscal year of a facility for the top of its page: the three sums, each as a share
    of the allocation (for the allocated → contracted → paid bar), and the physical progress
    weighted by allocation over the lines that report it (None when none does)."""
    of_year = [line for line in lines if line["fiscal_year"] == year]
    totals = next(iter(totals_by_year(of_year)), {"fiscal_year": year, "line_count": 0,
                                                   **{name: None for name in MONEY_FIELDS}})
    allocated = int(totals["allocated_tiyn"] or 0)
    shares = {name: (round(100 * int(totals[name] or 0) / allocated, 1) if allocated else None)
              for name in ("contracted_tiyn", "paid_tiyn")}
    reported = [line for line in of_year if line.get("physical_progress_pct") is not None]
    weights = [int(line.get("allocated_tiyn") or 0) for line in reported]
    if reported and sum(weights):
        progress = round(sum(w * float(line["physical_progress_pct"]) for w, line in zip(weights, reported))
                         / sum(weights), 1)
    elif reported:
        progress = round(sum(float(line["physical_progress_pct"]) for line in reported) / len(reported), 1)
    else:
        progress = None
    return {**totals, "contracted_share": shares["contracted_tiyn"], "paid_share": shares["paid_tiyn"],
            "progress_pct": progress, "lines": of_year}
