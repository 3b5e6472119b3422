"""Compute and store a version's risk flags, inside the transaction that publishes it.

``budget.publish.publish`` and ``budget.publish.rollback`` call ``record_flags`` once each, so the
CLI import, the web upload, the demo load and a rollback all store flags with their version.
The rules (``risk.rules``) see every line the version publishes, whatever year it came
from, and the facilities' current attributes.

``stalled`` compares lines with the lines they replaced: a publication compares the years it
brings with the same years of the version before it and keeps the ``stalled`` flags of the
years it leaves alone (they compare the same two sets of lines as before); a rollback keeps
those of the version it restores. Every other rule is computed afresh for the whole version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import orjson
import pandas as pd
import sqlalchemy as sa

from core.schema import budget_lines, facilities, risk_checks, risk_flags, version_state, versions
from core.versions import published_lines_from
from risk.rules import ANY_RISK, LINE_COLUMNS, RULES, RiskThresholds, compute_flags

bl, vs, f = budget_lines, version_state, facilities
INSERT_BATCH = 20_000
MONEY_COLUMNS = ("allocated_tiyn", "contracted_tiyn", "paid_tiyn")
# ``risk_flags`` for the bulk insert, with the figures given as ready JSON text (orjson is ~10x
# faster than the JSON type's json.dumps per row); reading goes through ``schema.risk_flags``.
_flag_rows = sa.table("risk_flags", *(sa.column(name) for name in (
    "version_id", "facility_pk", "fiscal_year", "rule", "work_type", "outcome", "threshold")),
    sa.column("figures", sa.Text))


def published_lines(connection: sa.Connection, version_id: int,
                    years: Iterable[int] | None = None) -> pd.DataFrame:
    """The rules' line columns of the lines published as of ``version_id`` (optionally some years)."""
    query = (sa.select(bl.c.facility_pk.label("facility"), bl.c.fiscal_year, bl.c.work_type,
                       bl.c.allocated_tiyn, bl.c.contracted_tiyn, bl.c.paid_tiyn, bl.c.contractor_name,
                       bl.c.contractor_bin, bl.c.end_date, bl.c.status, bl.c.physical_progress_pct)
             .select_from(published_lines_from(version_id)))
    if years is not None:
        query = query.where(bl.c.fiscal_year.in_(sorted(set(years))))
    return _frame(connection.execute(query))


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    """A result as a frame, built column by column (much faster than from row objects);
    integer columns with gaps stay exact (nullable Int64, never float)."""
    keys = list(result.keys())
    rows = result.all()
    columns = list(zip(*rows)) if rows else [() for _ in keys]
    frame = {}
    for key, values in zip(keys, columns):
        if key in MONEY_COLUMNS:
            frame[key] = pd.array(values, dtype="Int64")
        else:
            frame[key] = pd.Series(values, dtype=object)
    return pd.DataFrame(frame, columns=keys)


def facility_attributes(connection: sa.Connection) -> pd.DataFrame:
    """Every facility's current type, district, floor area and capacity (the rules' columns)."""
    return _frame(connection.execute(sa.select(
        facilities.c.id.label("facility"), facilities.c.facility_type, facilities.c.district_kato,
        facilities.c.floor_area_m2, facilities.c.capacity, facilities.c.capacity_unit)))


def record_flags(connection: sa.Connection, version_id: int, *, as_of: dt.date,
                 thresholds: RiskThresholds | None, new_years: Iterable[int] = (),
                 new_lines: pd.DataFrame | None = None, compare_with: int | None = None,
                 carry_stalled_from: int | None = None) -> int:
    """Compute ``version_id``'s flags and store them with the check; returns how many were raised.

    ``new_years`` are the years the version brings, compared for ``stalled`` with the same years
    as published by ``compare_with``; ``stalled`` flags of the other years are copied from
    ``carry_stalled_from``. ``new_lines``, when given, are the lines of ``new_years`` just
    written (``facility`` = facility_pk), so only the other years are read back. Call inside
    the publication's transaction.
    """
    thresholds = thresholds or RiskThresholds()
    new_years = sorted(set(int(y) for y in new_years))
    if new_lines is None:
        lines = published_lines(connection, version_id)
    else:
        state_years = connection.execute(sa.select(vs.c.fiscal_year).where(vs.c.version_id == version_id)).scalars()
        kept = sorted(set(state_years) - set(new_years))
        lines = new_lines.loc[:, list(LINE_COLUMNS)]
        if kept:
            lines = pd.concat([lines, published_lines(connection, version_id, kept)], ignore_index=True)
    previous = None
    if compare_with is not None and new_years:
        previous = published_lines(connection, compare_with, new_years)
    flags = compute_flags(lines, facility_attributes(connection), as_of=as_of, thresholds=thresholds,
                          previous_lines=previous)
    _insert(connection, version_id, flags)
    if carry_stalled_from is not None:
        kept = sa.select(sa.literal(version_id), risk_flags.c.facility_pk, risk_flags.c.fiscal_year,
                         risk_flags.c.rule, risk_flags.c.work_type, risk_flags.c.outcome,
                         risk_flags.c.figures, risk_flags.c.threshold).where(
            risk_flags.c.version_id == carry_stalled_from, risk_flags.c.rule == "stalled",
            risk_flags.c.fiscal_year.not_in(new_years))
        connection.execute(risk_flags.insert().from_select(
            ["version_id", "facility_pk", "fiscal_year", "rule", "work_type", "outcome", "figures",
             "threshold"], kept.order_by(risk_flags.c.id)))
    raised = connection.execute(sa.select(sa.func.count()).select_from(risk_flags).where(
        risk_flags.c.version_id == version_id, risk_flags.c.outcome == "raised")).scalar()
    connection.execute(risk_checks.insert().values(
        version_id=version_id, as_of=as_of.isoformat(), thresholds=_plain(thresholds.as_dict()),
        flag_count=raised))
    return raised


def _plain(values: dict) -> dict:
    return {k: (int(v) if float(v).is_integer() else float(v)) for k, v in values.items()}


def _insert(connection: sa.Connection, version_id: int, flags: pd.DataFrame) -> None:
    """Bulk insert of the computed flags (one executemany per batch)."""
    if flags.empty:
        return
    records = [{"version_id": version_id, "facility_pk": int(facility), "fiscal_year": int(year),
                "rule": rule, "work_type": work_type, "outcome": outcome,
                "figures": orjson.dumps(figures).decode(),
                "threshold": None if threshold is None else float(threshold)}
               for facility, year, rule, work_type, outcome, figures, threshold in zip(
                   flags["facility"], flags["fiscal_year"], flags["rule"], flags["work_type"],
                   flags["outcome"], flags["figures"], flags["threshold"])]
    for start in range(0, len(records), INSERT_BATCH):
        connection.execute(_flag_rows.insert(), records[start:start + INSERT_BATCH])


def has_check(connection: sa.Connection, version_id: int) -> bool:
    return connection.execute(sa.select(risk_checks.c.version_id)
                              .where(risk_checks.c.version_id == version_id)).first() is not None


def check_latest(connection: sa.Connection, thresholds: RiskThresholds | None) -> int | None:
    """Flag the newest version if it has never been checked (a database published before the
    risk flags existed); as of its own publication date. Returns the version checked, or None.
    """
    latest = connection.execute(sa.select(versions).order_by(versions.c.id.desc()).limit(1)).first()
    if latest is None or has_check(connection, latest.id):
        return None
    before = connection.execute(sa.select(sa.func.max(versions.c.id))
                                .where(versions.c.id < latest.id)).scalar()
    as_of = dt.date.fromisoformat(latest.created_at[:10])
    if latest.kind == "rollback":
        record_flags(connection, latest.id, as_of=as_of, thresholds=thresholds,
                     carry_stalled_from=latest.rollback_of)
    else:
        years = [int(y) for y in (latest.fiscal_years or "").split(",") if y]
        record_flags(connection, latest.id, as_of=as_of, thresholds=thresholds, new_years=years,
                     compare_with=before, carry_stalled_from=before)
    return latest.id


# Reading: the stored flags for pages, the map's risk filter and the API.

RISK_FLAG_ORDER = sa.case({rule: n for n, rule in enumerate(RULES)}, value=risk_flags.c.rule)


def flagged_facility_pks(version_id: int, fiscal_year: int | None, rule: str):
    """A subquery: facility primary keys with a raised flag of ``rule`` (or of any rule: "any") in the year."""
    query = sa.select(risk_flags.c.facility_pk).where(
        risk_flags.c.version_id == version_id, risk_flags.c.outcome == "raised")
    if fiscal_year is not None:
        query = query.where(risk_flags.c.fiscal_year == fiscal_year)
    if rule != ANY_RISK:
        query = query.where(risk_flags.c.rule == rule)
    return query


def risk_flag_rows(connection: sa.Connection, version_id: int | None, *, facility_id: str | None = None,
                   fiscal_year: int | None = None, rule: str | None = None,
                   outcome: str | None = "raised") -> list[dict]:
    """Stored flags of ``version_id`` with their facility's ``facility_id``: newest year first,
    then by rule (in ``risk.rules.RULES`` order). ``outcome`` None gives the not-judged too.
    """
    if version_id is None:
        return []
    query = (sa.select(f.c.facility_id, risk_flags.c.fiscal_year, risk_flags.c.rule, risk_flags.c.work_type,
                       risk_flags.c.outcome, risk_flags.c.figures, risk_flags.c.threshold)
             .join(f, f.c.id == risk_flags.c.facility_pk)
             .where(risk_flags.c.version_id == version_id)
             .order_by(f.c.facility_id, risk_flags.c.fiscal_year.desc(), RISK_FLAG_ORDER,
                       risk_flags.c.outcome, risk_flags.c.id))
    if facility_id is not None:
        query = query.where(f.c.facility_id == facility_id)
    if fiscal_year is not None:
        query = query.where(risk_flags.c.fiscal_year == fiscal_year)
    if rule is not None and rule != ANY_RISK:
        query = query.where(risk_flags.c.rule == rule)
    if outcome is not None:
        query = query.where(risk_flags.c.outcome == outcome)
    return [dict(r._mapping) for r in connection.execute(query)]


def risk_check(connection: sa.Connection, version_id: int | None) -> dict | None:
    """When and with which thresholds ``version_id`` was checked (None: never)."""
    if version_id is None:
        return None
    row = connection.execute(sa.select(risk_checks).where(risk_checks.c.version_id == version_id)).first()
    return dict(row._mapping) if row else None


def thresholds_of(connection: sa.Connection, version_id: int | None) -> RiskThresholds:
    """The thresholds ``version_id`` was checked with (the defaults when it was not checked)."""
    check = risk_check(connection, version_id)
    if not check:
        return RiskThresholds()
    known = RiskThresholds().as_dict()
    return RiskThresholds(**{k: v for k, v in (check["thresholds"] or {}).items() if k in known})
