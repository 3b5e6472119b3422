"""Versioned, atomic publication of a validated budget table; history and rollback.

The same functions serve the CLI (``flask budget import``) and the web upload. A publication
happens in one transaction: the new version, its facilities, its budget lines, the new state
and the audit entry are all written, or none is. What the version holds for the file's years
is ``budget.apply.apply_file``'s answer for the chosen mode (update by default: the published
lines the file lacks stay), the same answer the preview showed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accounts import audit
from budget.apply import UPDATE, apply_file, check_mode
from budget.format import STORED_FACILITY, STORED_MONEY
from budget.limits import ReadLimits
from budget.reader import read_budget_file
from budget.validation import ValidatedTable, validate_table
from core.db import in_chunks, write_transaction
from core.schema import (
    FACILITY_FIELD_NAMES,
    budget_lines,
    districts,
    facilities,
    facility_snapshots,
    version_state,
    versions,
)
from core.versions import latest_version_id
from explore import map_views
from risk import store as risk_store
from risk.rules import RiskThresholds

LINE_COLUMNS = (
    "fiscal_year", "work_type", "funding_source", "budget_program_code", "contractor_name",
    "contractor_bin", "procurement_ref", "start_date", "end_date", "status",
    "physical_progress_pct", "source_url", "description", "source_row",
)


class RollbackError(ValueError):
    """The requested rollback target does not exist."""


class StaleVersion(RuntimeError):
    """The published version is not the one the caller expected (someone published meanwhile)."""

    def __init__(self, expected: int | None, current: int | None):
        super().__init__(f"Expected version {expected} to be the newest, but it is {current}.")
        self.expected, self.current = expected, current


ANY_VERSION = object()  # import_budget_file's default: publish whatever version is current


@dataclass
class ImportResult:
    """What an import did: the validation outcome and, unless dry or failed, the new version."""

    validated: ValidatedTable
    sha256: str
    version_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.validated.ok


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sync_districts(connection: sa.Connection, records: list[dict]) -> None:
    """Make the districts table match the bundled boundaries (names, population)."""
    if not records:
        return
    statement = sqlite_insert(districts)
    statement = statement.on_conflict_do_update(
        index_elements=[districts.c.kato],
        set_={c: statement.excluded[c] for c in ("name_kk", "name_ru", "name_en", "unit_type",
                                                   "population")})
    connection.execute(statement, records)


def import_budget_file(engine: sa.Engine, content: bytes, file_name: str, district_shapes, *,
                       actor: str, dry_run: bool = False, kind: str = "import",
                       expected_version=ANY_VERSION, on_published=None,
                       risk_thresholds: RiskThresholds | None = None, mode: str = UPDATE,
                       progress=None, limits: ReadLimits | None = None) -> ImportResult:
    """Read, validate, and (unless ``dry_run`` or invalid) publish a budget file in ``mode``.

    ``expected_version`` (a version id, or None for "nothing published yet") makes the
    publication refuse with ``StaleVersion`` unless that version is still the newest when the
    transaction runs. ``on_published(connection, version_id)`` runs in the same transaction after
    the publication (the web upload marks its pending upload published there); if it raises,
    nothing is written. ``risk_thresholds`` are the risk rules' (defaults when None).
    ``progress(stage, done, total)`` hears how far it is (``budget.jobs``), never inside the
    write transaction. ``limits``: what the file may hold (``budget.limits``; defaults when None).
    """
    check_mode(mode)
    report = progress or (lambda stage, done=0, total=0: None)
    report("reading", 0, 0)
    raw = read_budget_file(content, file_name, lambda done, total: report("reading", done, total), limits)
    report("validating", 0, len(raw.frame))
    validated = validate_table(raw, district_shapes)
    result = ImportResult(validated=validated, sha256=sha256_of(content))
    if validated.ok and not dry_run:
        report("publishing", 0, len(validated.lines))
        result.version_id = publish_validated(
            engine, validated, actor=actor, file_name=file_name, sha256=result.sha256, kind=kind,
            expected_version=expected_version, on_published=on_published,
            risk_thresholds=risk_thresholds, mode=mode)
    return result


def publish_validated(engine: sa.Engine, validated: ValidatedTable, *, actor: str, file_name: str,
                      sha256: str, kind: str = "import", expected_version=ANY_VERSION,
                      on_published=None, risk_thresholds: RiskThresholds | None = None,
                      mode: str = UPDATE) -> int:
    """Publish an already validated table in one write transaction (see ``import_budget_file``)."""
    with write_transaction(engine) as connection:
        if expected_version is not ANY_VERSION:
            current = latest_version_id(connection)
            if current != expected_version:
                raise StaleVersion(expected_version, current)
        version_id = publish(connection, validated, actor=actor, file_name=file_name, sha256=sha256,
                             kind=kind, risk_thresholds=risk_thresholds, mode=mode)
        if on_published is not None:
            on_published(connection, version_id)
    return version_id


def _insert_rows(connection: sa.Connection, statement, frame: pd.DataFrame) -> None:
    """Insert every row of ``frame`` (columns named as the table's) in one executemany.

    The SQL is compiled from ``statement`` for the frame's columns and the rows go to the
    driver as plain tuples, None for every missing value (SQLite cannot bind NaN or pd.NA):
    building and binding a dict per row through SQLAlchemy took longer than SQLite's own work
    for a 500,000-line file (see docs/benchmarks.md).
    """
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(frame.columns))
    values = {name: frame[name].to_numpy(dtype=object, na_value=None) for name in frame.columns}
    rows = list(zip(*(values[name] for name in compiled.positiontup)))
    if rows:
        connection.exec_driver_sql(compiled.string, rows)


def publish(connection: sa.Connection, validated: ValidatedTable, *, actor: str,
            file_name: str | None, sha256: str | None, kind: str = "import",
            risk_thresholds: RiskThresholds | None = None, mode: str = UPDATE) -> int:
    """Write a valid table as a new version of its fiscal years, in ``mode`` (``budget.apply``).
    Call inside a transaction.

    The version's risk flags are computed and stored with it, as of the publication date (UTC),
    and so is the map's default view (``explore.map_views``).
    """
    if not validated.ok:
        raise ValueError("a table with errors cannot be published")
    years = validated.fiscal_years
    previous = latest_version_id(connection)
    applied = apply_file(connection, validated, mode, previous)
    now = audit.utc_now()
    facility_rows = applied.facilities.rename(columns=STORED_FACILITY)
    version_id = connection.execute(versions.insert().values(
        created_at=now, created_by=actor, kind=kind, file_name=file_name, sha256=sha256,
        row_count=len(validated.lines), facility_count=len(facility_rows),
        new_facility_count=int((~facility_rows["facility_id"].isin(applied.known_ids)).sum()),
        warning_count=validated.warning_count, fiscal_years=",".join(map(str, years)), mode=mode,
    )).inserted_primary_key[0]

    attributes = facility_rows[["facility_id", *FACILITY_FIELD_NAMES]]
    statement = sqlite_insert(facilities)
    statement = statement.on_conflict_do_update(
        index_elements=[facilities.c.facility_id],
        set_={**{c: statement.excluded[c] for c in FACILITY_FIELD_NAMES},
              "updated_version_id": statement.excluded.updated_version_id})
    _insert_rows(connection, statement, attributes.assign(first_version_id=version_id,
                                                          updated_version_id=version_id))
    pks = _facility_pks(connection, list(facility_rows["facility_id"]))
    snapshots = attributes.assign(facility_pk=attributes["facility_id"].map(pks),
                                  version_id=version_id).drop(columns="facility_id")
    _insert_rows(connection, facility_snapshots.insert(), snapshots)

    lines = applied.lines.rename(columns=STORED_MONEY)
    lines = lines.assign(version_id=version_id,
                         facility_pk=lines["facility_id"].map(_facility_pks_of(connection, lines, pks)))
    columns = ["version_id", "facility_pk", *LINE_COLUMNS, *STORED_MONEY.values()]
    _insert_rows(connection, budget_lines.insert(), lines[columns])

    state = _state(connection, previous)
    state.update({year: version_id for year in years})
    _write_state(connection, version_id, state)
    risk_store.record_flags(connection, version_id, as_of=dt.date.fromisoformat(now[:10]),
                            thresholds=risk_thresholds, new_years=years,
                            new_lines=lines.rename(columns={"facility_pk": "facility"}),
                            compare_with=previous, carry_stalled_from=previous)
    map_views.record(connection, version_id)
    audit.record(connection, actor, "publish", "version", version_id, {
        "kind": kind, "mode": mode, "file_name": file_name, "sha256": sha256, "fiscal_years": years,
        "rows": len(validated.lines), "lines_kept": applied.carried, "facilities": len(facility_rows),
        "warnings": validated.warning_count, "previous_version": previous}, at=now)
    return version_id


def rollback(connection: sa.Connection, target_version: int, *, actor: str,
             risk_thresholds: RiskThresholds | None = None) -> int:
    """Publish a new version whose data equals ``target_version``'s. History stays as it was.

    Its risk flags are computed afresh as of today (``stalled`` ones are the target's); its
    map's default view is stored afresh too.
    """
    target = connection.execute(sa.select(versions).where(versions.c.id == target_version)).first()
    if target is None:
        raise RollbackError(f"There is no version {target_version}.")
    previous = latest_version_id(connection)
    now = audit.utc_now()
    state = _state(connection, target_version)
    rows = connection.execute(
        sa.select(sa.func.count()).select_from(budget_lines.join(
            version_state, sa.and_(version_state.c.source_version_id == budget_lines.c.version_id,
                                   version_state.c.fiscal_year == budget_lines.c.fiscal_year)))
        .where(version_state.c.version_id == target_version)).scalar()
    version_id = connection.execute(versions.insert().values(
        created_at=now, created_by=actor, kind="rollback", rollback_of=target_version,
        file_name=target.file_name, sha256=target.sha256, row_count=rows,
        fiscal_years=",".join(map(str, sorted(state))))).inserted_primary_key[0]
    _write_state(connection, version_id, state)
    _restore_facilities(connection, target_version, version_id)
    risk_store.record_flags(connection, version_id, as_of=dt.date.fromisoformat(now[:10]),
                            thresholds=risk_thresholds, carry_stalled_from=target_version)
    map_views.record(connection, version_id)
    audit.record(connection, actor, "rollback", "version", version_id,
                 {"rolled_back_to": target_version, "previous_version": previous}, at=now)
    return version_id


def _restore_facilities(connection: sa.Connection, target_version: int, version_id: int) -> None:
    """Give every facility the attributes it had at ``target_version``, and snapshot them."""
    latest = (sa.select(facility_snapshots.c.facility_pk,
                        sa.func.max(facility_snapshots.c.version_id).label("version_id"))
              .where(facility_snapshots.c.version_id <= target_version)
              .group_by(facility_snapshots.c.facility_pk).subquery())
    fields = [facility_snapshots.c[name] for name in FACILITY_FIELD_NAMES]
    as_of_target = (sa.select(sa.literal(version_id), facility_snapshots.c.facility_pk, *fields)
                    .join(latest, sa.and_(latest.c.facility_pk == facility_snapshots.c.facility_pk,
                                          latest.c.version_id == facility_snapshots.c.version_id)))
    connection.execute(facility_snapshots.insert().from_select(
        ["version_id", "facility_pk", *FACILITY_FIELD_NAMES], as_of_target))
    restored = facility_snapshots.alias("restored")
    connection.execute(
        facilities.update()
        .where(restored.c.facility_pk == facilities.c.id, restored.c.version_id == version_id)
        .values({**{name: restored.c[name] for name in FACILITY_FIELD_NAMES},
                 "updated_version_id": version_id}))


def _facility_pks(connection: sa.Connection, facility_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in in_chunks(facility_ids):
        found.update(connection.execute(sa.select(facilities.c.facility_id, facilities.c.id)
                                        .where(facilities.c.facility_id.in_(chunk))).all())
    return found


def _facility_pks_of(connection: sa.Connection, lines: pd.DataFrame, pks: dict[str, int]) -> dict[str, int]:
    """``pks`` and the ids of the facilities of lines an update keeps (not in the file)."""
    others = sorted(set(lines["facility_id"]) - pks.keys())
    return {**pks, **_facility_pks(connection, others)} if others else pks


def _state(connection: sa.Connection, version_id: int | None) -> dict[int, int]:
    """fiscal year -> the version whose lines are current for it, as of ``version_id``."""
    if version_id is None:
        return {}
    rows = connection.execute(sa.select(version_state.c.fiscal_year, version_state.c.source_version_id)
                              .where(version_state.c.version_id == version_id))
    return dict(rows.all())


def _write_state(connection: sa.Connection, version_id: int, state: dict[int, int]) -> None:
    if state:
        connection.execute(version_state.insert(), [
            {"version_id": version_id, "fiscal_year": year, "source_version_id": source}
            for year, source in sorted(state.items())])


def history(connection: sa.Connection) -> list[dict]:
    """Every version, newest first."""
    return [dict(r._mapping) for r in connection.execute(sa.select(versions).order_by(versions.c.id.desc()))]
