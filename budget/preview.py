"""What a publication changes: the upload preview and the diff of a version against the one before.

Pure functions over a connection and a ``ValidatedTable`` (no Flask, nothing written). For an
upload the "before" is every line published for the years the file covers, and the "after" is
what ``budget.apply.apply_file`` makes of the file in the chosen mode (update keeps the lines
the file lacks, replace removes them). Lines are matched by ``LINE_KEY`` through
``core.line_changes.diff_lines`` (the same definition of a change as the facility page's
history).

Destructive changes come first: ``Preview.removals`` says per year how many lines and
facilities would go and how much money leaves each district, and ``needs_confirmation`` is true
when a year would lose more than ``CONFIRM_SHARE`` of its lines or its allocated money, so the
publication needs an explicit, informed confirmation.

Both kinds of comparison give a ``Preview``; ``Preview.summary(limit)`` turns it into plain,
JSON-safe data with full counts and lists capped at ``limit`` entries each, which the pending
upload stores so the pages never validate the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from budget.apply import COMPARED_ATTRIBUTES, UPDATE, AttributeChange, apply_file
from budget.format import STORED_FACILITY, STORED_MONEY
from budget.validation import ValidatedTable
from core.line_changes import LineDiff, diff_lines, missing
from core.schema import budget_lines, facilities, facility_snapshots, versions
from core.versions import published_lines_from
from core.vocabulary import LINE_KEY
from explore import queries

MONEY = ("allocated_tiyn", "contracted_tiyn", "paid_tiyn")
# The fields of a line compared on matched lines (the key identifies it; source_row is storage).
COMPARED_FIELDS = (*MONEY, "contractor_name", "contractor_bin", "procurement_ref", "start_date",
                   "end_date", "status", "physical_progress_pct", "source_url", "description")
FACILITY_SUMMARY = ("facility_id", "name_kk", "name_ru", "name_en", "facility_type", "district_kato")
DEFAULT_LIMIT = 1000
CONFIRM_SHARE = 0.10  # losing more than this share of a year's lines or money needs confirming


@dataclass
class Preview:
    """The difference between two published states (or a state and a file), for some years."""

    base_version_id: int | None
    fiscal_years: list[int]
    diff: LineDiff
    new_facilities: list[dict] = field(default_factory=list)
    # one entry per fiscal year: {"fiscal_year", "districts": [{kato, names, *_before, *_after}]}
    district_totals: list[dict] = field(default_factory=list)
    mode: str | None = None  # of an upload: "update" or "replace"
    attribute_changes: list[AttributeChange] = field(default_factory=list)
    carried: int = 0  # published lines an update keeps as they are
    removals: list[dict] = field(default_factory=list)  # see ``removals()``

    @property
    def changes_nothing(self) -> bool:
        return not self.diff and not self.new_facilities and not self.attribute_changes

    @property
    def needs_confirmation(self) -> bool:
        return any(entry["large"] for entry in self.removals)

    def summary(self, limit: int = DEFAULT_LIMIT) -> dict:
        """Plain JSON-safe data: counts of everything, at most ``limit`` entries per list."""
        return {
            "base_version_id": self.base_version_id,
            "fiscal_years": list(self.fiscal_years),
            "changes_nothing": self.changes_nothing,
            "mode": self.mode,
            "counts": {"new_facilities": len(self.new_facilities), **self.diff.counts,
                       "attribute_changes": len(self.attribute_changes), "carried": self.carried},
            "removals": self.removals,
            "needs_confirmation": self.needs_confirmation,
            "attribute_changes": [{"facility_id": c.facility_id, "field": c.field,
                                   "before": _plain(c.before), "after": _plain(c.after)}
                                  for c in self.attribute_changes[:limit]],
            "limit": limit,
            "new_facilities": [_plain_dict(f, FACILITY_SUMMARY) for f in self.new_facilities[:limit]],
            "added": [_line_summary(line) for line in self.diff.added[:limit]],
            "removed": [_line_summary(line) for line in self.diff.removed[:limit]],
            "changed": [{**_line_summary(change.after),
                         **{f"{m}_before": _plain(change.before.get(m)) for m in MONEY},
                         "fields": [c.field for c in change.fields]}
                        for change in self.diff.changed[:limit]],
            "district_totals": self.district_totals,
        }


def _plain(value):
    """A JSON-safe scalar: None for missing values, Python ints and floats for numpy ones."""
    if missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _plain_dict(record: dict, names) -> dict:
    return {name: _plain(record.get(name)) for name in names}


def _line_summary(line: dict) -> dict:
    return _plain_dict(line, (*LINE_KEY, *MONEY))


def removals(before: list[dict], after: list[dict], diff: LineDiff, tables: list[dict]) -> list[dict]:
    """Per fiscal year that loses anything: the lines that go, the facilities left without a
    line that year, and the allocated money leaving each district (in numbers, for the page)."""
    found = []
    for table in tables:
        year = table["fiscal_year"]
        removed = [line for line in diff.removed if int(line["fiscal_year"]) == year]
        districts = [{key: row[key] for key in ("kato", "name_kk", "name_ru", "name_en")}
                     | {"allocated_tiyn_removed": row["allocated_tiyn_before"] - row["allocated_tiyn_after"]}
                     for row in table["districts"] if row["allocated_tiyn_after"] < row["allocated_tiyn_before"]]
        if not removed and not districts:
            continue
        lines_before = [line for line in before if int(line["fiscal_year"]) == year]
        facilities_before = {line["facility_id"] for line in lines_before}
        facilities_after = {line["facility_id"] for line in after if int(line["fiscal_year"]) == year}
        money_before = table["total"].get("allocated_tiyn_before", 0)
        money_removed = sum(d["allocated_tiyn_removed"] for d in districts)
        found.append({
            "fiscal_year": year, "lines_removed": len(removed), "lines_before": len(lines_before),
            "facilities_removed": len(facilities_before - facilities_after),
            "facilities_before": len(facilities_before),
            "allocated_tiyn_removed": money_removed, "allocated_tiyn_before": money_before,
            "districts": districts,
            "large": (len(removed) > CONFIRM_SHARE * len(lines_before)
                      or money_removed > CONFIRM_SHARE * money_before)})
    return found


# ---------------------------------------------------------------- reading lines


def published_lines(connection: sa.Connection, version_id: int | None,
                    years: list[int] | None = None) -> list[dict]:
    """The lines published as of ``version_id`` (only ``years`` if given), keyed like a file."""
    if version_id is None:
        return []
    bl = budget_lines
    query = (sa.select(facilities.c.facility_id, bl.c.fiscal_year, bl.c.work_type, bl.c.funding_source,
                       bl.c.budget_program_code, *(bl.c[name] for name in COMPARED_FIELDS))
             .select_from(published_lines_from(version_id)
                          .join(facilities, facilities.c.id == bl.c.facility_pk)))
    if years is not None:
        query = query.where(bl.c.fiscal_year.in_(years))
    return [dict(row._mapping) for row in connection.execute(query)]


def file_lines(lines: pd.DataFrame) -> list[dict]:
    """Lines named like a validated file's (``budget.apply.Applied.lines``) with the stored
    field names (money in tiyn)."""
    if not len(lines):
        return []
    frame = lines.rename(columns=STORED_MONEY)[[*LINE_KEY, *COMPARED_FIELDS]]
    plain = frame.astype(object).where(frame.notna(), None)
    return plain.to_dict("records")


# ---------------------------------------------------------------- district totals


def _totals(rows: list[dict]) -> dict[str, dict]:
    return {row["kato"]: row for row in rows}


def _district_entry(district: dict, before: dict | None, after: dict | None) -> dict:
    entry = {"kato": district["kato"], "name_kk": district["name_kk"], "name_ru": district["name_ru"],
             "name_en": district["name_en"]}
    for name in MONEY:
        entry[f"{name}_before"] = int((before or {}).get(name) or 0)
        entry[f"{name}_after"] = int((after or {}).get(name) or 0)
    return entry


def _year_table(year: int, district_rows: list[dict], before: dict, after: dict) -> dict:
    rows = [_district_entry(d, before.get(d["kato"]), after.get(d["kato"])) for d in district_rows]
    total = {key: sum(row[key] for row in rows) for key in rows[0] if key.endswith(("_before", "_after"))} \
        if rows else {}
    return {"fiscal_year": int(year), "districts": rows, "total": total}


def _applied_totals(lines: pd.DataFrame, year: int) -> dict[str, dict]:
    """Money of the new lines of ``year`` per district their facilities are placed in."""
    of_year = lines[lines["fiscal_year"] == year]
    sums = of_year.groupby("district_kato")[list(STORED_MONEY)].sum(min_count=0)
    return {str(kato): {STORED_MONEY[c]: int(row[c]) if not pd.isna(row[c]) else 0 for c in STORED_MONEY}
            for kato, row in sums.iterrows()}


# ---------------------------------------------------------------- the two comparisons


def preview_upload(connection: sa.Connection, validated: ValidatedTable,
                   base_version_id: int | None, mode: str = UPDATE) -> Preview:
    """What publishing ``validated`` in ``mode`` on top of ``base_version_id`` would change."""
    applied = apply_file(connection, validated, mode, base_version_id)
    years = applied.fiscal_years
    before = published_lines(connection, base_version_id, years)
    after = file_lines(applied.lines)
    diff = diff_lines(before, after, fields=COMPARED_FIELDS)
    new = []
    if len(applied.facilities):
        fresh = applied.facilities[~applied.facilities["facility_id"].isin(applied.known_ids)]
        fresh = fresh.rename(columns=STORED_FACILITY)
        new = fresh.astype(object).where(fresh.notna(), None).to_dict("records")
    district_rows = queries.district_list(connection)
    tables = [_year_table(year, district_rows,
                          _totals(queries.district_totals(connection, base_version_id, year)),
                          _applied_totals(applied.lines, year))
              for year in years]
    return Preview(base_version_id, years, diff, new, tables, mode=mode,
                   attribute_changes=applied.attribute_changes, carried=applied.carried,
                   removals=removals(before, after, diff, tables))


def previous_version_id(connection: sa.Connection, version_id: int) -> int | None:
    return connection.execute(sa.select(sa.func.max(versions.c.id))
                              .where(versions.c.id < version_id)).scalar()


def compare_versions(connection: sa.Connection, before_id: int | None, after_id: int) -> Preview:
    """What version ``after_id`` changed compared with ``before_id`` (None: nothing before)."""
    before = published_lines(connection, before_id)
    after = published_lines(connection, after_id)
    diff = diff_lines(before, after, fields=COMPARED_FIELDS)
    touched = sorted({int(line["fiscal_year"]) for line in diff.added + diff.removed}
                     | {int(change.key[LINE_KEY.index("fiscal_year")]) for change in diff.changed})
    new = [dict(row._mapping) for row in connection.execute(
        sa.select(*(facilities.c[name] for name in FACILITY_SUMMARY))
        .where(facilities.c.first_version_id == after_id).order_by(facilities.c.facility_id))]
    district_rows = queries.district_list(connection)
    tables = [_year_table(year, district_rows,
                          _totals(queries.district_totals(connection, before_id, year)),
                          _totals(queries.district_totals(connection, after_id, year)))
              for year in touched]
    mode = connection.execute(sa.select(versions.c.mode).where(versions.c.id == after_id)).scalar()
    return Preview(before_id, touched, diff, new, tables, mode=mode,
                   attribute_changes=snapshot_changes(connection, after_id),
                   removals=removals(before, after, diff, tables))


def snapshot_changes(connection: sa.Connection, version_id: int) -> list[AttributeChange]:
    """The facility details ``version_id`` changed: its snapshots against each one's previous."""
    fs = facility_snapshots
    earlier = fs.alias("earlier")
    previous = (sa.select(sa.func.max(earlier.c.version_id)).where(
        earlier.c.facility_pk == fs.c.facility_pk, earlier.c.version_id < version_id)
        .scalar_subquery())
    old = fs.alias("old")
    fields = list(dict.fromkeys(COMPARED_ATTRIBUTES.values()))
    rows = connection.execute(
        sa.select(facilities.c.facility_id, *(fs.c[name].label(f"after_{name}") for name in fields),
                  *(old.c[name].label(f"before_{name}") for name in fields))
        .select_from(fs.join(facilities, facilities.c.id == fs.c.facility_pk)
                     .join(old, sa.and_(old.c.facility_pk == fs.c.facility_pk, old.c.version_id == previous)))
        .where(fs.c.version_id == version_id).order_by(facilities.c.facility_id)).all()
    changes = []
    for row in rows:
        values = row._mapping
        for name in fields:
            before, after = _plain(values[f"before_{name}"]), _plain(values[f"after_{name}"])
            if before != after:
                changes.append(AttributeChange(row.facility_id, name, before, after))
    return changes
