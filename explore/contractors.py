"""A contractor (by BIN) across the published data: its names, facilities and lines, money
contracted and paid per year, its share of each district's contracts, the risk flags on its lines.

Read by the page ``/contractor/<bin>`` (``explore.web.contractors``) and the API's
``/api/v1/contractors/<bin>``. A contractor is its BIN: the names written with it may differ
from line to line, and all are listed. Money sums are exact integers (tiyn), cast to BigInteger.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.schema import budget_lines, districts, facilities, risk_flags
from core.versions import published_lines_from

bl, f, d = budget_lines, facilities, districts


def _sum(column) -> sa.ColumnElement:
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def contractor(connection: sa.Connection, version_id: int | None, bin_: str) -> dict | None:
    """Everything published about the contractor with BIN ``bin_``; None when no line names it."""
    if version_id is None:
        return None
    source = published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk)
    lines = [dict(r._mapping) for r in connection.execute(
        sa.select(bl, f.c.facility_id, f.c.name_kk, f.c.name_ru, f.c.name_en, f.c.facility_type, f.c.district_kato)
        .select_from(source).where(bl.c.contractor_bin == bin_)
        .order_by(bl.c.fiscal_year.desc(), f.c.facility_id, bl.c.work_type, bl.c.id))]
    if not lines:
        return None
    names = sorted({line["contractor_name"] for line in lines if line["contractor_name"]})
    years = [dict(r._mapping) for r in connection.execute(
        sa.select(bl.c.fiscal_year, _sum(bl.c.contracted_tiyn).label("contracted_tiyn"),
                  _sum(bl.c.paid_tiyn).label("paid_tiyn"), sa.func.count().label("lines"))
        .select_from(source).where(bl.c.contractor_bin == bin_)
        .group_by(bl.c.fiscal_year).order_by(bl.c.fiscal_year.desc()))]
    return {"bin": bin_, "names": names, "lines": lines, "years": years,
            "facilities": _facilities(lines), "district_shares": _district_shares(connection, version_id, bin_),
            "flags": _flags(connection, version_id, lines, bin_),
            "contracted_tiyn": sum(y["contracted_tiyn"] for y in years),
            "paid_tiyn": sum(y["paid_tiyn"] for y in years)}


def _facilities(lines: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for line in lines:
        entry = seen.setdefault(line["facility_id"], {
            "facility_id": line["facility_id"], "name_kk": line["name_kk"], "name_ru": line["name_ru"],
            "name_en": line["name_en"], "facility_type": line["facility_type"], "lines": 0})
        entry["lines"] += 1
    return sorted(seen.values(), key=lambda e: e["facility_id"])


def _district_shares(connection: sa.Connection, version_id: int, bin_: str) -> list[dict]:
    """Per district and year where it holds contracts: its contracted money, the district's, the share."""
    source = published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk)
    totals = (sa.select(f.c.district_kato, bl.c.fiscal_year, _sum(bl.c.contracted_tiyn).label("district_tiyn"))
              .select_from(source).where(bl.c.contracted_tiyn.is_not(None))
              .group_by(f.c.district_kato, bl.c.fiscal_year).subquery())
    own = (sa.select(f.c.district_kato, bl.c.fiscal_year, _sum(bl.c.contracted_tiyn).label("contractor_tiyn"))
           .select_from(source).where(bl.c.contractor_bin == bin_, bl.c.contracted_tiyn.is_not(None))
           .group_by(f.c.district_kato, bl.c.fiscal_year).subquery())
    query = (sa.select(own.c.district_kato, own.c.fiscal_year, own.c.contractor_tiyn, totals.c.district_tiyn,
                       d.c.name_kk, d.c.name_ru, d.c.name_en)
             .join(totals, sa.and_(totals.c.district_kato == own.c.district_kato,
                                   totals.c.fiscal_year == own.c.fiscal_year))
             .join(d, d.c.kato == own.c.district_kato)
             .order_by(own.c.fiscal_year.desc(), own.c.district_kato))
    rows = []
    for row in connection.execute(query):
        entry = dict(row._mapping)
        entry["share_pct"] = (round(100 * entry["contractor_tiyn"] / entry["district_tiyn"], 1)
                              if entry["district_tiyn"] else None)
        rows.append(entry)
    return rows


def _flags(connection: sa.Connection, version_id: int, lines: list[dict], bin_: str) -> list[dict]:
    """Raised flags of the version on the contractor's works (facility, year, and work type when the
    flag has one)."""
    works = {(line["facility_pk"], line["fiscal_year"], line["work_type"]) for line in lines}
    years = {(pk, year) for pk, year, _work in works}
    pks = sorted({pk for pk, _year in years})
    query = (sa.select(risk_flags.c.facility_pk, f.c.facility_id, risk_flags.c.fiscal_year, risk_flags.c.rule,
                       risk_flags.c.work_type, risk_flags.c.figures, risk_flags.c.threshold, risk_flags.c.outcome)
             .join(f, f.c.id == risk_flags.c.facility_pk)
             .where(risk_flags.c.version_id == version_id, risk_flags.c.outcome == "raised",
                    risk_flags.c.facility_pk.in_(pks))
             .order_by(risk_flags.c.fiscal_year.desc(), f.c.facility_id, risk_flags.c.rule))
    found = []
    for row in connection.execute(query):
        flag = dict(row._mapping)
        key = (flag["facility_pk"], flag["fiscal_year"])
        if flag["rule"] == "contractor_concentration" and (flag["figures"] or {}).get("contractor_bin") != bin_:
            continue  # another contractor's concentration on the same facility
        if key in years and (flag["work_type"] is None or (*key, flag["work_type"]) in works):
            found.append(flag)
    return found
