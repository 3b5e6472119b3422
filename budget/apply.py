"""How a validated file becomes the published state of its fiscal years: the two modes.

**Update** (the default): the file's lines are added, or replace the published line with the
same key; every other published line of those years stays. **Replace**: the file is the
complete table of the years it contains, so published lines of those years that it lacks are
removed. Officials send partial tables (one district, one programme) far more often than whole
years, so a partial file must never wipe a year by accident.

A blank optional cell never erases: a facility detail left empty keeps the published one (in
both modes: a facility spans years), and in update mode so does a blank cell of a line the file
updates. The marker ``-`` (``budget.validation.CLEAR_MARKERS``) clears a value on purpose.

The preview (``budget.preview``) and the publication (``budget.publish``) both call
``apply_file``, so what the editor approves is exactly what is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from budget.format import STORED_FACILITY, STORED_MONEY
from budget.validation import ValidatedTable
from core.db import in_chunks
from core.line_changes import normalised
from core.schema import budget_lines, facilities
from core.versions import published_lines_from
from core.vocabulary import LINE_KEY

UPDATE, REPLACE = "update", "replace"
MODES = (UPDATE, REPLACE)

# Line cells that a blank keeps in update mode (the key and the allocation are always given).
KEEPABLE_LINE_FIELDS = ("amount_contracted", "amount_paid", "contractor_name", "contractor_bin",
                        "procurement_ref", "start_date", "end_date", "status",
                        "physical_progress_pct", "source_url", "description")
# Facility details a blank keeps, and every detail the preview reports a change of:
# file column -> stored column.
KEEPABLE_ATTRIBUTES = {column: STORED_FACILITY.get(column, column) for column in (
    "facility_name_kk", "facility_name_ru", "facility_name_en", "address", "capacity",
    "capacity_unit", "floor_area_m2")}
COMPARED_ATTRIBUTES = {column: STORED_FACILITY.get(column, column) for column in (
    *KEEPABLE_ATTRIBUTES, "facility_type", "lat", "lon", "kato")}
FILE_MONEY = {stored: column for column, stored in STORED_MONEY.items()}  # stored -> file name


class UnknownMode(ValueError):
    """A publication mode other than ``update`` or ``replace``."""


@dataclass(frozen=True)
class AttributeChange:
    """One detail of a published facility that the publication changes (None = no value)."""

    facility_id: str
    field: str  # the stored name: name_kk, address, district_kato...
    before: object
    after: object


@dataclass
class Applied:
    """What the new version holds for the file's years, and what happened to the details."""

    mode: str
    fiscal_years: list[int]
    lines: pd.DataFrame  # every line of those years, columns as ``ValidatedTable.lines`` + district_kato
    facilities: pd.DataFrame  # the file's facilities, blanks filled from the published details
    carried: int = 0  # published lines kept untouched (update mode)
    attribute_changes: list[AttributeChange] = field(default_factory=list)
    known_ids: frozenset[str] = frozenset()  # the file's facilities that are published already


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise UnknownMode(f"Unknown publication mode {mode!r}: use one of {', '.join(MODES)}.")
    return mode


def apply_file(connection: sa.Connection, validated: ValidatedTable, mode: str,
               base_version_id: int | None) -> Applied:
    """The lines and facility details that publishing ``validated`` on ``base_version_id`` gives."""
    check_mode(mode)
    if not validated.ok:
        raise ValueError("a table with errors cannot be applied")
    years = validated.fiscal_years
    published = _published_facilities(connection, list(validated.facilities["facility_id"])
                                      if len(validated.facilities) else [])
    details = _keep_facility_details(validated, published)
    lines = validated.lines.copy()
    carried = 0
    if mode == UPDATE and base_version_id is not None and years:
        before = _published_lines(connection, base_version_id, years)
        lines, carried = _update_lines(lines, before, validated.cleared)
    places = dict(zip(details["facility_id"], details["kato"])) if len(details) else {}
    placed = lines["facility_id"].map(places)  # where the file puts a facility, that decides
    lines["district_kato"] = placed.where(placed.notna(), lines.get("district_kato"))
    return Applied(mode, years, lines.reset_index(drop=True), details, carried,
                   _attribute_changes(details, published), frozenset(published.index))


# ---------------------------------------------------------------- facilities


def _published_facilities(connection: sa.Connection, facility_ids: list[str]) -> pd.DataFrame:
    """The stored details of those of ``facility_ids`` that are published, indexed by id."""
    columns = ["facility_id", *dict.fromkeys(COMPARED_ATTRIBUTES.values())]
    rows = []
    for chunk in in_chunks(facility_ids):
        rows.extend(connection.execute(sa.select(*(facilities.c[name] for name in columns))
                                       .where(facilities.c.facility_id.in_(chunk))).all())
    return pd.DataFrame([tuple(row) for row in rows], columns=columns).set_index("facility_id")


def _cleared_attributes(validated: ValidatedTable) -> dict[str, set[str]]:
    """facility_id -> the detail columns one of its rows cleared with the marker."""
    if not validated.cleared:
        return {}
    row_ids = validated.lines.set_index("source_row")["facility_id"]
    cleared: dict[str, set[str]] = {}
    for row, columns in validated.cleared.items():
        wanted = columns & KEEPABLE_ATTRIBUTES.keys()
        if wanted and row in row_ids.index:
            cleared.setdefault(row_ids[row], set()).update(wanted)
    return cleared


def _keep_facility_details(validated: ValidatedTable, published: pd.DataFrame) -> pd.DataFrame:
    """The file's facilities, each blank detail filled with the published one unless cleared."""
    details = validated.facilities.copy()
    if not len(details) or not len(published):
        return details
    cleared = _cleared_attributes(validated)
    ids = details["facility_id"]
    for file_column, stored in KEEPABLE_ATTRIBUTES.items():
        old = ids.map(published[stored])
        on_purpose = np.array([file_column in cleared.get(i, ()) for i in ids], dtype=bool)
        keep = details[file_column].isna().to_numpy() & ~on_purpose & old.notna().to_numpy()
        if keep.any():
            values = details[file_column].astype(object)
            values[keep] = old[keep]
            details[file_column] = _same_dtype(values, details[file_column].dtype)
    return details


def _same_dtype(values: pd.Series, dtype) -> pd.Series:
    try:
        return values.astype(dtype)
    except (TypeError, ValueError):
        return values


def _attribute_changes(details: pd.DataFrame, published: pd.DataFrame) -> list[AttributeChange]:
    """Every detail of an already published facility that ``details`` changes, facility by
    facility in the file's order (compared column by column: a row lookup each took seconds)."""
    if not len(details) or not len(published):
        return []
    known = details[details["facility_id"].isin(published.index)]
    old = published.reindex(known["facility_id"])
    found = []
    for order, (file_column, stored) in enumerate(COMPARED_ATTRIBUTES.items()):
        pairs = zip(known["facility_id"], old[stored].to_numpy(dtype=object),
                    known[file_column].to_numpy(dtype=object))
        for position, (facility_id, before, after) in enumerate(pairs):
            before, after = _plain(before), _plain(after)
            if before != after:
                found.append((position, order, AttributeChange(facility_id, stored, before, after)))
    return [change for _, _, change in sorted(found, key=lambda item: item[:2])]


def _plain(value):
    value = normalised(value)
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------- lines


def _published_lines(connection: sa.Connection, version_id: int, years: list[int]) -> pd.DataFrame:
    """The lines published as of ``version_id`` for ``years``, named like a validated file's."""
    bl = budget_lines
    stored = [c for c in ("fiscal_year", "work_type", "budget_program_code", "funding_source",
                          *FILE_MONEY, *KEEPABLE_LINE_FIELDS) if c not in FILE_MONEY.values()]
    query = (sa.select(facilities.c.facility_id, facilities.c.district_kato, *(bl.c[c] for c in stored))
             .select_from(published_lines_from(version_id)
                          .join(facilities, facilities.c.id == bl.c.facility_pk))
             .where(bl.c.fiscal_year.in_(years)))
    rows = connection.execute(query).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=["facility_id", "district_kato", *stored])
    return frame.rename(columns=FILE_MONEY)


def _key_strings(frame: pd.DataFrame) -> pd.Series:
    """One comparable text per line key (a missing part is the empty string)."""
    parts = [frame[name].astype(object).where(frame[name].notna(), "").astype(str) for name in LINE_KEY]
    return parts[0].str.cat(parts[1:], sep="\x1f")


def _update_lines(lines: pd.DataFrame, before: pd.DataFrame,
                  cleared: dict[int, frozenset[str]]) -> tuple[pd.DataFrame, int]:
    """The file's lines with blanks kept from the published line of the same key, then every
    published line the file does not mention; and how many of those there are."""
    if not len(before):
        return lines, 0
    file_keys, old_keys = _key_strings(lines), _key_strings(before)
    old_by_key = before.set_index(old_keys)
    matched = file_keys.isin(old_by_key.index).to_numpy()
    if matched.any():
        on_purpose = {name: np.array([name in cleared.get(int(row), ()) for row in lines["source_row"]])
                      for name in KEEPABLE_LINE_FIELDS} if cleared else {}
        for name in KEEPABLE_LINE_FIELDS:
            old = file_keys.map(old_by_key[name]) if name in old_by_key else None
            if old is None:
                continue
            keep = matched & lines[name].isna().to_numpy() & old.notna().to_numpy()
            if name in on_purpose:
                keep &= ~on_purpose[name]
            if keep.any():
                values = lines[name].astype(object)
                values[keep] = old[keep].to_numpy()
                lines[name] = _same_dtype(values, lines[name].dtype)
    kept = before[~old_keys.isin(set(file_keys)).to_numpy()]
    carried = kept.assign(source_row=pd.NA)  # they came from an earlier file
    columns = [*lines.columns, "district_kato"]
    combined = pd.concat([lines.assign(district_kato=None), carried.reindex(columns=columns)],
                         ignore_index=True)
    for name in lines.columns:  # concat widens dtypes; keep the file's where it can
        combined[name] = _same_dtype(combined[name], lines[name].dtype)
    return combined, len(carried)
