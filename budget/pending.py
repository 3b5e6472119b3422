"""Uploaded files waiting for an editor: store, report, publish or cancel (no Flask).

An upload is validated by ``budget.publish.import_budget_file(dry_run=True)``, the same function
the CLI uses, and kept with its bytes, the publication mode the editor chose (update or
replace years, ``budget.apply``), its problem list (capped) and its preview (capped) in
``pending_uploads``. Nothing of it is public: the read models only read ``versions``. A preview
that removes much (``Preview.needs_confirmation``) is published only when the editor confirmed
the removal it states.

Publishing runs the stored bytes through ``import_budget_file`` again, so the web upload and
``flask budget import`` validate and publish in exactly one way. It refuses with
``StalePreview`` when the published version is no longer the one the preview was computed
against. Why refuse rather than publish anyway: publication replaces whole fiscal years, so a
file previewed before a colleague's publication would silently remove that colleague's lines
of the same years (in replace mode), or change the lines the editor saw as kept, and the editor
approved a preview that is no longer true. The check, the
publication, the status change and the audit entries share one transaction
(``import_budget_file``'s ``expected_version`` and ``on_published``), so two editors pressing
"Publish" at once cannot both succeed. The editor re-checks (uploads the file again) to get a
fresh preview. A cancelled upload keeps its row and bytes, marked ``cancelled``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from accounts import audit
from budget import preview
from budget import publish as uploads
from budget.apply import UPDATE, check_mode
from budget.format import Problem
from budget.limits import ReadLimits
from core import versions
from core.csv_export import excel_csv
from core.db import write_transaction
from core.schema import pending_uploads

PROBLEM_LIMIT = 1000  # problems kept for the report page; the CSV report validates again for the rest


class UploadError(ValueError):
    """A pending upload cannot be acted on: ``code`` says why (for a translated message)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


class StalePreview(UploadError):
    """Another version was published after the preview was made."""


@dataclass(frozen=True)
class Decision:
    upload_id: int
    version_id: int | None = None


def problem_summary(problem: Problem) -> dict:
    return {"severity": problem.severity, "row": problem.row, "column": problem.column,
            "value": problem.value, "code": problem.code, "params": _json_params(problem.params)}


def _json_params(params: dict) -> dict:
    return {key: value if isinstance(value, (int, float, str)) or value is None else str(value)
            for key, value in params.items()}


def summary_problem(entry: dict) -> Problem:
    """A stored problem back as a ``Problem`` (to translate its message)."""
    return Problem(entry["severity"], entry["row"], entry["column"], entry["value"], entry["code"],
                   entry.get("params") or {})


def create(engine: sa.Engine, content: bytes, file_name: str, district_shapes, *, actor: str,
           mode: str = UPDATE, limits: ReadLimits | None = None) -> int:
    """Validate ``content``, compute its preview in ``mode`` when valid, store it as pending; its id.

    In one go, for callers with no queue; the workspace stores first and validates in a
    background job (``budget.jobs``).
    """
    upload_id = store(engine, content, file_name, actor=actor, mode=mode)
    validate_stored(engine, upload_id, district_shapes, limits=limits)
    return upload_id


def store(engine: sa.Engine, content: bytes, file_name: str, *, actor: str, mode: str = UPDATE,
          token: str | None = None) -> int:
    """Keep the file as an upload being validated (status ``validating``) for publication in
    ``mode``; its id.

    ``token`` names the validation attempt that may complete it (``budget.jobs``).
    """
    check_mode(mode)
    with write_transaction(engine) as connection:
        now = audit.utc_now()
        return connection.execute(pending_uploads.insert().values(mode=mode,
            file_name=file_name, sha256=uploads.sha256_of(content), size=len(content),
            content=content, uploaded_by=actor, uploaded_at=now, status="validating",
            stage="queued", job_token=token, heartbeat_at=now)).inserted_primary_key[0]


def validate_stored(engine: sa.Engine, upload_id: int, district_shapes, *, token: str | None = None,
                    progress=None, limits: ReadLimits | None = None) -> bool:
    """Validate a stored upload, preview it when valid, keep the report: status ``pending``.

    False (and nothing written) when the upload is no longer being validated by ``token``'s
    attempt (cancelled, failed, taken over by a newer attempt). ``progress``: as
    ``import_budget_file``'s, also told of the "preview" and "storing" stages.
    """
    report_progress = progress or (lambda stage, done=0, total=0: None)
    with engine.connect() as connection:
        upload = get(connection, upload_id, with_content=True)
    content, file_name, actor = upload["content"], upload["file_name"], upload["uploaded_by"]
    mode = upload["mode"]
    result = uploads.import_budget_file(engine, content, file_name, district_shapes, actor=actor,
                                        dry_run=True, progress=progress, limits=limits)
    validated = result.validated
    rows = len(validated.lines)
    report_progress("preview", rows, rows)
    # The preview reads a consistent snapshot without holding SQLite's write lock: residents'
    # feedback goes on being written meanwhile. Publishing later refuses if a version was
    # published after ``base`` (``publish``), so a preview is never applied to other data.
    with engine.connect() as connection, connection.begin():
        base = versions.latest_version_id(connection)
        summary = (preview.preview_upload(connection, validated, base, mode).summary()
                   if validated.ok else None)
    report = {"problems": [problem_summary(p) for p in validated.problems[:PROBLEM_LIMIT]],
              "preview": summary}
    report_progress("storing", rows, rows)
    with write_transaction(engine) as connection:  # the lock only to write the report
        now = audit.utc_now()
        mine = [pending_uploads.c.job_token == token] if token is not None else []
        changed = connection.execute(pending_uploads.update().where(
            pending_uploads.c.id == upload_id, pending_uploads.c.status == "validating", *mine).values(
            status="pending", stage=None, failure=None, heartbeat_at=now,
            error_count=len(validated.errors), warning_count=validated.warning_count,
            row_count=rows if validated.ok else 0,
            facility_count=len(validated.facilities) if validated.ok else 0,
            fiscal_years=",".join(map(str, validated.fiscal_years)) if validated.ok else "",
            base_version_id=base, report=report)).rowcount
        if changed != 1:
            return False
        audit.record(connection, actor, "upload", "upload", upload_id, {
            "file_name": file_name, "sha256": result.sha256, "size": len(content), "mode": mode,
            "errors": len(validated.errors), "warnings": validated.warning_count}, at=now)
    return True


def get(connection: sa.Connection, upload_id: int, *, with_content: bool = False) -> dict | None:
    """One upload (without its bytes unless asked), or None."""
    columns = [c for c in pending_uploads.c if with_content or c.name != "content"]
    row = connection.execute(sa.select(*columns).where(pending_uploads.c.id == upload_id)).first()
    return dict(row._mapping) if row else None


def recent(connection: sa.Connection, limit: int = 20) -> list[dict]:
    columns = [c for c in pending_uploads.c if c.name not in ("content", "report")]
    return [dict(r._mapping) for r in connection.execute(
        sa.select(*columns).order_by(pending_uploads.c.id.desc()).limit(limit))]


def _require_pending(upload: dict | None, status: str = "pending") -> dict:
    if upload is None:
        raise UploadError("no_such_upload")
    if upload["status"] != status:
        raise UploadError("not_pending", status=upload["status"])
    return upload


def needs_confirmation(upload: dict) -> bool:
    """Whether publishing ``upload`` removes enough that the editor must confirm it first."""
    return bool(((upload.get("report") or {}).get("preview") or {}).get("needs_confirmation"))


def publish(engine: sa.Engine, upload_id: int, district_shapes, *, actor: str,
            risk_thresholds=None, confirmed_removal: bool = False, status: str = "pending",
            progress=None, limits: ReadLimits | None = None) -> Decision:
    """Validate and publish the stored file through ``budget.publish`` (see the module docstring).

    ``confirmed_removal``: the editor confirmed the removal the preview states; required when
    ``needs_confirmation``. ``status``: the one the upload must have (a background job
    publishes ``publishing`` ones).
    """
    with engine.connect() as connection:
        upload = _require_pending(get(connection, upload_id, with_content=True), status)
    if upload["error_count"]:
        raise UploadError("has_errors")
    if needs_confirmation(upload) and not confirmed_removal:
        raise UploadError("needs_confirmation")

    def mark_published(connection: sa.Connection, version_id: int) -> None:
        now = audit.utc_now()
        changed = connection.execute(
            pending_uploads.update()
            .where(pending_uploads.c.id == upload_id, pending_uploads.c.status == status)
            .values(status="published", published_version_id=version_id, decided_by=actor,
                    decided_at=now)).rowcount
        if changed != 1:  # decided by someone else meanwhile: undo the publication
            raise UploadError("not_pending", status="decided")
        audit.record(connection, actor, "upload_publish", "upload", upload_id,
                     {"version": version_id, "file_name": upload["file_name"], "mode": upload["mode"],
                      "sha256": upload["sha256"],
                      "confirmed_removal": needs_confirmation(upload) and confirmed_removal}, at=now)

    try:
        result = uploads.import_budget_file(
            engine, upload["content"], upload["file_name"], district_shapes, actor=actor,
            expected_version=upload["base_version_id"], on_published=mark_published,
            risk_thresholds=risk_thresholds, mode=upload["mode"], progress=progress, limits=limits)
    except uploads.StaleVersion as stale:
        raise StalePreview("stale_preview", expected=stale.expected, current=stale.current) from None
    if not result.ok:  # the rules changed since the upload (e.g. new boundaries)
        raise UploadError("has_errors")
    return Decision(upload_id, result.version_id)


CANCELLABLE = ("pending", "failed")  # not while a job works on it: it would go on


def cancel(connection: sa.Connection, upload_id: int, *, actor: str) -> Decision:
    """Mark a pending or failed upload cancelled (kept, never deleted). Call inside a transaction."""
    upload = get(connection, upload_id)
    if upload is None:
        raise UploadError("no_such_upload")
    if upload["status"] not in CANCELLABLE:
        raise UploadError("not_pending", status=upload["status"])
    now = audit.utc_now()
    connection.execute(pending_uploads.update().where(pending_uploads.c.id == upload_id)
                       .values(status="cancelled", decided_by=actor, decided_at=now))
    audit.record(connection, actor, "upload_cancel", "upload", upload_id,
                 {"file_name": upload["file_name"], "sha256": upload["sha256"]}, at=now)
    return Decision(upload_id)


def full_problems(engine: sa.Engine, upload: dict, district_shapes,
                  limits: ReadLimits | None = None) -> list[Problem]:
    """Every problem of a stored upload (validated again: the stored list is capped)."""
    if upload["error_count"] + upload["warning_count"] <= PROBLEM_LIMIT:
        return [summary_problem(p) for p in upload["report"]["problems"]]
    with engine.connect() as connection:
        content = get(connection, upload["id"], with_content=True)["content"]
    return uploads.import_budget_file(engine, content, upload["file_name"], district_shapes,
                                      actor="report", dry_run=True, limits=limits).validated.problems


def report_csv(problems: list[Problem], headers: list[str], severity_labels: dict[str, str],
               translate=lambda s: s, plural=None) -> bytes:
    """The problems as CSV for Excel (``core.csv_export``: UTF-8 with BOM, formulas neutralised)."""
    return excel_csv(headers, ((severity_labels.get(problem.severity, problem.severity),
                                "" if problem.row is None else problem.row, problem.column or "",
                                problem.value, problem.message(translate, plural)) for problem in problems))

