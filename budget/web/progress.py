"""An upload while a background job works on it: the progress page, its JSON, "Try again".

Everything shown comes from the upload's row (``budget.jobs`` writes the stage and counts), so
a reload, another tab or another editor sees the same. The page polls
``/admin/uploads/<id>/progress.json`` with JavaScript (``static/js/upload_progress.js``) and
refreshes itself without it. A job silent past ``JOBS_STALE_MINUTES`` is marked failed here,
when somebody looks (``budget.jobs.fail_stale``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from accounts.web.auth import current_actor, roles_required
from budget import jobs as upload_jobs
from budget import pending
from budget.web.jobs import jobs
from core import jobs as queue
from core.db import write_transaction
from core.web import database
from core.web.i18n import number

bp = Blueprint("upload_jobs", __name__, url_prefix="/admin")

EDITOR = "editor"
REFRESH_SECONDS = 3  # the page's own refresh without JavaScript, while work goes on


def stage_labels() -> dict[str, str]:
    return {"queued": _("Waiting for the background worker"), "reading": _("Reading the file"),
            "validating": _("Checking every row"), "preview": _("Working out what publishing changes"),
            "storing": _("Saving the report"), "publishing": _("Publishing")}


def counts_text(stage: str | None, done: int, total: int) -> str:
    """How far, in rows, in the stage's own words."""
    if stage == "reading":
        if total:
            return _("%(done)s of about %(total)s rows read", done=number(done), total=number(total))
        return _("%(done)s rows read", done=number(done)) if done else _("Opening the file")
    if stage == "validating":
        return _("%(total)s rows read; checking them", total=number(total))
    if stage in ("preview", "storing"):
        return _("%(done)s rows validated", done=number(done))
    if stage == "publishing":
        return _("Storing %(total)s rows in one step", total=number(total))
    return _("The work starts as soon as the background worker is free.")


def failure_text(code: str, stage: str | None) -> str:
    """Why the work stopped, for an official: never a traceback (that goes to the log)."""
    where = stage_labels().get(stage or "", stage or "")
    texts = {
        upload_jobs.CRASHED: _("The work stopped with an error at the step “%(stage)s”. The error "
                               "was recorded for the administrator.", stage=where),
        upload_jobs.WORKER_LOST: _("The background worker stopped answering at the step “%(stage)s”.",
                                   stage=where),
        upload_jobs.STOPPED: _("The background worker was stopped at the step “%(stage)s”.", stage=where),
        upload_jobs.NOT_STARTED: _("No background worker took up the work. Ask the administrator to "
                                   "start it (flask jobs worker), then try again."),
        upload_jobs.OUT_OF_MEMORY: _("The file needed more memory than allowed (%(limit)s MB), at the "
                                     "step “%(stage)s”. Check that the file holds only the budget table "
                                     "(no empty rows or columns far out on the sheet), or ask the "
                                     "administrator.", limit=number(queue.memory_limit_mb(current_app.config)),
                                     stage=where),
        upload_jobs.TIMED_OUT: _("The work took longer than allowed (%(minutes)s min) and was stopped at "
                                 "the step “%(stage)s”. Check that the file holds only the budget "
                                 "table, or ask the administrator.",
                                 minutes=number(round(queue.time_limit_seconds(current_app.config) / 60, 1)),
                                 stage=where),
        "stale_preview": _("Another version was published after this preview was made. Try again "
                           "to check the file against the current data."),
        "has_errors": _("The file no longer passes the checks (the rules or the boundaries changed). "
                        "Try again to see the new report."),
    }
    return texts.get(code, texts[upload_jobs.CRASHED])


def view_of(upload: dict) -> dict:
    """The row's progress with its words and where the page goes when the work is done."""
    view = upload_jobs.progress_of(upload)
    job = view["job"]
    view["heading"] = (_("Publishing the file") if job == upload_jobs.PUBLISH else _("Checking the file"))
    view["stage_label"] = stage_labels().get(view["stage"] or "", "")
    view["text"] = counts_text(view["stage"], view["done"], view["total"])
    if view["failure"]:
        view["heading"] = (_("The publication failed") if job == upload_jobs.PUBLISH
                           else _("The check failed"))
        view["text"] = failure_text(view["failure"], view["stage"])
        view["unchanged"] = _("Nothing was published: the public data is as it was.")
    elif not view["running"]:
        view["text"] = _("Done.")
    view["next"] = (url_for("upload_jobs.published", upload_id=upload["id"])
                    if upload["status"] == "published" else
                    url_for("workspace.upload_report", upload_id=upload["id"]))
    return view


def current(upload_id: int) -> dict:
    """The upload, marked failed first if its job has gone silent for too long."""
    upload = pending.get(database.connection(), upload_id)
    if upload is None:
        abort(404)
    stale_after = queue.stale_seconds(current_app.config)
    if upload_jobs.is_stale(upload, stale_after=stale_after):
        with write_transaction(database.engine()) as connection:
            upload_jobs.fail_stale(connection, stale_after=stale_after, upload_id=upload_id)
        with database.engine().connect() as connection:
            upload = pending.get(connection, upload_id)
    return upload


def progress_page(upload: dict):
    """The page of an upload being validated or published, or whose job failed."""
    upload = current(upload["id"])
    view = view_of(upload)
    return render_template("admin/upload_progress.html", upload=upload, view=view,
                           stages=stage_labels(), refresh_seconds=REFRESH_SECONDS)


@bp.get("/uploads/<id:upload_id>/progress.json")
@roles_required(EDITOR)
def progress_json(upload_id: int):
    view = view_of(current(upload_id))
    response = jsonify({key: view[key] for key in ("id", "status", "stage", "stage_label", "done", "total",
                                                   "running", "job", "failure", "heading", "text", "next")})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/uploads/<id:upload_id>/retry")
@roles_required(EDITOR)
def retry(upload_id: int):
    try:
        with write_transaction(database.engine()) as connection:
            job, token = upload_jobs.retry(connection, upload_id, actor=current_actor())
    except pending.UploadError as error:
        if error.code == "no_such_upload":
            abort(404)
        flash(_("This upload is not waiting to be tried again."), "error")
        return redirect(url_for("workspace.upload_report", upload_id=upload_id))
    if job == upload_jobs.PUBLISH:
        jobs().publish(upload_id, token, current_actor())
    else:
        jobs().validate(upload_id, token)
    return redirect(url_for("workspace.upload_report", upload_id=upload_id))


@bp.get("/uploads/<id:upload_id>/published")
@roles_required(EDITOR)
def published(upload_id: int):
    """Where the progress page goes when a publication is done: the versions, as before jobs."""
    upload = current(upload_id)
    if upload["status"] != "published":
        return redirect(url_for("workspace.upload_report", upload_id=upload_id))
    return to_versions(upload)


def to_versions(upload: dict):
    flash(_("Published as version %(version)s. It is now on the public map.",
            version=upload["published_version_id"]), "success")
    return redirect(url_for("workspace.versions"))
