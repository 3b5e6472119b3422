"""What a publication changes: the upload preview and the diff of a version against the one before.

Pure functions over a connection and a ``ValidatedTable`` (no Flask, nothing written). A file
replaces whole fiscal years (``budget.publish.publish``), so for an upload the "before" is every
line published for the years the file covers, and the "after" is exactly the file's lines:
a published line of those years that the file lacks is *removed*. Lines are matched by
``LINE_KEY`` through ``core.line_changes.diff_lines`` (the same definition of a change as the
facility page's history).

Both kinds of comparison give a ``Preview``; ``Preview.summary(limit)`` turns it into plain,
JSON-safe data with full counts and lists capped at ``limit`` entries each, which the pending
upload stores so the pages never validate the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from budget.validation import ValidatedTable
from core.line_changes import LineDiff, diff_lines, missing
from core.schema import budget_lines, facilities, versions
from core.versions import published_lines_from
from core.vocabulary import LINE_KEY
from explore import queries

MONEY = ("allocated_tiyn", "contracted_tiyn", "paid_tiyn")
# The fields of a line compared on matched lines (the key identifies it; source_row is storage).
COMPARED_FIELDS = (*MONEY, "contractor_name", "contractor_bin", "procurement_ref", "start_date",
                   "end_date", "status", "physical_progress_pct", "source_url", "description")
FILE_MONEY = {"amount_allocated": "allocated_tiyn", "amount_contracted": "contracted_tiyn",
              "amount_paid": "paid_tiyn"}
FACILITY_SUMMARY = ("facility_id", "name_kk", "name_ru", "name_en", "facility_type", "district_kato")
DEFAULT_LIMIT = 1000


@dataclass
class Preview:
    """The difference between two published states (or a state and a file), for some years."""

    base_version_id: int | None
    fiscal_years: list[int]
    diff: LineDiff
    new_facilities: list[dict] = field(default_factory=list)
    # one entry per fiscal year: {"fiscal_year", "districts": [{kato, names, *_before, *_after}]}
    district_totals: list[dict] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return not self.diff and not self.new_facilities

    def summary(self, limit: int = DEFAULT_LIMIT) -> dict:
        """Plain JSON-safe data: counts of everything, at most ``limit`` entries per list."""
        return {
            "base_version_id": self.base_version_id,
            "fiscal_years": list(self.fiscal_years),
            "changes_nothing": self.changes_nothing,
            "counts": {"new_facilities": len(self.new_facilities), **self.diff.counts},
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


def file_lines(validated: ValidatedTable) -> list[dict]:
    """A validated table's lines with the stored field names (money in tiyn)."""
    if not len(validated.lines):
        return []
    frame = validated.lines.rename(columns=FILE_MONEY)[[*LINE_KEY, *COMPARED_FIELDS]]
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


def _file_totals(validated: ValidatedTable, year: int) -> dict[str, dict]:
    """Money of the file's lines for ``year`` per district the facilities were placed in."""
    lines = validated.lines[validated.lines["fiscal_year"] == year]
    placed = validated.facilities[["facility_id", "kato"]]
    merged = lines.merge(placed, on="facility_id", how="left")
    sums = merged.groupby("kato")[list(FILE_MONEY)].sum(min_count=0)
    return {str(kato): {FILE_MONEY[c]: int(row[c]) if not pd.isna(row[c]) else 0 for c in FILE_MONEY}
            for kato, row in sums.iterrows()}


# ---------------------------------------------------------------- the two comparisons


def preview_upload(connection: sa.Connection, validated: ValidatedTable,
                   base_version_id: int | None) -> Preview:
    """What publishing ``validated`` on top of ``base_version_id`` would change."""
    years = validated.fiscal_years
    before = published_lines(connection, base_version_id, years)
    diff = diff_lines(before, file_lines(validated), fields=COMPARED_FIELDS)
    ids = list(validated.facilities["facility_id"]) if len(validated.facilities) else []
    known = _known_facility_ids(connection, ids)
    new = []
    if ids:
        fresh = validated.facilities[~validated.facilities["facility_id"].isin(known)]
        fresh = fresh.rename(columns={"facility_name_kk": "name_kk", "facility_name_ru": "name_ru",
                                      "facility_name_en": "name_en", "kato": "district_kato"})
        new = fresh.astype(object).where(fresh.notna(), None).to_dict("records")
    district_rows = queries.district_list(connection)
    tables = [_year_table(year, district_rows,
                          _totals(queries.district_totals(connection, base_version_id, year)),
                          _file_totals(validated, year))
              for year in years]
    return Preview(base_version_id, years, diff, new, tables)


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
    return Preview(before_id, touched, diff, new, tables)


def _known_facility_ids(connection: sa.Connection, facility_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(facility_ids), 900):  # SQLite's bound-parameter limit
        chunk = facility_ids[start:start + 900]
        found.update(connection.execute(sa.select(facilities.c.facility_id)
                                        .where(facilities.c.facility_id.in_(chunk))).scalars())
    return found
