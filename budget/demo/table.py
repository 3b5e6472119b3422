"""The demo table: facilities, the budget lines each gets (its planted anomaly first), contractors.

The settlements and districts are real, everything else is invented. The same seed always gives
the same table, so ``budget_demo.csv`` is committed and the tests check it is still what
``generate`` produces.
"""

from __future__ import annotations

import random

import pandas as pd

from budget.demo.anomalies import ANOMALIES, anomaly_lines
from budget.demo.contractors import assign_contractors, contractor_bins
from budget.demo.dataset import FISCAL_YEARS, SEED
from budget.demo.facilities import district_counts, jitter_positions, load_settlements, make_facilities
from budget.demo.lines import REPAIRS, budget_line, construction_plan
from budget.format import COLUMNS
from geo.boundaries import Geography, load_geography

LINE_COUNT_WEIGHTS = {1: 30, 2: 35, 3: 23, 4: 12}
WORK_TYPE_WEIGHTS = {"capital_repair": 30, "current_repair": 35, "maintenance": 20, "equipment": 15}
REPAIR_GAP_YEARS = 3  # repairs of one facility closer than this are a planted anomaly
CONSTRUCTION_SHARE = {"school": 0.05, "kindergarten": 0.06, "hospital": 0.12, "clinic": 0.02,
                      "sports": 0.03, "water_supply": 0.04}


def generate(seed: int = SEED, geography: Geography | None = None) -> pd.DataFrame:
    """The demo table, one row per budget line, columns as in ``COLUMNS``; same seed, same table."""
    geography = geography or load_geography()
    districts = geography.districts
    facilities = make_facilities(random.Random(f"{seed}/facilities"), load_settlements(districts),
                                 district_counts(geography))
    jitter_positions(random.Random(f"{seed}/jitter"), facilities, districts)
    anomaly_of = {fid: kind for kind, ids in ANOMALIES.items() for fid in ids}
    lines = []
    for facility in facilities:
        rng = random.Random(f"{seed}/{facility['facility_id']}")
        lines += _facility_lines(rng, facility, anomaly_of.get(facility["facility_id"]))
    by_id = {f["facility_id"]: f for f in facilities}
    assign_contractors(random.Random(f"{seed}/contractors"), lines,
                       contractor_bins(random.Random(f"{seed}/bins")),
                       {fid: f["district_kato"] for fid, f in by_id.items()})
    rows = [{**by_id[line["facility_id"]], **line, "start_date": line["start_date"].isoformat(),
             "end_date": line["end_date"].isoformat()} for line in lines]
    frame = pd.DataFrame(rows, columns=[c.name for c in COLUMNS])
    frame = frame.sort_values(["facility_id", "fiscal_year", "work_type"], ignore_index=True)
    return frame.astype({"capacity": "Int64"})


def _facility_lines(rng: random.Random, facility: dict, anomaly: str | None) -> list[dict]:
    """The facility's budget lines: its planted anomaly first, then ordinary lines."""
    if anomaly is None and rng.random() < CONSTRUCTION_SHARE.get(facility["facility_type"], 0):
        return [budget_line(rng, facility, year, work) for year, work in construction_plan(rng)]
    lines = anomaly_lines(rng, facility, anomaly) if anomaly else []
    plan = [(line["fiscal_year"], line["work_type"]) for line in lines]
    wanted = rng.choices(list(LINE_COUNT_WEIGHTS), weights=list(LINE_COUNT_WEIGHTS.values()))[0]
    for _ in range(50):
        if len(plan) >= wanted:
            break
        year = rng.choice(FISCAL_YEARS)
        work = rng.choices(list(WORK_TYPE_WEIGHTS), weights=list(WORK_TYPE_WEIGHTS.values()))[0]
        if (year, work) in plan or (work in REPAIRS and any(
                w in REPAIRS and abs(year - y) < REPAIR_GAP_YEARS for y, w in plan)):
            continue
        plan.append((year, work))
        lines.append(budget_line(rng, facility, year, work))
    return lines
