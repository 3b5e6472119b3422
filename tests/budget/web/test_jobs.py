"""The upload's progress page, its JSON (editors only), failure and "Try again" through the views."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from budget import jobs as upload_jobs
from budget import pending
from budget.web.jobs import Jobs
from core.schema import audit_log, pending_uploads
from tests.budget.web.test_workspace import post, text, upload, upload_id_of
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token, login


def stored(engine, token: str | None = None) -> int:
    """An upload waiting for its validation job (no worker runs it)."""
    return pending.store(engine, budget_csv(*GOOD_ROWS), "budget.csv", actor="aigul",
                         token=token or upload_jobs.new_token())


def test_an_upload_being_checked_shows_its_progress_and_refreshes_without_javascript(editor, engine):
    upload_id = stored(engine)
    with engine.begin() as connection:
        connection.execute(pending_uploads.update().values(stage="reading", progress_done=5000,
                                                           progress_total=20000))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "Checking the file" in page and "Reading the file" in page
    assert "5,000 of about 20,000 rows read" in page
    assert '<progress id="job-bar"' in page and 'max="20000" value="5000"' in page
    assert 'role="status" aria-live="polite"' in page and 'aria-current="step">Reading the file' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert re.search(r"js/upload_progress(\.[0-9a-f]+)?\.js", page) and f'data-url="/admin/uploads/{upload_id}/progress.json"' in page
    progress = editor.get(f"/admin/uploads/{upload_id}/progress.json")
    assert progress.headers["Cache-Control"] == "no-store"
    assert progress.get_json() == {
        "id": upload_id, "status": "validating", "stage": "reading", "stage_label": "Reading the file",
        "done": 5000, "total": 20000, "running": True, "job": "validate", "failure": None,
        "heading": "Checking the file", "text": "5,000 of about 20,000 rows read",
        "next": f"/admin/uploads/{upload_id}"}
    assert "Being checked" in text(editor.get("/admin/upload"))


def test_the_progress_json_is_for_editors_only(client, editor, engine, make_user):
    upload_id = stored(engine)
    assert editor.get(f"/admin/uploads/{upload_id}/progress.json").status_code == 200
    assert editor.get("/admin/uploads/999/progress.json").status_code == 404
    anonymous = editor.application.test_client()
    assert anonymous.get(f"/admin/uploads/{upload_id}/progress.json").status_code == 302
    make_user("moder", "moderator")
    other = editor.application.test_client()
    login(other, "moder")
    assert other.get(f"/admin/uploads/{upload_id}/progress.json").status_code == 403
    assert other.post(f"/admin/uploads/{upload_id}/retry",
                      data={"csrf_token": csrf_token(other, "/admin/")}).status_code == 403


def test_a_job_nobody_took_shows_as_failed_and_try_again_runs_it(editor, engine, app):
    upload_id = stored(engine)
    with engine.begin() as connection:  # queued twenty minutes ago, no worker since
        old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)).isoformat(timespec="seconds")
        connection.execute(pending_uploads.update().values(heartbeat_at=old))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "The check failed" in page and "No background worker took up the work" in page
    assert 'role="alert"' in page and ">Try again<" in page and "http-equiv" not in page
    assert editor.get(f"/admin/uploads/{upload_id}/progress.json").get_json()["failure"] == "not_started"
    assert "Failed: try again" in text(editor.get("/admin/upload"))

    response = post(editor, f"/admin/uploads/{upload_id}/retry", page=f"/admin/uploads/{upload_id}")
    assert response.headers["Location"] == f"/admin/uploads/{upload_id}"
    page = text(editor.get(f"/admin/uploads/{upload_id}"))  # JOBS_IMMEDIATE: done already
    assert "What publishing changes" in page and ">Publish<" in page
    with engine.connect() as connection:
        actions = connection.execute(sa.select(audit_log.c.action, audit_log.c.actor)
                                     .where(audit_log.c.action.like("upload%"))).all()
    assert actions == [("upload_retry", "aigul"), ("upload", "aigul")]
    response = post(editor, f"/admin/uploads/{upload_id}/retry", page=f"/admin/uploads/{upload_id}")
    assert "not waiting to be tried again" in text(editor.get(f"/admin/uploads/{upload_id}"))


def test_a_failed_job_shows_its_step_and_no_internals(editor, engine, monkeypatch):
    monkeypatch.setattr(pending.preview, "preview_upload", lambda *a, **k: 1 / 0)
    upload_id = upload_id_of(upload(editor, budget_csv(*GOOD_ROWS)))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "The check failed" in page and "Working out what publishing changes" in page
    assert "ZeroDivisionError" not in page and "Traceback" not in page
    assert "Nothing was published: the public data is as it was." in page


def test_a_failed_upload_can_be_cancelled(editor, engine, monkeypatch):
    monkeypatch.setattr(pending.preview, "preview_upload", lambda *a, **k: 1 / 0)
    upload_id = upload_id_of(upload(editor, budget_csv(*GOOD_ROWS)))
    assert f'action="/admin/uploads/{upload_id}/cancel"' in text(editor.get(f"/admin/uploads/{upload_id}"))
    assert post(editor, f"/admin/uploads/{upload_id}/cancel").headers["Location"] == f"/admin/uploads/{upload_id}"
    with engine.connect() as connection:
        assert pending.get(connection, upload_id)["status"] == "cancelled"
        actions = connection.execute(sa.select(audit_log.c.action).where(audit_log.c.target_id == str(upload_id))
                                     .order_by(audit_log.c.id)).scalars().all()
    assert actions[-1] == "upload_cancel"


@pytest.fixture()
def queued(app):
    """The app with a real SQLite queue and no worker: jobs wait."""
    app.config["JOBS_IMMEDIATE"] = False
    app.extensions["jobs"] = Jobs(app)
    return app


def test_publish_marks_the_upload_publishing_and_its_page_shows_so(queued, editor, engine):
    token = upload_jobs.new_token()
    upload_id = stored(engine, token)
    upload_jobs.run_validation(engine, upload_id, token, queued.extensions["geography"].districts)
    response = post(editor, f"/admin/uploads/{upload_id}/publish", page=f"/admin/uploads/{upload_id}")
    assert response.headers["Location"] == f"/admin/uploads/{upload_id}"
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "Publishing the file" in page and "Waiting for the background worker" in page
    assert ">Publish<" not in page
    assert queued.extensions["jobs"].huey.pending_count() == 1
    response = post(editor, f"/admin/uploads/{upload_id}/publish", page=f"/admin/uploads/{upload_id}")
    assert "already been published or cancelled" in text(editor.get(f"/admin/uploads/{upload_id}"))
    assert queued.extensions["jobs"].huey.pending_count() == 1
