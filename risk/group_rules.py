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

REPAIRS = ("capital_repair", "current_repair")
# Works whose cost grows with the building; equipment does not, so it is not compared.
UNIT_COST_WORK_TYPES = ("construction", "capital_repair", "current_repair", "maintenance")
CAPACITY_FIRST = ("construction",)  # a new building is priced per place, repairs per m²
SQUARE_METRE = "m2"


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


def unit_costs(lines: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Allocated per m² (or per capacity unit) of each facility, year and work type.

    A facility's lines of one year and work type are added up (money split between funding
    sources is one work). Construction is priced per capacity unit (per m² when the capacity
    is unknown), other works per m² (per capacity unit when the floor area is unknown); works
    with neither, and equipment, get no unit cost. Groups: facility type, work type, basis, unit.
    """
    works = lines[lines["work_type"].isin(UNIT_COST_WORK_TYPES)]
    if works.empty:
        return pd.DataFrame(columns=["facility", "fiscal_year", "work_type", "allocated_tiyn",
                                     "facility_type", "basis", "unit", "basis_value", "rate"])
    totals = (works.groupby(["facility", "fiscal_year", "work_type"], sort=False)["allocated_tiyn"]
              .sum().reset_index())
    totals = totals.merge(facilities, on="facility", how="left", validate="many_to_one")
    area = totals["floor_area_m2"].where(totals["floor_area_m2"] > 0)
    capacity = totals["capacity"].where(totals["capacity"] > 0)
    capacity_unit = totals["capacity_unit"].fillna("")
    capacity_first = totals["work_type"].isin(CAPACITY_FIRST)
    use_capacity = capacity.notna() & (capacity_first | area.isna())
    use_area = ~use_capacity & area.notna()
    totals["basis"] = np.where(use_capacity, "capacity", np.where(use_area, "area", None))
    totals["unit"] = np.where(use_capacity, capacity_unit, np.where(use_area, SQUARE_METRE, None))
    totals["basis_value"] = np.where(use_capacity, capacity, np.where(use_area, area, np.nan))
    totals = totals[use_capacity | use_area].copy()
    totals["rate"] = totals["allocated_tiyn"].astype("float64") / totals["basis_value"]
    return totals


def unit_cost_outlier(lines: pd.DataFrame, facilities: pd.DataFrame, *, unit_cost_iqr_factor,
                      unit_cost_min_group) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit cost above Q3 + factor x IQR of its group (facility type, work type, unit), the
    quartiles taken over every published year of the region (linear interpolation).

    Returns the outliers, and the works of the groups with fewer than ``unit_cost_min_group``
    works, which are not judged (their figures say how many there were). Exactly at the limit
    does not fire.
    """
    costs = unit_costs(lines, facilities)
    if costs.empty:
        return no_hits(), no_hits()
    group = ["facility_type", "work_type", "basis", "unit"]
    grouped = costs.groupby(group, sort=False, dropna=False)["rate"]
    costs["group_size"] = grouped.transform("size")
    costs["q1"] = grouped.transform(lambda s: s.quantile(0.25))
    costs["q3"] = grouped.transform(lambda s: s.quantile(0.75))
    factor = float(unit_cost_iqr_factor)
    costs["limit"] = costs["q3"] + factor * (costs["q3"] - costs["q1"])
    minimum = int(unit_cost_min_group)
    judged = costs["group_size"] >= minimum
    raised = costs[judged & (costs["rate"] > costs["limit"])]
    small = costs[~judged]

    def base(frame: pd.DataFrame) -> list[dict]:
        return [{"allocated_tiyn": int(allocated), "facility_type": kind, "basis": basis, "unit": unit,
                 "basis_value": number(value), "rate_tiyn": whole(rate), "group_size": int(size)}
                for allocated, kind, basis, unit, value, rate, size in zip(
                    frame["allocated_tiyn"].tolist(), frame["facility_type"].tolist(), frame["basis"].tolist(),
                    frame["unit"].tolist(), frame["basis_value"].tolist(), frame["rate"].tolist(),
                    frame["group_size"].tolist())]

    raised_figures = [{**figures, "q1_tiyn": whole(q1), "q3_tiyn": whole(q3), "limit_tiyn": whole(limit),
                       "iqr_factor": number(factor)}
                      for figures, q1, q3, limit in zip(base(raised), raised["q1"].tolist(),
                                                         raised["q3"].tolist(), raised["limit"].tolist())]
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
