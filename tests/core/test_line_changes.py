"""Diffing two sets of budget lines by their key."""

import math

import pandas as pd
import pytest

from core.line_changes import (
    DuplicateLineKey,
    FieldChange,
    LineDiff,
    compared_fields,
    diff_lines,
    field_changes,
    line_key,
    missing,
)
from core.vocabulary import LINE_KEY


def line(year=2025, work="capital_repair", funding="oblast", code="261-015", facility="T1", **fields):
    base = {"facility_id": facility, "fiscal_year": year, "work_type": work, "funding_source": funding,
            "budget_program_code": code, "allocated_tiyn": 100, "paid_tiyn": 50, "status": "in_progress",
            "contractor_name": "ТОО «A»"}
    return {**base, **fields}


def test_identical_sets_have_no_change():
    lines = [line(), line(year=2024)]
    diff = diff_lines(lines, [dict(x) for x in reversed(lines)])
    assert not diff
    assert diff == LineDiff(unchanged=2)
    assert diff.counts == {"added": 0, "removed": 0, "changed": 0, "unchanged": 2}


def test_both_empty_is_no_change():
    assert not diff_lines([], [])


def test_storage_fields_are_not_changes():
    before = line(id=1, version_id=1, facility_pk=7, source_row=2)
    after = line(id=9, version_id=2, facility_pk=7, source_row=40)
    assert not diff_lines([before], [after])


def test_everything_added_from_nothing_and_removed_to_nothing():
    lines = [line(year=2025), line(year=2024)]
    added = diff_lines([], lines)
    assert [x["fiscal_year"] for x in added.added] == [2024, 2025]  # ordered by key
    assert added.removed == [] and added.changed == []
    removed = diff_lines(lines, [])
    assert [x["fiscal_year"] for x in removed.removed] == [2024, 2025]
    assert removed.added == []


def test_added_removed_and_changed_together():
    before = [line(year=2024), line(year=2025, work="equipment"), line(year=2025)]
    after = [line(year=2025, paid_tiyn=80), line(year=2026), line(year=2024)]
    diff = diff_lines(before, after)
    assert [(x["fiscal_year"], x["work_type"]) for x in diff.added] == [(2026, "capital_repair")]
    assert [(x["fiscal_year"], x["work_type"]) for x in diff.removed] == [(2025, "equipment")]
    (change,) = diff.changed
    assert change.key == ("T1", 2025, "capital_repair", "oblast", "261-015")
    assert change.fields == (FieldChange("paid_tiyn", 50, 80),)
    assert change.before["paid_tiyn"] == 50 and change.after["paid_tiyn"] == 80
    assert diff.unchanged == 1
    assert diff.counts == {"added": 1, "removed": 1, "changed": 1, "unchanged": 1}


def test_several_fields_change_in_the_order_asked():
    before = line(status="in_progress", paid_tiyn=50, physical_progress_pct=40.0, contractor_name="ТОО «A»")
    after = line(status="completed", paid_tiyn=100, physical_progress_pct=100.0, contractor_name="ТОО «B»")
    fields = ("allocated_tiyn", "paid_tiyn", "status", "physical_progress_pct", "contractor_name")
    (change,) = diff_lines([before], [after], fields=fields).changed
    assert change.fields == (
        FieldChange("paid_tiyn", 50, 100), FieldChange("status", "in_progress", "completed"),
        FieldChange("physical_progress_pct", 40.0, 100.0),
        FieldChange("contractor_name", "ТОО «A»", "ТОО «B»"))


def test_only_the_fields_asked_for_are_compared():
    diff = diff_lines([line(status="planned")], [line(status="completed", paid_tiyn=1)], fields=("status",))
    assert diff.changed[0].fields == (FieldChange("status", "planned", "completed"),)
    assert not diff_lines([line(status="planned")], [line(status="completed")], fields=("paid_tiyn",))


def test_a_field_present_on_one_side_only_is_compared():
    (change,) = diff_lines([line()], [line(end_date="2025-11-30")]).changed
    assert change.fields == (FieldChange("end_date", None, "2025-11-30"),)


def test_a_value_becoming_empty_is_a_change_but_missing_kinds_are_equal():
    (change,) = diff_lines([line(contractor_name="ТОО «A»")], [line(contractor_name=None)]).changed
    assert change.fields == (FieldChange("contractor_name", "ТОО «A»", None),)
    nothing = [line(paid_tiyn=None), line(year=2024, paid_tiyn=float("nan")), line(year=2023, paid_tiyn=pd.NA)]
    assert not diff_lines(nothing, [line(paid_tiyn=""), line(year=2024, paid_tiyn=None),
                                    line(year=2023, paid_tiyn=float("nan"))])


def test_key_with_missing_parts_matches_however_they_are_written():
    before = [line(funding=None, code=None)]
    after = [line(funding="", code=float("nan"), paid_tiyn=60)]
    diff = diff_lines(before, after)
    assert diff.added == [] and diff.removed == []
    assert diff.changed[0].key == ("T1", 2025, "capital_repair", None, None)
    # and keys with a missing part sort before keys with a value, without comparing None to str
    ordered = diff_lines([], [line(funding="oblast"), line(funding=None)]).added
    assert [x["funding_source"] for x in ordered] == [None, "oblast"]


def test_a_key_part_that_differs_makes_a_different_line():
    diff = diff_lines([line(funding="oblast")], [line(funding="district")])
    assert len(diff.added) == 1 and len(diff.removed) == 1 and diff.changed == []


def test_other_keys_can_be_used():
    before = [{"code": "A", "amount": 1}, {"code": "B", "amount": 2}]
    after = [{"code": "A", "amount": 3}]
    diff = diff_lines(before, after, key=("code",))
    assert diff.changed[0].key == ("A",) and diff.changed[0].fields == (FieldChange("amount", 1, 3),)
    assert diff.removed == [{"code": "B", "amount": 2}]


def test_duplicate_keys_are_refused():
    with pytest.raises(DuplicateLineKey, match="new"):
        diff_lines([], [line(), line(paid_tiyn=1)])
    with pytest.raises(DuplicateLineKey, match="old"):
        diff_lines([line(), line()], [])


def test_helpers():
    assert line_key(line(funding=" "), LINE_KEY) == ("T1", 2025, "capital_repair", None, "261-015")
    assert [missing(v) for v in (None, "", "  ", math.nan, pd.NA, 0, 0.0, "0", False)] == [
        True, True, True, True, True, False, False, False, False]
    assert field_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}, ("a", "b", "c")) == (
        FieldChange("b", 2, 3),)
    assert compared_fields([{"facility_id": 1, "id": 2, "x": 1}, {"y": 2, "x": 3}]) == ("x", "y")
