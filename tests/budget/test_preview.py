"""What a publication changes: the upload preview, version diffs, and pending uploads."""

import pytest
import sqlalchemy as sa

from budget import pending as pending_uploads
from budget import preview
from budget import publish as uploads
from budget.reader import read_budget_file
from budget.validation import validate_table
from core import versions as published
from core.schema import audit_log, versions
from core.schema import pending_uploads as pending_table
from tests.helpers import GOOD_ROWS, budget_csv

TURKESTAN_KATO = "611000000"


def validated(geography, content: bytes):
    return validate_table(read_budget_file(content, "file.csv"), geography.districts)


def preview_of(engine, geography, content: bytes, mode: str = "replace"):
    with engine.connect() as connection:
        base = published.latest_version_id(connection)
        return preview.preview_upload(connection, validated(geography, content), base, mode)


CHANGED = (
    # T1 2025 allocated and paid change; T1 2024 disappears (2024 is in the file); S1 2025 unchanged;
    # N1 is a new facility with a new line.
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;130 000 000;70 000 000",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;capital_repair;1 000;",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;",
    "N1;Жаңа мектеп;Новая школа;school;43,297;68,2518;2025;construction;50 000 000;",
)


def test_preview_lists_new_facilities_and_changed_added_removed_lines(engine, geography, publish_csv):
    base = publish_csv(budget_csv(*GOOD_ROWS))
    result = preview_of(engine, geography, budget_csv(*CHANGED))
    assert result.base_version_id == base and result.fiscal_years == [2024, 2025]
    assert [f["facility_id"] for f in result.new_facilities] == ["N1"]
    assert [(line["facility_id"], line["fiscal_year"], line["work_type"]) for line in result.diff.added] == [
        ("N1", 2025, "construction"), ("T1", 2024, "capital_repair")]
    assert [(line["facility_id"], line["fiscal_year"], line["work_type"]) for line in result.diff.removed] == [
        ("T1", 2024, "current_repair")]
    (change,) = result.diff.changed
    assert change.before["allocated_tiyn"] == 12_500_000_050 and change.after["allocated_tiyn"] == 13_000_000_000
    assert [c.field for c in change.fields] == ["allocated_tiyn", "paid_tiyn"]
    assert result.diff.unchanged == 1 and not result.changes_nothing

    summary = result.summary()
    assert summary["counts"] == {"new_facilities": 1, "added": 2, "removed": 1, "changed": 1, "unchanged": 1,
                                 "attribute_changes": 0, "carried": 0}
    assert summary["changed"][0]["allocated_tiyn_before"] == 12_500_000_050
    assert summary["changed"][0]["allocated_tiyn"] == 13_000_000_000


def test_district_totals_before_and_after_cover_every_district_for_each_year(engine, geography, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    result = preview_of(engine, geography, budget_csv(*CHANGED))
    by_year = {table["fiscal_year"]: table for table in result.district_totals}
    assert set(by_year) == {2024, 2025}
    assert all(len(table["districts"]) == 17 for table in by_year.values())
    turkestan = {row["kato"]: row for row in by_year[2025]["districts"]}[TURKESTAN_KATO]
    assert (turkestan["allocated_tiyn_before"], turkestan["allocated_tiyn_after"]) == (
        12_500_000_050, 13_000_000_000 + 5_000_000_000)
    saryagash = {row["name_en"]: row for row in by_year[2025]["districts"]}["Saryagash"]
    assert saryagash["allocated_tiyn_before"] == saryagash["allocated_tiyn_after"] == 1_200_000_000
    assert by_year[2024]["total"]["allocated_tiyn_before"] == 500_000_000
    assert by_year[2024]["total"]["allocated_tiyn_after"] == 100_000


def test_republishing_the_same_file_changes_nothing(engine, geography, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    result = preview_of(engine, geography, budget_csv(*GOOD_ROWS))
    assert result.changes_nothing and result.diff.unchanged == 3
    assert result.summary()["changes_nothing"] is True


def test_the_first_upload_is_all_new(engine, geography):
    result = preview_of(engine, geography, budget_csv(*GOOD_ROWS))
    assert result.base_version_id is None
    assert len(result.diff.added) == 3 and len(result.new_facilities) == 2


def test_summary_caps_the_lists_but_keeps_the_counts(engine, geography):
    summary = preview_of(engine, geography, budget_csv(*GOOD_ROWS)).summary(limit=1)
    assert summary["counts"]["added"] == 3 and len(summary["added"]) == 1
    assert len(summary["new_facilities"]) == 1


def test_version_diff_compares_with_the_previous_version(engine, publish_csv):
    first = publish_csv(budget_csv(*GOOD_ROWS))
    second = publish_csv(budget_csv(*CHANGED), mode="replace")
    with engine.connect() as connection:
        assert preview.previous_version_id(connection, second) == first
        result = preview.compare_versions(connection, first, second)
        initial = preview.compare_versions(connection, None, first)
    assert result.summary()["counts"] == {"new_facilities": 1, "added": 2, "removed": 1, "changed": 1,
                                          "unchanged": 1, "attribute_changes": 0, "carried": 0}
    assert initial.summary()["counts"]["added"] == 3 and initial.fiscal_years == [2024, 2025]


def pending(engine, geography, content: bytes, actor="aigul"):
    return pending_uploads.create(engine, content, "budget.csv", geography.districts, actor=actor)


def test_a_pending_upload_stores_bytes_counts_and_preview_but_publishes_nothing(engine, geography):
    content = budget_csv(*GOOD_ROWS)
    upload_id = pending(engine, geography, content)
    with engine.connect() as connection:
        upload = pending_uploads.get(connection, upload_id, with_content=True)
        assert published.latest_version_id(connection) is None
        entries = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)).all()
    assert upload["content"] == content and upload["size"] == len(content)
    assert upload["sha256"] == uploads.sha256_of(content) and upload["status"] == "pending"
    assert (upload["error_count"], upload["row_count"], upload["facility_count"]) == (0, 3, 2)
    assert upload["report"]["preview"]["counts"]["added"] == 3
    assert entries == [("upload", "aigul")]


def test_publishing_a_pending_upload_goes_through_the_import_and_records_it(engine, geography):
    upload_id = pending(engine, geography, budget_csv(*GOOD_ROWS))
    decision = pending_uploads.publish(engine, upload_id, geography.districts, actor="aigul")
    with engine.connect() as connection:
        upload = pending_uploads.get(connection, upload_id)
        version = connection.execute(sa.select(versions)).mappings().one()
        actions = connection.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
    assert upload["status"] == "published" and upload["published_version_id"] == decision.version_id
    assert version["id"] == decision.version_id and version["file_name"] == "budget.csv"
    assert version["sha256"] == upload["sha256"] and version["created_by"] == "aigul"
    assert actions == ["upload", "publish", "upload_publish"]
    with pytest.raises(pending_uploads.UploadError, match="not_pending"):
        pending_uploads.publish(engine, upload_id, geography.districts, actor="aigul")


def test_a_stale_preview_is_refused_and_nothing_is_written(engine, geography, publish_csv):
    upload_id = pending(engine, geography, budget_csv(*CHANGED))
    publish_csv(budget_csv(*GOOD_ROWS))  # a colleague publishes after the preview was made
    with pytest.raises(pending_uploads.StalePreview):
        pending_uploads.publish(engine, upload_id, geography.districts, actor="aigul")
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == 1
        assert pending_uploads.get(connection, upload_id)["status"] == "pending"


def test_an_upload_with_errors_cannot_be_published(engine, geography):
    upload_id = pending(engine, geography, budget_csv("T1;x;y;school;43,297;68,2518;2025;capital_repair;abc;"))
    with engine.connect() as connection:
        upload = pending_uploads.get(connection, upload_id)
    assert upload["error_count"] == 1 and upload["report"]["preview"] is None
    assert upload["report"]["problems"][0]["column"] == "amount_allocated"
    with pytest.raises(pending_uploads.UploadError, match="has_errors"):
        pending_uploads.publish(engine, upload_id, geography.districts, actor="aigul")


def test_cancel_keeps_the_upload_marked_cancelled(engine, geography):
    upload_id = pending(engine, geography, budget_csv(*GOOD_ROWS))
    with engine.begin() as connection:
        pending_uploads.cancel(connection, upload_id, actor="aigul")
    with engine.connect() as connection:
        upload = pending_uploads.get(connection, upload_id, with_content=True)
        count = connection.execute(sa.select(sa.func.count()).select_from(pending_table)).scalar()
        last = connection.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id.desc())).scalar()
    assert count == 1 and upload["status"] == "cancelled" and upload["content"]
    assert upload["decided_by"] == "aigul" and last == "upload_cancel"
    with pytest.raises(pending_uploads.UploadError, match="not_pending"):
        pending_uploads.publish(engine, upload_id, geography.districts, actor="aigul")


def test_report_csv_has_a_bom_and_neutralises_formulas():
    problem = pending_uploads.Problem("error", 2, "amount_allocated", "=HYPERLINK(\"x\")", "not_a_number")
    body = pending_uploads.report_csv([problem], ["Severity", "Row", "Column", "Value", "Message"],
                                      {"error": "Error"})
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=" not in text


def test_the_preview_is_computed_without_holding_the_write_lock(engine, geography, publish_csv, monkeypatch):
    """While an upload's preview is built, another writer (a resident's feedback) is not blocked."""
    publish_csv(budget_csv(*GOOD_ROWS))
    real, wrote = preview.preview_upload, []

    def preview_while_somebody_writes(connection, validated, base, mode):
        other = engine.raw_connection()
        try:
            other.execute("PRAGMA busy_timeout=0")  # fail at once instead of waiting for a lock
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            wrote.append(True)
        finally:
            other.close()
        return real(connection, validated, base, mode)

    monkeypatch.setattr(preview, "preview_upload", preview_while_somebody_writes)
    upload_id = pending(engine, geography, budget_csv(*GOOD_ROWS[:1]))
    assert wrote == [True]
    with engine.connect() as connection:
        assert pending_uploads.get(connection, upload_id)["report"]["preview"] is not None
