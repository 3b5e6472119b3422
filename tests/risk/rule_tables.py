"""Small hand-made budget tables for the risk-rule tests (``test_rules``, ``test_each_rule``)."""

import datetime as dt

AS_OF = dt.date(2025, 7, 1)


def line(facility="F1", year=2025, work="capital_repair", allocated=1_000, contracted=None, paid=None,
         contractor=None, bin=None, end=None, status=None, progress=None) -> dict:
    return {"facility": facility, "fiscal_year": year, "work_type": work, "allocated_tiyn": allocated,
            "contracted_tiyn": contracted, "paid_tiyn": paid, "contractor_name": contractor,
            "contractor_bin": bin, "end_date": end, "status": status, "physical_progress_pct": progress}


def facility(key="F1", kind="school", district="611000000", area=None, capacity=None, unit=None) -> dict:
    return {"facility": key, "facility_type": kind, "district_kato": district, "floor_area_m2": area,
            "capacity": capacity, "capacity_unit": unit}
