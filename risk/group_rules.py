"""The risk rules that judge a work against others: the facility's repairs of other years, the
unit costs of similar buildings, the money of the district's other contractors.

Rules 3, 4 and 6 of ``risk.rules.RULES``. Each groups budget lines (by facility, by kind of
building and works, by district and year) before judging, unlike ``risk.work_rules``. Each takes
prepared lines and facilities (``risk.rules.prepare_lines``, ``prepare_facilities``) and the
thresholds it compares against (named as in ``risk.rules.RiskThresholds``) and returns hits
(``risk.rule_tools.hits``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from risk.rule_tools import exceeds, hits, hundredths, ints, no_hits, normalized_text, number, pct, whole
from risk.unit_costs import compared, work_rates

REPAIRS = ("capital_repair", "current_repair")


# ------------------------------------------------------------------ 3. repeated repairs


def repeat_repair(lines: pd.DataFrame, *, repeat_repair_years) -> pd.DataFrame:
    """Capital or current repairs of one facility in two (or more) different years within any
    ``repeat_repair_years`` consecutive years. The flag is on the later year and lists every
    repair year within the window before it; two repairs in the same year are one year.
    """
    window = int(repeat_repair_years)
    repairs = lines[lines["work_type"].isin(REPAIRS)]
    if repairs.empty:
        return no_hits()
    repairs = repairs.assign(**{work: repairs["work_type"] == work for work in REPAIRS})
    by_year = (repairs.groupby(["facility", "fiscal_year"], sort=True)
               .agg(allocated_tiyn=("allocated_tiyn", "sum"), **{work: (work, "max") for work in REPAIRS})
               .reset_index())
    facility = by_year["facility"].to_numpy()
    year = by_year["fiscal_year"].to_numpy(dtype=np.int64)
    years, allocated = year.tolist(), by_year["allocated_tiyn"].astype("int64").tolist()
    kind_code = sum(by_year[work].to_numpy(dtype=np.int64) << n for n, work in enumerate(REPAIRS))
    kind_lists = [[work for n, work in enumerate(REPAIRS) if code >> n & 1] for code in range(1 << len(REPAIRS))]
    kinds = kind_code.tolist()
    # Rows are sorted by facility and year: the k-th row before is the k-th earlier repair year.
    within = []
    for k in range(1, window):
        earlier = np.zeros(len(by_year), dtype=bool)
        earlier[k:] = (facility[k:] == facility[:-k]) & (year[k:] - year[:-k] < window)
        within.append(earlier)
    hit = within[0]

    def entry(position: int) -> dict:
        return {"year": years[position], "work_types": list(kind_lists[kinds[position]]),
                "allocated_tiyn": allocated[position]}

    figures = []
    within_lists = [w.tolist() for w in within]
    for position in np.flatnonzero(hit).tolist():
        before = [position - k for k in range(window - 1, 0, -1) if within_lists[k - 1][position]]
        figures.append({"repairs": [entry(p) for p in (*before, position)], "window_years": window})
    return hits(by_year[hit], figures, window)


# ------------------------------------------------------------------ 4. unit-cost outliers


def unit_cost_outlier(lines: pd.DataFrame, facilities: pd.DataFrame, *, unit_cost_iqr_factor,
                      unit_cost_min_group) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit cost above the upper fence Q3 + factor x IQR of its comparable works (facility type,
    work type, basis, unit; quartiles of type 8 over every published year: ``risk.unit_costs``,
    the numbers the facility page shows), each work judged on its primary basis.

    Returns the outliers, and the works of the groups with fewer than ``unit_cost_min_group``
    works, which are not judged (their figures say how many there were). Exactly at the limit
    does not fire.
    """
    factor = float(unit_cost_iqr_factor)
    costs = compared(work_rates(lines, facilities), factor)
    costs = costs[costs["primary"].astype(bool)]
    if costs.empty:
        return no_hits(), no_hits()
    minimum = int(unit_cost_min_group)
    judged = costs["group_size"] >= minimum
    raised = costs[judged & (costs["rate"] > costs["upper_fence"])]
    small = costs[~judged]

    def base(frame: pd.DataFrame) -> list[dict]:
        return [{"allocated_tiyn": int(allocated), "facility_type": kind, "basis": basis, "unit": unit,
                 "basis_value": number(value), "rate_tiyn": whole(rate), "group_size": int(size)}
                for allocated, kind, basis, unit, value, rate, size in zip(
                    frame["allocated_tiyn"].tolist(), frame["facility_type"].tolist(), frame["basis"].tolist(),
                    frame["unit"].tolist(), frame["basis_value"].tolist(), frame["rate"].tolist(),
                    frame["group_size"].tolist())]

    raised_figures = [{**figures, "q1_tiyn": whole(q1), "median_tiyn": whole(median), "q3_tiyn": whole(q3),
                       "limit_tiyn": whole(limit), "iqr_factor": number(factor)}
                      for figures, q1, median, q3, limit in zip(
                          base(raised), raised["q1"].tolist(), raised["median"].tolist(), raised["q3"].tolist(),
                          raised["upper_fence"].tolist())]
    small_figures = [{**figures, "min_group": minimum} for figures in base(small)]
    return (hits(raised, raised_figures, factor, work_type=raised["work_type"]),
            hits(small, small_figures, minimum, work_type=small["work_type"]))


# ------------------------------------------------------------------ 6. contractor concentration


def contractor_key(names: pd.Series, bins: pd.Series) -> pd.Series:
    """Who a contractor is: its BIN, else its name (spaces and case ignored), else None."""
    bins = bins.astype(object).where(bins.notna(), "").astype(str).str.strip()
    key = pd.Series(None, index=names.index, dtype=object)
    has_bin = bins != ""
    key[has_bin] = "bin:" + bins[has_bin]
    name = normalized_text(names[~has_bin])
    key[name.index[name != ""]] = "name:" + name[name != ""]
    return key


def contractor_concentration(lines: pd.DataFrame, facilities: pd.DataFrame, *, contractor_share_pct,
                             contractor_min_contracts) -> pd.DataFrame:
    """A contractor whose contracts in a district and year exceed the threshold share of the
    money allocated to that district's facilities that year.

    contracted(contractor) x 10 000 > allocated(district, year) x share_hundredths. The
    contractor must hold at least ``contractor_min_contracts`` lines with a contract amount
    there that year (one large contract is not a concentration by default). Each facility
    with such a line gets the flag for that year.
    """
    frame = lines.merge(facilities[["facility", "district_kato"]], on="facility", how="left",
                        validate="many_to_one")
    district_money = (frame.groupby(["district_kato", "fiscal_year"])["allocated_tiyn"].sum()
                      .rename("district_tiyn"))
    contracts = frame[frame["contracted_tiyn"].notna()]
    contracts = contracts.assign(contractor=contractor_key(contracts["contractor_name"],
                                                           contracts["contractor_bin"]))
    contracts = contracts[contracts["contractor"].notna()]
    if contracts.empty:
        return no_hits()
    held = (contracts.groupby(["district_kato", "fiscal_year", "contractor"])
            .agg(contractor_tiyn=("contracted_tiyn", "sum"), contracts=("contracted_tiyn", "size"))
            .reset_index().join(district_money, on=["district_kato", "fiscal_year"]))
    share_hundredths = hundredths(contractor_share_pct)
    big = held[(held["contracts"] >= int(contractor_min_contracts))
               & exceeds(ints(held["contractor_tiyn"]), 10_000, ints(held["district_tiyn"]),
                         share_hundredths)
               & (held["district_tiyn"] > 0).to_numpy()]
    if big.empty:
        return no_hits()
    matched = contracts.merge(big, on=["district_kato", "fiscal_year", "contractor"])
    per_facility = (matched.groupby(["facility", "fiscal_year", "contractor"], sort=False)
                    .agg(facility_tiyn=("contracted_tiyn", "sum"),
                         contractor_name=("contractor_name", "first"),
                         contractor_bin=("contractor_bin", "first"),
                         district_kato=("district_kato", "first"),
                         contractor_tiyn=("contractor_tiyn", "first"),
                         district_tiyn=("district_tiyn", "first"),
                         contracts=("contracts", "first"))
                    .reset_index())
    figures = [{"contractor_name": row.contractor_name, "contractor_bin": row.contractor_bin,
                "district_kato": row.district_kato, "contracts": int(row.contracts),
                "contractor_tiyn": int(row.contractor_tiyn), "district_tiyn": int(row.district_tiyn),
                "share_pct": pct(row.contractor_tiyn, row.district_tiyn),
                "facility_tiyn": int(row.facility_tiyn)}
               for row in per_facility.itertuples()]
    return hits(per_facility, figures, contractor_share_pct)
