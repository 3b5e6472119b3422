"""The risk rules that judge one work by its own figures: its money against its allocation and
its physical progress, its end date, and its payments since the lines it replaced.

Rules 1, 2, 5 and 7 of ``risk.rules.RULES``. Each looks at a single budget line (or a single
work of a facility, year and work type) and never at other facilities, unlike ``risk.group_rules``.
Each takes prepared lines (``risk.rules.prepare_lines``) and the thresholds it compares
against (named as in ``risk.rules.RiskThresholds``) and returns hits (``risk.rule_tools.hits``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from risk.rule_tools import exceeds, hits, hundredths, int_or_none, ints, no_hits, number, pct, progress_hundredths

FINISHED_STATUSES = ("completed", "cancelled")


# ------------------------------------------------------------------ 1. paid above allocated


def paid_above_allocated(lines: pd.DataFrame, *, paid_over_allocated_pct,
                         contracted_over_allocated_pct) -> pd.DataFrame:
    """A line paid above its allocation, or contracted above it by more than the threshold.

    Missing paid or contracted amounts do not fire; a line at exactly the limit does not.
    """
    allocated = ints(lines["allocated_tiyn"])
    paid, contracted = ints(lines["paid_tiyn"]), ints(lines["contracted_tiyn"])
    paid_limit = 10_000 + hundredths(paid_over_allocated_pct)
    contracted_limit = 10_000 + hundredths(contracted_over_allocated_pct)
    paid_over = lines["paid_tiyn"].notna().to_numpy() & exceeds(paid, 10_000, allocated, paid_limit)
    contracted_over = (lines["contracted_tiyn"].notna().to_numpy()
                       & exceeds(contracted, 10_000, allocated, contracted_limit))
    hit = paid_over | contracted_over
    chosen = lines[hit]
    figures = []
    for allocated_v, paid_v, contracted_v, by_paid, by_contract in zip(
            chosen["allocated_tiyn"], chosen["paid_tiyn"], chosen["contracted_tiyn"],
            paid_over[hit], contracted_over[hit]):
        paid_v, contracted_v = int_or_none(paid_v), int_or_none(contracted_v)
        figures.append({
            "allocated_tiyn": int(allocated_v), "paid_tiyn": paid_v, "contracted_tiyn": contracted_v,
            "paid_pct": None if paid_v is None else pct(paid_v, allocated_v),
            "contracted_pct": None if contracted_v is None else pct(contracted_v, allocated_v),
            "paid_over": bool(by_paid), "contracted_over": bool(by_contract),
            "paid_limit_pct": number(paid_over_allocated_pct),
            "contracted_limit_pct": number(contracted_over_allocated_pct)})
    # The threshold of the condition that fired (the paid one when both did).
    frame = hits(chosen, figures, 0, work_type=chosen["work_type"])
    if not frame.empty:
        frame["threshold"] = [number(paid_over_allocated_pct if f["paid_over"]
                                     else contracted_over_allocated_pct) for f in figures]
    return frame


# ------------------------------------------------------------------ 2. paid ahead of progress


def paid_ahead_of_progress(lines: pd.DataFrame, *, paid_ahead_points) -> pd.DataFrame:
    """Paid share of the allocation (%) minus physical progress (%) above the threshold.

    paid/allocated x 100 - progress > points  <=>  paid x 10 000 > (progress + points) x 100 x
    allocated, in integers. Needs paid, progress and a positive allocation.
    """
    known = (lines["paid_tiyn"].notna() & lines["physical_progress_pct"].notna()
             & (lines["allocated_tiyn"].fillna(0) > 0)).to_numpy()
    allocated, paid = ints(lines["allocated_tiyn"]), ints(lines["paid_tiyn"])
    limit = progress_hundredths(lines["physical_progress_pct"]) + hundredths(paid_ahead_points)
    hit = known & exceeds(paid, 10_000, allocated, limit)
    chosen = lines[hit]
    figures = []
    for allocated_v, paid_v, progress in zip(chosen["allocated_tiyn"], chosen["paid_tiyn"],
                                             chosen["physical_progress_pct"]):
        share = Decimal(int(paid_v)) * 100 / Decimal(int(allocated_v))
        figures.append({"allocated_tiyn": int(allocated_v), "paid_tiyn": int(paid_v),
                        "paid_share_pct": round(float(share), 1), "progress_pct": number(progress),
                        "gap_points": round(float(share - Decimal(str(progress))), 1)})
    return hits(chosen, figures, paid_ahead_points, work_type=chosen["work_type"])


# ------------------------------------------------------------------ 5. overdue


def overdue(lines: pd.DataFrame, as_of: dt.date, *, overdue_grace_days) -> pd.DataFrame:
    """Works whose end date (plus the grace days) is before ``as_of`` and that are not finished.

    Finished: status completed or cancelled, or physical progress 100 %. A line without status
    is judged by its progress alone; without either it does not fire, nor without an end date.
    """
    grace = int(overdue_grace_days)
    deadline = (as_of - dt.timedelta(days=grace)).isoformat()
    end = lines["end_date"]
    status, progress = lines["status"], lines["physical_progress_pct"]
    open_status = status.notna() & ~status.isin(FINISHED_STATUSES)
    unknown_status_open = status.isna() & progress.notna()
    not_done = progress.isna() | (progress < 100)
    hit = end.notna() & (end.fillna("9999-12-31") < deadline) & (open_status | unknown_status_open) & not_done
    chosen = lines[hit.to_numpy(dtype=bool)]
    figures = [{"end_date": end_v, "as_of": as_of.isoformat(),
                "days_overdue": (as_of - dt.date.fromisoformat(end_v)).days, "status": status_v,
                "progress_pct": number(progress_v)}
               for end_v, status_v, progress_v in zip(chosen["end_date"], chosen["status"],
                                                       chosen["physical_progress_pct"])]
    return hits(chosen, figures, grace, work_type=chosen["work_type"])


# ------------------------------------------------------------------ 7. stalled


def _works(lines: pd.DataFrame) -> pd.DataFrame:
    """Paid (sum; missing when no line says) and progress (highest) per facility, year, work."""
    grouped = lines.groupby(["facility", "fiscal_year", "work_type"], sort=False)
    return pd.DataFrame({"paid_tiyn": grouped["paid_tiyn"].sum(min_count=1),
                         "progress": grouped["physical_progress_pct"].max()}).reset_index()


def stalled(lines: pd.DataFrame, previous_lines: pd.DataFrame, *, stalled_progress_points) -> pd.DataFrame:
    """Works (facility, year, work type) paid more than in the lines they replaced while their
    physical progress rose by no more than ``stalled_progress_points``.

    Needs paid and progress on both sides; works already at 100 % before are finished (a
    final payment after completion is normal) and do not fire.
    """
    if lines.empty or previous_lines.empty:
        return no_hits()
    both = _works(lines).merge(_works(previous_lines), on=["facility", "fiscal_year", "work_type"],
                               suffixes=("", "_before"))
    known = (both["paid_tiyn"].notna() & both["paid_tiyn_before"].notna() & both["progress"].notna()
             & both["progress_before"].notna() & (both["progress_before"] < 100)).to_numpy()
    paid_rose = exceeds(ints(both["paid_tiyn"]), 1, ints(both["paid_tiyn_before"]), 1)
    rise = progress_hundredths(both["progress"]) - progress_hundredths(both["progress_before"])
    flat = rise <= hundredths(stalled_progress_points)
    chosen = both[known & paid_rose & flat]
    figures = [{"paid_before_tiyn": int(before), "paid_tiyn": int(after),
                "progress_before_pct": number(progress_before), "progress_pct": number(progress)}
               for before, after, progress_before, progress in zip(
                   chosen["paid_tiyn_before"], chosen["paid_tiyn"], chosen["progress_before"],
                   chosen["progress"])]
    return hits(chosen, figures, stalled_progress_points, work_type=chosen["work_type"])
