"""Moderators' side of residents' feedback under /admin/feedback: the queue (deadline first,
overdue on top), one item with its original text and history, and the actions: publish, hide
with a reason, mark as spam, redact, and move along the workflow with an answer or a reason.

Every view needs the moderator role. A refused action shows the item again with the reason and
what the moderator typed. E-mails go out after the change is committed.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.web.admin import AdminArea, workspace_context
from accounts.web.auth import current_actor, roles_required
from core.db import write_transaction
from core.text import without_control_characters
from core.web import database
from feedback import decisions
from feedback import store as fb
from feedback.rules import TRANSITIONS, FeedbackProblem, allowed_moderation
from feedback.web.labels import STATUS_LABELS
from feedback.web.submit import notify, now, photo_response, problem_text, today

bp = Blueprint("moderation", __name__, url_prefix="/admin/feedback")
bp.context_processor(workspace_context)

MODERATOR = "moderator"
# The queue's section on the /admin dashboard (registered by create_app).
AREAS = (AdminArea("moderation.queue", _l("Residents' feedback"),
                   _l("Publish, hide or redact feedback and answer it before its deadline."),
                   frozenset({MODERATOR})),)
QUEUE_LABELS = {"open": _l("Waiting for a response"), "pending": _l("Waiting for moderation"),
                "closed": _l("Answered, resolved or rejected"), "hidden": _l("Hidden and spam"),
                "all": _l("All")}
ACTION_LABELS = {"published": _l("Publish"), "hidden": _l("Hide"), "spam": _l("Mark as spam")}
STATUS_ACTION_LABELS = {"in_review": _l("Take into review"), "answered": _l("Publish the answer"),
                        "resolved": _l("Mark as resolved"), "rejected": _l("Reject")}
DONE_MESSAGES = {"published": _l("The feedback is published."), "hidden": _l("The feedback is hidden."),
                 "spam": _l("The feedback is marked as spam.")}


@bp.get("")
@roles_required(MODERATOR)
def queue():
    chosen = request.args.get("queue", "open")
    if chosen not in fb.QUEUES:
        chosen = "open"
    connection, day = database.connection(), today()
    return render_template("moderation/queue.html", items=fb.moderation_queue(connection, chosen, day),
                           queue=chosen, queues=QUEUE_LABELS, counts=fb.queue_counts(connection, day))


def render_item(feedback_id: int, *, problem: str | None = None, typed: dict | None = None, status: int = 200):
    item = fb.for_moderator(database.connection(), feedback_id)
    if item is None:
        abort(404)
    return render_template(
        "moderation/item.html", item=item, problem=problem, typed=typed or {},
        moderation_actions=[(target, ACTION_LABELS[target]) for target in allowed_moderation(item["moderation"])],
        status_actions=[(target, STATUS_ACTION_LABELS[target])
                        for target in ("in_review", "answered", "resolved", "rejected")
                        if target in TRANSITIONS[item["status"]]],
        status_labels=STATUS_LABELS), status


@bp.get("/<id:feedback_id>")
@roles_required(MODERATOR)
def item(feedback_id: int):
    return render_item(feedback_id)


def _act(feedback_id: int, action, success: str):
    """Run one change in a write transaction: (its result, None), or (None, the item shown again
    with the reason and the typed values, 400) when the rules refuse it."""
    try:
        with write_transaction(database.engine()) as connection:
            result = action(connection)
    except FeedbackProblem as problem:
        if problem.code == "feedback_not_found":
            abort(404)
        typed = {name: without_control_characters(value) for name, value in request.form.items()}
        return None, render_item(feedback_id, problem=problem_text(problem), typed=typed, status=400)
    flash(success, "success")
    return result, None


def back_to(feedback_id: int):
    return redirect(url_for("moderation.item", feedback_id=feedback_id))


@bp.post("/<id:feedback_id>/moderation")
@roles_required(MODERATOR)
def moderate(feedback_id: int):
    target = request.form.get("target", "")
    _result, refused = _act(feedback_id, lambda connection: decisions.moderate(
        connection, feedback_id, target, actor=current_actor(), actor_name=current_user.display_name,
        now=now(), reason=request.form.get("reason")), str(DONE_MESSAGES.get(target, "")))
    return refused or back_to(feedback_id)


@bp.post("/<id:feedback_id>/redaction")
@roles_required(MODERATOR)
def redact(feedback_id: int):
    form = request.form
    public_name = "" if form.get("hide_name") else form.get("public_name")
    _result, refused = _act(feedback_id, lambda connection: decisions.redact(
        connection, feedback_id, public_text=form.get("public_text", ""), public_name=public_name,
        remove_photo=bool(form.get("remove_photo")), actor=current_actor(),
        actor_name=current_user.display_name, now=now(), reason=form.get("reason")),
        _("The public version is saved; the original is kept."))
    return refused or back_to(feedback_id)


@bp.post("/<id:feedback_id>/status")
@roles_required(MODERATOR)
def change_status(feedback_id: int):
    form = request.form
    target = form.get("target", "")
    change, refused = _act(feedback_id, lambda connection: decisions.change_status(
        connection, feedback_id, target, actor=current_actor(), actor_name=current_user.display_name,
        now=now(), answer=form.get("answer"), reason=form.get("reason")),
        _("The status is now: %(status)s.", status=STATUS_LABELS.get(target, target)))
    if refused:
        return refused
    notify(change)
    return back_to(feedback_id)


@bp.get("/<id:feedback_id>/photo/<any(full, thumb):size>")
@roles_required(MODERATOR)
def photo(feedback_id: int, size: str):
    return photo_response(fb.photo(database.connection(), feedback_id, thumbnail=size == "thumb", public=False),
                           private=True)
