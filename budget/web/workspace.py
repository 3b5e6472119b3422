"""The editors' part of the workspace: upload, validation report, preview, publish or cancel,
version history with diffs, and rollback.

Thin views: ``budget.pending`` stores, validates and publishes (through
``budget.publish.import_budget_file``, the CLI's function), ``budget.preview`` computes what changes,
``budget.publish.rollback`` rolls back. Validation and publication run as background jobs
(``budget.jobs``, queued through ``budget.web.jobs``); while they run, or when one failed, the
upload's page is its progress (``budget.web.progress``). Every view needs the editor role.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from accounts.web.admin import AdminArea, workspace_context
from accounts.web.auth import current_actor, roles_required
from budget import jobs as upload_jobs
from budget import pending as pending_uploads
from budget import preview
from budget import publish as uploads
from budget.apply import MODES, REPLACE, UPDATE
from budget.settings import read_limits
from budget.validation import WARNINGS_PER_KIND
from budget.web import progress
from budget.web.jobs import jobs
from core.db import write_transaction
from core.web import database
from core.web.errors import error_page
from risk.settings import thresholds as risk_thresholds

bp = Blueprint("workspace", __name__, url_prefix="/admin")
bp.context_processor(workspace_context)  # the workspace menu, as on the other /admin pages

EDITOR = "editor"
# The workspace's sections on the /admin dashboard (registered by create_app).
AREAS = (
    AdminArea("workspace.upload", _l("Upload budget data"),
              _l("Check a CSV or XLSX budget file, see what it changes, publish it."), frozenset({EDITOR})),
    AdminArea("workspace.versions", _l("Versions"),
              _l("Every publication with its changes; roll back to an earlier version."), frozenset({EDITOR})),
)


class UploadForm(FlaskForm):
    file = FileField(_l("Budget file (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose a file to upload.")),
                                 FileAllowed(["csv", "xlsx"], _l("Only .csv and .xlsx files are accepted."))])
    mode = RadioField(_l("How to publish it"), default=UPDATE, choices=[
        SelectChoice(UPDATE, _l("Update")), SelectChoice(REPLACE, _l("Replace fiscal years"))])


MODE_HINTS = {
    UPDATE: _l("The file's lines are added, or replace the published lines with the same key; every "
               "other published line stays. Choose this for a partial table."),
    REPLACE: _l("The file is the complete table of the years it contains: published lines of those "
                "years that it lacks are removed."),
}


def upload_errors() -> dict[str, str]:
    """Why an upload can't be acted on, by ``UploadError.code``."""
    return {
        "no_such_upload": _("There is no such upload."),
        "not_pending": _("This upload has already been published or cancelled."),
        "has_errors": _("A file with errors cannot be published. Fix them and upload it again."),
        "needs_confirmation": _("This publication removes published data. Tick the box that confirms "
                                "the removal, then press Publish again."),
        "stale_preview": _("Another version was published after this preview was made, so the "
                           "preview may no longer be true. Upload the file again to check it "
                           "against the current data."),
    }


def size_limit_text() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return _("The file is too large: at most %(size)s MB can be uploaded. Split it by fiscal year "
             "or remove unused columns.", size=f"{limit / (1024 * 1024):.0f}")


def render_upload(form: UploadForm, status: int = 200):
    recent = pending_uploads.recent(database.connection())
    return render_template("admin/upload.html", form=form, recent=recent, mode_hints=MODE_HINTS,
                           size_limit=size_limit_text()), status


@bp.get("/upload")
@roles_required(EDITOR)
def upload():
    return render_upload(UploadForm())


@bp.post("/upload")
@roles_required(EDITOR)
def receive_upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_upload(form, 400)
    storage = form.file.data
    mode = form.mode.data if form.mode.data in MODES else UPDATE
    token = upload_jobs.new_token()
    upload_id = pending_uploads.store(database.engine(), storage.read(), storage.filename or "upload",
                                      actor=current_actor(), mode=mode, token=token)
    jobs().validate(upload_id, token)  # the page shows its progress, then the report
    return redirect(url_for("workspace.upload_report", upload_id=upload_id))


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_error):
    return error_page(413, _("File too large"), size_limit_text(),
                      back_url=url_for("workspace.upload"), back_text=_("Back to the upload"))


def get_upload_or_404(upload_id: int) -> dict:
    upload = pending_uploads.get(database.connection(), upload_id)
    if upload is None:
        abort(404)
    return upload


@bp.get("/uploads/<id:upload_id>")
@roles_required(EDITOR)
def upload_report(upload_id: int):
    upload = get_upload_or_404(upload_id)
    if upload["status"] in upload_jobs.RUNNING or upload["status"] == "failed":
        return progress.progress_page(upload)
    report = upload["report"] or {}
    problems = [{"problem": problem, "message": problem.message(_, ngettext)}
                for problem in map(pending_uploads.summary_problem, report.get("problems", []))]
    return render_template("admin/upload_report.html", upload=upload, problems=problems,
                           shown=len(problems), summary=report.get("preview"),
                           problem_total=upload["error_count"] + upload["warning_count"],
                           warnings_per_kind=WARNINGS_PER_KIND)


def severity_labels() -> dict[str, str]:
    return {"error": _("Error"), "warning": _("Warning")}


@bp.get("/uploads/<id:upload_id>/report.csv")
@roles_required(EDITOR)
def report_csv(upload_id: int):
    upload = get_upload_or_404(upload_id)
    problems = pending_uploads.full_problems(database.engine(), upload,
                                             current_app.extensions["geography"].districts,
                                             read_limits(current_app.config))
    body = pending_uploads.report_csv(problems, [_("Severity"), _("Row"), _("Column"), _("Value"), _("Message")],
                                      severity_labels(), _, ngettext)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="upload-{upload_id}-report.csv"'})


@bp.post("/uploads/<id:upload_id>/publish")
@roles_required(EDITOR)
def publish_upload(upload_id: int):
    try:
        with write_transaction(database.engine()) as connection:
            token = upload_jobs.request_publication(
                connection, upload_id, confirmed_removal=request.form.get("confirm_removal") == "yes")
    except pending_uploads.UploadError as error:
        flash(upload_errors()[error.code], "error")
        return redirect(url_for("workspace.upload_report", upload_id=upload_id))
    jobs().publish(upload_id, token, current_actor())
    with database.engine().connect() as connection:  # done already if jobs run at once (JOBS_IMMEDIATE)
        upload = pending_uploads.get(connection, upload_id)
    if upload["status"] == "published":
        return progress.to_versions(upload)
    failure = upload_jobs.failure_of(upload)
    if failure and failure[1] in upload_errors():
        flash(upload_errors()[failure[1]], "error")
    return redirect(url_for("workspace.upload_report", upload_id=upload_id))


@bp.post("/uploads/<id:upload_id>/cancel")
@roles_required(EDITOR)
def cancel_upload(upload_id: int):
    try:
        with write_transaction(database.engine()) as connection:
            pending_uploads.cancel(connection, upload_id, actor=current_actor())
    except pending_uploads.UploadError as error:
        flash(upload_errors()[error.code], "error")
    else:
        flash(_("The upload was cancelled; nothing was published."), "success")
    return redirect(url_for("workspace.upload_report", upload_id=upload_id))


@bp.get("/versions")
@roles_required(EDITOR)
def versions():
    return render_template("admin/versions.html", versions=uploads.history(database.connection()))


def get_version_or_404(version_id: int) -> dict:
    for version in uploads.history(database.connection()):
        if version["id"] == version_id:
            return version
    abort(404)


@bp.get("/versions/<id:version_id>")
@roles_required(EDITOR)
def version_diff(version_id: int):
    version = get_version_or_404(version_id)
    connection = database.connection()
    previous = preview.previous_version_id(connection, version_id)
    summary = preview.compare_versions(connection, previous, version_id).summary()
    return render_template("admin/version.html", version=version, previous=previous, summary=summary)


@bp.get("/versions/<id:version_id>/rollback")
@roles_required(EDITOR)
def confirm_rollback(version_id: int):
    version = get_version_or_404(version_id)
    return render_template("admin/rollback.html", version=version, missing_confirmation=False)


@bp.post("/versions/<id:version_id>/rollback")
@roles_required(EDITOR)
def rollback(version_id: int):
    version = get_version_or_404(version_id)
    if request.form.get("confirm") != "yes":
        return render_template("admin/rollback.html", version=version, missing_confirmation=True), 400
    with write_transaction(database.engine()) as connection:
        new_id = uploads.rollback(connection, version_id, actor=current_actor(),
                                  risk_thresholds=risk_thresholds(current_app.config))
    flash(_("Version %(new)s published: the data of version %(old)s again.", new=new_id, old=version_id),
          "success")
    return redirect(url_for("workspace.versions"))

