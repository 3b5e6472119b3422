"""Residents' feedback, public side: submit on a facility page, follow it by tracking code.

No account is needed. The form is checked field by field (``feedback.rules``); with a
problem the form comes back on a page of its own (``feedback/form.html``) with every typed
value and a message per field, so nothing is lost. Abuse guards: CSRF (app-wide), a honeypot
field, a per-address rate limit (Flask-Limiter in front, and the same limit counted in the
database by ``feedback.store.submit``, so it holds across workers), the duplicate guard and
size limits. The address is stored only as a keyed hash.

A message written offline waits in the phone's queue (``static/js/feedback_queue.js``) and is
sent later with ``Accept: application/json``, a fresh CSRF token from ``/feedback/token`` and the
key the phone made for it (``submission_key``): the answer is then JSON, and the same key again
answers the item it created, so a retry after a lost answer never makes a second one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from core.db import write_transaction
from core.errors import render
from core.schema import FEEDBACK_KINDS
from core.text import without_control_characters
from core.versions import published_facility
from core.web import database
from core.web.i18n import language
from feedback import store as fb
from feedback.photos import prepare_photo
from feedback.rules import (
    FeedbackProblem,
    format_tracking_code,
    is_overdue,
    normalize_tracking_code,
    submission_key,
    validate_submission,
)
from feedback.settings import deadline_policy, rate_limits
from feedback.web import mail
from feedback.web.labels import TEMPLATE_HELPERS

bp = Blueprint("feedback", __name__)

FIELDS = ("kind", "text", "rating", "author_name", "contact", "budget_line_id")
HONEYPOT = "website"  # hidden from people; bots fill every field
KEY_FIELD = "submission_key"  # filled by the page's script; see ``feedback.rules.submission_key``


@dataclass
class FormState:
    """What the resident typed and what is wrong with it, to show the form again."""

    values: dict = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    photo_dropped: bool = False  # a file input cannot be refilled: say so


def typed_form() -> FormState:
    """The form's fields as the resident typed them, to show again."""
    return FormState(values={name: request.form.get(name, "") for name in (*FIELDS, KEY_FIELD)})


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def policy() -> fb.DeadlinePolicy:
    return deadline_policy(current_app.config)


def today() -> dt.date:
    return policy().local_date(now())


def problem_text(problem: FeedbackProblem) -> str:
    return render(problem.code, problem.params, translate=_)


def ip_salt() -> str:
    salt = current_app.config.get("IP_HASH_SALT")
    if salt:
        return salt
    return hashlib.sha256(b"ip-hash:" + str(current_app.config["SECRET_KEY"]).encode("utf-8")).hexdigest()


def _read_photo(state: FormState):
    """The attached photo re-encoded, or None; a problem goes into ``state``."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    limit = int(float(current_app.config["FEEDBACK_PHOTO_MAX_MB"]) * 1024 * 1024)
    content = upload.stream.read(limit + 1)  # never more than the limit into memory
    try:
        return prepare_photo(content, max_bytes=limit)
    except FeedbackProblem as problem:
        state.problems["photo"] = problem_text(problem)
        return None


def wants_json() -> bool:
    """The phone's offline queue asks for JSON; a form posted by the browser gets pages."""
    return request.accept_mimetypes.best == "application/json"


def queue_answer(status: int, **body) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    return response


def sent_answer(code: str, duplicate: bool) -> Response:
    status_url = url_for("feedback.status", code=format_tracking_code(code), sent="again" if duplicate else "new")
    if wants_json():
        return queue_answer(200, tracking_code=format_tracking_code(code), status_url=status_url,
                            duplicate=duplicate)
    return redirect(status_url, code=303)


@bp.post("/feedback")
def submit():
    facility_id = request.form.get("facility_id", "")
    detail = published_facility(database.connection(), database.published_version_id(), facility_id)
    if detail is None:
        if wants_json():
            return queue_answer(404, problems={"form": _("This facility is no longer published.")})
        abort(404)
    state = typed_form()
    if request.form.get(HONEYPOT):
        state.problems["form"] = _("This looks like an automatic submission. If you are a person, "
                                   "leave the field “Website” empty and send again.")
    submission, problems = validate_submission(state.values, line_ids=[line["id"] for line in detail["lines"]])
    state.problems.update({name: problem_text(problem) for name, problem in problems.items()})
    for name, problem in problems.items():
        if problem.code == "feedback_control_characters":  # shown again without them, to check and send
            state.values[name] = without_control_characters(state.values[name])
    photo = _read_photo(state)
    if state.problems:
        state.photo_dropped = photo is not None or "photo" in state.problems
        if wants_json():
            return queue_answer(400, problems=state.problems)
        return form_page(detail, state), 400
    key = submission_key(request.form.get(KEY_FIELD))
    window = dt.timedelta(hours=float(current_app.config["FEEDBACK_DUPLICATE_HOURS"]))
    try:
        with write_transaction(database.engine()) as connection:
            result = fb.submit(connection, facility_id, submission, language=language(), now=now(),
                               policy=policy(), ip_hash=fb.hash_ip(request.remote_addr, ip_salt()), photo=photo,
                               duplicate_window=window, submission_key=key,
                               rate_limits=rate_limits(current_app.config))
    except sa.exc.IntegrityError:  # the same key at the same moment, from another worker (not on SQLite)
        with database.engine().connect() as connection:
            result = fb.by_submission_key(connection, key)
        if result is None:
            raise
    except FeedbackProblem as problem:
        if problem.code != "feedback_too_many":
            raise
        return rate_limited(None)  # counted in the database: whichever worker or server took it
    return sent_answer(result.tracking_code, result.duplicate)


@bp.get("/feedback/token")
def fresh_token():
    """A CSRF token for the offline queue, whose page may be days old (tokens expire). Only this
    site's pages can read it (no CORS), as they can read the token in any of its forms."""
    response = queue_answer(200, csrf_token=generate_csrf())
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def rate_limited(_limit) -> Response:
    """Past the per-address limit: the form again with the text kept, and why (429); the
    offline queue keeps the message and tries again later."""
    if wants_json():
        return queue_answer(429, retry=True)
    state = typed_form()
    state.problems["form"] = _("Too many messages from your connection in a short time. Your text "
                               "is kept below: please send it again later.")
    detail = published_facility(database.connection(), database.published_version_id(),
                                request.form.get("facility_id", ""))
    if detail is None:
        abort(429)
    return Response(form_page(detail, state), status=429)


def form_page(facility: dict, state: FormState) -> str:
    """The form again, alone, with what was typed and what is wrong with it."""
    return render_template("feedback/form.html", facility=facility, form=state, honeypot=HONEYPOT,
                           kinds=FEEDBACK_KINDS)


@bp.get("/feedback")
def lookup():
    """Find feedback by its tracking code."""
    typed = request.args.get("code", "")
    if typed:
        code = normalize_tracking_code(typed)
        if code is not None:
            return redirect(url_for("feedback.status", code=format_tracking_code(code)))
        return render_template("feedback/lookup.html", typed=typed,
                               problem=_("A tracking code has 12 letters and digits, like K7QM-P4XD-2RTA.")), 400
    return render_template("feedback/lookup.html", typed="", problem=None)


@bp.get("/feedback/<code>")
def status(code: str):
    canonical = normalize_tracking_code(code)
    if canonical is None:
        abort(404)
    if code != format_tracking_code(canonical):
        return redirect(url_for("feedback.status", code=format_tracking_code(canonical), **request.args))
    item = fb.by_tracking_code(database.connection(), canonical)
    if item is None:
        return render_template("feedback/lookup.html", typed=code,
                               problem=_("There is no feedback with this tracking code.")), 404
    overdue = is_overdue(dt.date.fromisoformat(item["deadline"]), item["status"], today())
    response = Response(render_template("feedback/status.html", item=item, code=format_tracking_code(canonical),
                                        sent=request.args.get("sent"), overdue=overdue, **TEMPLATE_HELPERS))
    response.headers["Cache-Control"] = "private, no-store"  # the code is the resident's key
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/feedback/<code>/photo/<any(full, thumb):size>")
def own_photo(code: str, size: str):
    """The photo on the resident's status page, also while the item is not published."""
    canonical = normalize_tracking_code(code)
    item = fb.by_tracking_code(database.connection(), canonical) if canonical else None
    if item is None or not item["has_photo"]:
        abort(404)
    return photo_response(fb.photo(database.connection(), item["id"], thumbnail=size == "thumb", public=False),
                           private=True)


@bp.get("/feedback/photos/<id:feedback_id>/<any(full, thumb):size>")
def public_photo(feedback_id: int, size: str):
    return photo_response(fb.photo(database.connection(), feedback_id, thumbnail=size == "thumb", public=True))


def photo_response(found, private: bool = False) -> Response:
    if found is None:
        abort(404)
    content, mime_type = found
    response = Response(content, mimetype=mime_type)
    response.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def notify(change: fb.StatusChange) -> None:
    """E-mail the resident about a status change, if they left an address and mail is set up."""
    if change.email and current_app.config["MAIL_SERVER"]:
        link = url_for("feedback.status", code=format_tracking_code(change.tracking_code), _external=True)
        mail.send_status_change(change, link)


def init_app(app: Flask) -> None:
    """Register the pages and put the per-address limit on submissions."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(TEMPLATE_HELPERS)
    limiter = app.extensions["limiter"]
    app.view_functions["feedback.submit"] = limiter.limit(
        lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"],
        on_breach=rate_limited)(app.view_functions["feedback.submit"])
