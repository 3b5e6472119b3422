"""Background work on uploads: validate a stored file, publish it; progress and failure (no Flask).

The workspace stores the bytes (``budget.pending.store``) and asks the queue (``core.jobs``,
wired by ``budget.web.jobs``) to run ``run_validation``; "Publish" marks the upload
``publishing`` (``request_publication``) and queues ``run_publication``. Each attempt has a
token kept on the row: a job whose token is no longer the row's (the upload was retried,
cancelled or given up for dead) stops and writes nothing.

Progress (stage, rows done of rows expected) and a heartbeat are written in short
transactions of their own, never while the publication holds SQLite's write lock. The
publication itself stays one transaction (``budget.publish.import_budget_file``), so a job that
dies in it leaves the published data as it was. A job that raises is marked ``failed`` with
its stage and a failure code (the traceback goes to the log, never to the page). Each job runs
under the limits of ``core.job_limits``: one that runs out of memory (``MemoryError``) or time
fails with its own code; one that dies without a word (killed, machine down) goes silent, and ``fail_stale`` marks it failed once
its heartbeat is older than ``JOBS_STALE_MINUTES``. "Try again" (``retry``) queues a new
attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from accounts import audit
from budget import pending
from core import job_limits
from core.db import write_transaction
from core.schema import pending_uploads

log = logging.getLogger(__name__)

VALIDATE, PUBLISH = "validate", "publish"
RUNNING = {"validating": VALIDATE, "publishing": PUBLISH}  # status -> the job doing the work
STAGES = ("queued", "reading", "validating", "preview", "storing", "publishing")
# Failure codes (their words are in budget.web.jobs): the job raised; its worker went silent;
# no worker ever took it; and the publication's own refusals.
CRASHED, WORKER_LOST, NOT_STARTED, STOPPED = "crashed", "worker_lost", "not_started", "stopped"
OUT_OF_MEMORY, TIMED_OUT = "out_of_memory", "timed_out"  # past the job's limits (core.job_limits)
REVALIDATE = {"stale_preview", "has_errors"}  # a publication refused so: check the file again


def new_token() -> str:
    return uuid.uuid4().hex


def failure_of(upload: dict) -> tuple[str, str] | None:
    """(job, code) of a failed upload: which work failed, and why."""
    if upload["status"] != "failed" or not upload.get("failure"):
        return None
    job, _, code = upload["failure"].partition(":")
    return job, code or CRASHED


class Progress:
    """Tells the row how far one attempt is; each call is a short transaction and a heartbeat.

    Calls return False once the attempt is no longer the row's (then the job should stop).
    """

    def __init__(self, engine: sa.Engine, upload_id: int, token: str):
        self.engine, self.upload_id, self.token = engine, upload_id, token
        self.stage = "queued"

    def _mine(self):
        return (pending_uploads.c.id == self.upload_id, pending_uploads.c.job_token == self.token,
                pending_uploads.c.status.in_(RUNNING))

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> bool:
        self.stage = stage
        with write_transaction(self.engine) as connection:
            return connection.execute(pending_uploads.update().where(*self._mine()).values(
                stage=stage, progress_done=done, progress_total=max(total, done),
                heartbeat_at=audit.utc_now())).rowcount == 1

    def beat(self) -> None:
        """Only the heartbeat; skipped when the publication holds the write lock past the busy
        timeout (the stale limit is minutes, a publication seconds)."""
        try:
            with write_transaction(self.engine) as connection:
                connection.execute(pending_uploads.update().where(*self._mine())
                                   .values(heartbeat_at=audit.utc_now()))
        except sa.exc.OperationalError:
            log.debug("heartbeat of upload %s skipped: the database is busy", self.upload_id)


@contextmanager
def heartbeat(progress: Progress, every: float):
    """Beat every ``every`` seconds from a thread while the work runs (reading one XLSX or
    building a preview can take a while without a progress call)."""
    stop = threading.Event()

    def beat_until_stopped():
        while not stop.wait(every):
            progress.beat()

    thread = threading.Thread(target=beat_until_stopped, name=f"heartbeat-{progress.upload_id}",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def fail(engine: sa.Engine, upload_id: int, token: str | None, job: str, stage: str | None,
         code: str) -> bool:
    """Mark the attempt failed at ``stage`` (None: the one last told) with ``code``, unless it is
    no longer the row's."""
    mine = [pending_uploads.c.job_token == token] if token is not None else []
    values = {"stage": stage} if stage is not None else {}
    with write_transaction(engine) as connection:
        return connection.execute(pending_uploads.update().where(
            pending_uploads.c.id == upload_id, pending_uploads.c.status.in_(RUNNING), *mine)
            .values(status="failed", failure=f"{job}:{code}", heartbeat_at=audit.utc_now(),
                    **values)).rowcount == 1


@dataclass(frozen=True)
class Limits:
    """A job's time limit (seconds, None: none) and whether its worker process may be ended
    when the job cannot be stopped (``core.job_limits.time_limit``)."""

    seconds: float | None = None
    hard_exit: bool = False


def _limited(progress: Progress, job: str, work, *, heartbeat_every: float, limits: Limits) -> str | None:
    """Run ``work()`` with a heartbeat, under ``limits``: None, or the failure code when it ran
    out of memory or time. Other exceptions go to the caller."""
    def overrun():  # the job could not be stopped: say so before its process ends
        fail(progress.engine, progress.upload_id, progress.token, job, None, TIMED_OUT)

    code = None
    try:
        with heartbeat(progress, heartbeat_every), job_limits.time_limit(
                limits.seconds, on_overrun=overrun, hard_exit=limits.hard_exit):
            work()
    except MemoryError:
        code = OUT_OF_MEMORY  # handled below: here the traceback still holds the job's memory
    except job_limits.TimeLimitExceeded:
        code = TIMED_OUT
    if code == OUT_OF_MEMORY:
        log.warning("%s of upload %s ran out of memory at %s", job, progress.upload_id, progress.stage)
    elif code == TIMED_OUT:
        log.warning("%s of upload %s ran past its time limit at %s", job, progress.upload_id, progress.stage)
    return code


def run_validation(engine: sa.Engine, upload_id: int, token: str, district_shapes, *,
                   heartbeat_every: float = 10, limits: Limits = Limits(), file_limits=None) -> str:
    """The validation job: read, validate, preview, store the report (status ``pending``).

    Returns what became of it: "pending", "failed" or "superseded".
    """
    progress = Progress(engine, upload_id, token)
    if not progress("reading"):
        return "superseded"
    stored = []
    try:
        code = _limited(progress, VALIDATE, lambda: stored.append(pending.validate_stored(
            engine, upload_id, district_shapes, token=token, progress=progress, limits=file_limits)),
            heartbeat_every=heartbeat_every, limits=limits)
    except Exception:
        log.exception("validation of upload %s failed at %s", upload_id, progress.stage)
        code = CRASHED
    if code is not None:
        return "failed" if fail(engine, upload_id, token, VALIDATE, progress.stage, code) else "superseded"
    return "pending" if stored[0] else "superseded"


def run_publication(engine: sa.Engine, upload_id: int, token: str, district_shapes, *, actor: str,
                    risk_thresholds=None, heartbeat_every: float = 10, limits: Limits = Limits(),
                    file_limits=None) -> str:
    """The publication job: ``budget.pending.publish`` of a ``publishing`` upload.

    Returns "published", "failed" or "superseded". A refusal (stale preview, errors) is a
    failure with its code: "Try again" then checks the file again.
    """
    progress = Progress(engine, upload_id, token)
    if not progress("reading"):
        return "superseded"
    try:
        # confirmed: ``request_publication`` queued it only with the confirmation it needed
        code = _limited(progress, PUBLISH, lambda: pending.publish(
            engine, upload_id, district_shapes, actor=actor, confirmed_removal=True,
            risk_thresholds=risk_thresholds, status="publishing", progress=progress, limits=file_limits),
            heartbeat_every=heartbeat_every, limits=limits)
    except pending.UploadError as refusal:
        code = "superseded" if refusal.code == "not_pending" else refusal.code
        if code == "superseded":
            return code
    except Exception:
        log.exception("publication of upload %s failed at %s", upload_id, progress.stage)
        code = CRASHED
    if code is not None:
        return "failed" if fail(engine, upload_id, token, PUBLISH, progress.stage, code) else "superseded"
    with write_transaction(engine) as connection:  # every row stored: the bar ends full
        connection.execute(pending_uploads.update().where(pending_uploads.c.id == upload_id)
                           .values(stage=None, progress_done=pending_uploads.c.row_count,
                                   progress_total=pending_uploads.c.row_count))
    return "published"


def _start(connection: sa.Connection, upload_id: int, status: str, **values) -> str:
    token = new_token()
    connection.execute(pending_uploads.update().where(pending_uploads.c.id == upload_id).values(
        status=status, stage="queued", job_token=token, heartbeat_at=audit.utc_now(),
        progress_done=0, progress_total=0, failure=None, **values))
    return token


def request_publication(connection: sa.Connection, upload_id: int, *, confirmed_removal: bool = False) -> str:
    """Mark a pending upload without errors ``publishing``; the token for its job. Call inside a
    write transaction; the editor is audited when the publication commits.

    A preview that removes much (``budget.pending.needs_confirmation``) is queued only with the
    editor's ``confirmed_removal``; the job then publishes it as confirmed."""
    upload = pending.get(connection, upload_id)
    if upload is None:
        raise pending.UploadError("no_such_upload")
    if upload["status"] != "pending":
        raise pending.UploadError("not_pending", status=upload["status"])
    if upload["error_count"]:
        raise pending.UploadError("has_errors")
    if pending.needs_confirmation(upload) and not confirmed_removal:
        raise pending.UploadError("needs_confirmation")
    return _start(connection, upload_id, "publishing")


def retry(connection: sa.Connection, upload_id: int, *, actor: str) -> tuple[str, str]:
    """Queue a failed upload's work again: (job, token). Call inside a write transaction.

    A failed validation, or a publication refused because the preview is stale or the file now
    has errors, is validated again (a fresh report and preview); another failed publication is
    published again (it wrote nothing, being one transaction).
    """
    upload = pending.get(connection, upload_id)
    if upload is None:
        raise pending.UploadError("no_such_upload")
    failure = failure_of(upload)
    if failure is None:
        raise pending.UploadError("not_failed", status=upload["status"])
    job, code = failure
    if job == PUBLISH and code not in REVALIDATE:
        token = _start(connection, upload_id, "publishing")
    else:
        job, token = VALIDATE, _start(connection, upload_id, "validating")
    audit.record(connection, actor, "upload_retry", "upload", upload_id,
                 {"job": job, "failed": upload["failure"], "stage": upload["stage"]})
    return job, token


def fail_stale(connection: sa.Connection, *, stale_after: float, upload_id: int | None = None,
               now: dt.datetime | None = None) -> int:
    """Mark failed every running upload whose heartbeat is older than ``stale_after`` seconds:
    its worker died, or no worker took the job. Call inside a write transaction; the count."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cutoff = (now - dt.timedelta(seconds=stale_after)).isoformat(timespec="seconds")
    c = pending_uploads.c
    job = sa.case((c.status == "publishing", PUBLISH), else_=VALIDATE)
    why = sa.case((c.stage == "queued", NOT_STARTED), else_=WORKER_LOST)
    where = [c.status.in_(RUNNING), sa.or_(c.heartbeat_at.is_(None), c.heartbeat_at < cutoff)]
    if upload_id is not None:
        where.append(c.id == upload_id)
    return connection.execute(pending_uploads.update().where(*where).values(
        status="failed", failure=job + ":" + why)).rowcount


def is_stale(upload: dict, *, stale_after: float, now: dt.datetime | None = None) -> bool:
    if upload["status"] not in RUNNING:
        return False
    now = now or dt.datetime.now(dt.timezone.utc)
    beat = upload.get("heartbeat_at")
    return beat is None or dt.datetime.fromisoformat(beat) < now - dt.timedelta(seconds=stale_after)


def progress_of(upload: dict) -> dict:
    """What the progress page and its JSON show: plain values from the row."""
    failure = failure_of(upload)
    return {"id": upload["id"], "status": upload["status"], "stage": upload["stage"],
            "done": upload["progress_done"], "total": upload["progress_total"],
            "running": upload["status"] in RUNNING, "job": failure[0] if failure else
            RUNNING.get(upload["status"]), "failure": failure[1] if failure else None}
