"""The upload jobs as plain functions: progress, the report, failure, stale jobs, try again."""

import datetime as dt
import io
import logging

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from budget import jobs, pending, reader
from core.db import write_transaction
from core.schema import audit_log, budget_lines, pending_uploads, versions
from tests.helpers import GOOD_ROWS, HEADER, budget_csv

CHANGED_ROW = "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;777 000 000;"


def xlsx(rows: int) -> bytes:
    """A real workbook of ``rows`` good lines (one facility per line)."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for n in range(rows):
        sheet.append([f"X{n}", f"Мектеп {n}", f"Школа {n}", "school", 43.297, 68.2518, 2025,
                      "construction", 1_000_000 + n, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(engine, content: bytes, name: str = "budget.csv") -> tuple[int, str]:
    token = jobs.new_token()
    return pending.store(engine, content, name, actor="aigul", token=token), token


def row(engine, upload_id: int) -> dict:
    with engine.connect() as connection:
        return pending.get(connection, upload_id)


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_validation_reports_each_stage_with_rows_then_stores_the_report(engine, geography, monkeypatch):
    monkeypatch.setattr(reader, "ROWS_PER_REPORT", 2)
    upload_id, token = stored(engine, xlsx(5), "budget.xlsx")
    assert row(engine, upload_id)["status"] == "validating" and row(engine, upload_id)["stage"] == "queued"
    seen = []
    progress = jobs.Progress(engine, upload_id, token)

    def recording(stage, done=0, total=0):
        seen.append((stage, done, total))
        assert progress(stage, done, total)
        assert (row(engine, upload_id)["stage"], row(engine, upload_id)["progress_done"]) == (stage, done)
        return True

    assert pending.validate_stored(engine, upload_id, geography.districts, token=token, progress=recording)
    assert seen[0] == ("reading", 0, 0)
    assert ("reading", 2, 6) in seen and ("reading", 4, 6) in seen  # 6 rows with the header
    assert ("validating", 0, 5) in seen and ("preview", 5, 5) in seen and seen[-1] == ("storing", 5, 5)
    upload = row(engine, upload_id)
    assert upload["status"] == "pending" and upload["stage"] is None and upload["row_count"] == 5
    assert upload["report"]["preview"]["counts"]["added"] == 5
    with engine.connect() as connection:
        assert connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)).all() == [("upload", "aigul")]


def test_the_validation_job_ends_pending_or_with_errors_in_the_report(engine, geography):
    good, token = stored(engine, budget_csv(*GOOD_ROWS))
    assert jobs.run_validation(engine, good, token, geography.districts) == "pending"
    bad, token = stored(engine, budget_csv("T1;;;school;43,297;68,2518;2025;capital_repair;x;"))
    assert jobs.run_validation(engine, bad, token, geography.districts) == "pending"
    assert row(engine, bad)["error_count"] >= 1 and row(engine, good)["error_count"] == 0


def test_a_job_that_raises_is_failed_at_its_stage_and_logged(engine, geography, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(pending.preview, "preview_upload", broken)
    upload_id, token = stored(engine, budget_csv(*GOOD_ROWS))
    with caplog.at_level(logging.ERROR, logger="budget.jobs"):
        assert jobs.run_validation(engine, upload_id, token, geography.districts) == "failed"
    upload = row(engine, upload_id)
    assert (upload["status"], upload["stage"], upload["failure"]) == ("failed", "preview", "validate:crashed")
    assert jobs.failure_of(upload) == ("validate", "crashed")
    assert "secret internals" in caplog.text  # the traceback is in the log, not on the row


def test_an_attempt_that_is_no_longer_the_rows_writes_nothing(engine, geography):
    upload_id, _token = stored(engine, budget_csv(*GOOD_ROWS))
    assert jobs.run_validation(engine, upload_id, "an older attempt", geography.districts) == "superseded"
    assert row(engine, upload_id)["status"] == "validating" and row(engine, upload_id)["stage"] == "queued"


def test_silent_jobs_are_failed_once_their_heartbeat_is_stale(engine):
    queued, _ = stored(engine, budget_csv(*GOOD_ROWS))
    reading, token = stored(engine, budget_csv(*GOOD_ROWS))
    jobs.Progress(engine, reading, token)("reading", 10, 100)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11)
    assert jobs.is_stale(row(engine, queued), stale_after=600, now=later)
    assert not jobs.is_stale(row(engine, queued), stale_after=600)
    with write_transaction(engine) as connection:
        assert jobs.fail_stale(connection, stale_after=600) == 0  # alive: heartbeats just now
        assert jobs.fail_stale(connection, stale_after=600, now=later) == 2
    assert jobs.failure_of(row(engine, queued)) == ("validate", "not_started")
    assert jobs.failure_of(row(engine, reading)) == ("validate", "worker_lost")
    assert row(engine, reading)["stage"] == "reading"  # where it was when it went silent


def publishing(engine, geography, content: bytes) -> tuple[int, str]:
    upload_id, token = stored(engine, content)
    assert jobs.run_validation(engine, upload_id, token, geography.districts) == "pending"
    with write_transaction(engine) as connection:
        return upload_id, jobs.request_publication(connection, upload_id)


def test_the_publication_job_publishes_and_fills_the_bar(engine, geography):
    upload_id, token = publishing(engine, geography, budget_csv(*GOOD_ROWS))
    assert row(engine, upload_id)["status"] == "publishing"
    assert jobs.run_publication(engine, upload_id, token, geography.districts, actor="aigul") == "published"
    upload = row(engine, upload_id)
    assert upload["status"] == "published" and upload["published_version_id"] == 1
    assert (upload["progress_done"], upload["progress_total"]) == (3, 3)
    with engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
    assert actions == ["upload", "publish", "upload_publish"]


def test_a_publication_that_raises_in_its_transaction_changes_nothing_and_can_be_retried(
        engine, geography, publish_csv, monkeypatch):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = count(engine, versions), count(engine, budget_lines)
    upload_id, token = publishing(engine, geography, budget_csv(CHANGED_ROW))
    from risk import store as risk_store

    real = risk_store.record_flags
    monkeypatch.setattr(risk_store, "record_flags", lambda *a, **k: 1 / 0)  # inside the transaction
    assert jobs.run_publication(engine, upload_id, token, geography.districts, actor="aigul") == "failed"
    assert (count(engine, versions), count(engine, budget_lines)) == before
    upload = row(engine, upload_id)
    assert (upload["status"], upload["stage"], upload["failure"]) == ("failed", "publishing", "publish:crashed")

    monkeypatch.setattr(risk_store, "record_flags", real)
    with write_transaction(engine) as connection:
        job, token = jobs.retry(connection, upload_id, actor="marat")
    assert job == "publish" and row(engine, upload_id)["status"] == "publishing"
    assert jobs.run_publication(engine, upload_id, token, geography.districts, actor="marat") == "published"
    assert count(engine, versions) == before[0] + 1
    with engine.connect() as connection:
        retry = connection.execute(sa.select(audit_log).where(audit_log.c.action == "upload_retry")).one()
    assert retry.actor == "marat" and retry.details["job"] == "publish"


def test_a_stale_preview_fails_the_publication_and_trying_again_checks_the_file_again(
        engine, geography, publish_csv):
    upload_id, token = publishing(engine, geography, budget_csv(CHANGED_ROW))
    publish_csv(budget_csv(*GOOD_ROWS))  # a colleague's publication meanwhile
    assert jobs.run_publication(engine, upload_id, token, geography.districts, actor="aigul") == "failed"
    assert jobs.failure_of(row(engine, upload_id)) == ("publish", "stale_preview")
    assert count(engine, versions) == 1
    with write_transaction(engine) as connection:
        job, token = jobs.retry(connection, upload_id, actor="aigul")
    assert job == "validate"
    assert jobs.run_validation(engine, upload_id, token, geography.districts) == "pending"
    assert row(engine, upload_id)["base_version_id"] == 1  # a fresh preview against version 1


def test_only_failed_uploads_are_tried_again_and_only_clean_pending_ones_published(engine, geography):
    upload_id, _ = stored(engine, budget_csv(*GOOD_ROWS))
    with pytest.raises(pending.UploadError) as refused, write_transaction(engine) as connection:
        jobs.retry(connection, upload_id, actor="aigul")
    assert refused.value.code == "not_failed"
    with pytest.raises(pending.UploadError) as refused, write_transaction(engine) as connection:
        jobs.request_publication(connection, upload_id)
    assert refused.value.code == "not_pending"
    bad, token = stored(engine, budget_csv("T1;;;school;43,297;68,2518;2025;capital_repair;x;"))
    jobs.run_validation(engine, bad, token, geography.districts)
    with pytest.raises(pending.UploadError) as refused, write_transaction(engine) as connection:
        jobs.request_publication(connection, bad)
    assert refused.value.code == "has_errors"
    with engine.connect() as connection:
        assert connection.execute(sa.select(pending_uploads.c.status).where(
            pending_uploads.c.id == bad)).scalar() == "pending"
