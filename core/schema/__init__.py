"""Tables (SQLAlchemy Core). Migrations in ``core/migrations`` create exactly these.

A feature's new tables go in a module of their own here (``core/schema/<area>.py``, on the
``metadata`` of ``core.schema.base``), imported at the end of this file so that every table is
declared once ``core.schema`` is imported.

Versioning: every publication is a row of ``versions``. Budget lines belong to the version that
brought them and are never changed. ``version_state`` says, for each version, which version's
lines are current for each fiscal year, so the published data after version V is
"for each year in state(V), the lines of state(V)[year]". A new import points its years at
itself and keeps the rest; a rollback copies an older version's state. Nothing is rewritten.

Money is exact: integer tiyn (1 KZT = 100 tiyn) in BigInteger columns named ``*_tiyn``.

Accounts: ``users`` holds officials' logins (normalized to lower case) with a password hash,
never the password; ``user_roles`` holds one row per role a user has, so "who are the editors"
is a plain query and a role cannot be listed twice. Timestamps are ISO 8601 text in UTC, like
the rest of the schema.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.schema.base import metadata

districts = sa.Table(
    "districts", metadata,
    sa.Column("kato", sa.String(9), primary_key=True),
    sa.Column("name_kk", sa.String(200), nullable=False),
    sa.Column("name_ru", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("unit_type", sa.String(20), nullable=False),
    sa.Column("population", sa.Integer),
)

versions = sa.Table(
    "versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.String(32), nullable=False),  # ISO 8601, UTC
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # import | demo | rollback
    sa.Column("file_name", sa.String(500)),
    sa.Column("sha256", sa.String(64)),
    sa.Column("row_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("facility_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("new_facility_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fiscal_years", sa.String(200), nullable=False, server_default=""),
    sa.Column("rollback_of", sa.Integer, sa.ForeignKey("versions.id")),
    # How a file was applied (budget.publish): "update" keeps the published lines the file
    # lacks, "replace" makes the file the whole table of its years; NULL for rollbacks.
    sa.Column("mode", sa.String(20)),
)

version_state = sa.Table(
    "version_state", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True),
    sa.Column("source_version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
)


def facility_fields() -> tuple[sa.Column, ...]:
    """Fresh columns describing a facility (a Column can belong to only one table)."""
    return (
        sa.Column("name_kk", sa.String(300)),
        sa.Column("name_ru", sa.String(300)),
        sa.Column("name_en", sa.String(300)),
        sa.Column("facility_type", sa.String(20), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("district_kato", sa.String(9), sa.ForeignKey("districts.kato"), nullable=False),
        sa.Column("in_overlap", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("address", sa.String(300)),
        sa.Column("capacity", sa.Integer),
        sa.Column("capacity_unit", sa.String(40)),
        sa.Column("floor_area_m2", sa.Float),
    )


FACILITY_FIELD_NAMES = tuple(c.name for c in facility_fields())

facilities = sa.Table(
    "facilities", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("facility_id", sa.String(64), nullable=False, unique=True),
    *facility_fields(),
    sa.Column("first_version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("updated_version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Index("ix_facilities_district", "district_kato"),
)

# A facility's attributes as a version published them, so a rollback restores them too.
facility_snapshots = sa.Table(
    "facility_snapshots", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("facility_pk", sa.Integer, sa.ForeignKey("facilities.id"), primary_key=True),
    *facility_fields(),
    sa.Index("ix_facility_snapshots_facility", "facility_pk", "version_id"),
)

budget_lines = sa.Table(
    "budget_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("facility_pk", sa.Integer, sa.ForeignKey("facilities.id"), nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("work_type", sa.String(20), nullable=False),
    sa.Column("funding_source", sa.String(20)),
    sa.Column("budget_program_code", sa.String(64)),
    sa.Column("allocated_tiyn", sa.BigInteger, nullable=False),
    sa.Column("contracted_tiyn", sa.BigInteger),
    sa.Column("paid_tiyn", sa.BigInteger),
    sa.Column("contractor_name", sa.String(300)),
    sa.Column("contractor_bin", sa.String(12)),
    sa.Column("procurement_ref", sa.String(100)),
    sa.Column("start_date", sa.String(10)),  # ISO YYYY-MM-DD: sorts and compares as text
    sa.Column("end_date", sa.String(10)),
    sa.Column("status", sa.String(20)),
    sa.Column("physical_progress_pct", sa.Float),
    sa.Column("source_url", sa.String(500)),
    sa.Column("description", sa.Text),
    sa.Column("source_row", sa.Integer),  # the row in the uploaded file, for tracing back
    sa.Index("ix_budget_lines_version_year", "version_id", "fiscal_year"),
    sa.Index("ix_budget_lines_facility", "facility_pk"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("target_type", sa.String(50)),
    sa.Column("target_id", sa.String(100)),
    sa.Column("details", sa.JSON),
    sa.Index("ix_audit_log_at", "at"),
)

ROLES = ("admin", "editor", "moderator")

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(100), nullable=False, unique=True),  # stripped, lower case
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),  # werkzeug.security format
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("failed_login_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.String(32)),
    sa.Column("last_login_at", sa.String(32)),
    # Carried in the session cookie with the id; raised to end every session of the account
    # (logout, new password, role change, disabling, "log out everywhere").
    sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"),
)

user_roles = sa.Table(
    "user_roles", metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("role", sa.String(20), primary_key=True),
    sa.CheckConstraint("role IN ('admin', 'editor', 'moderator')", name="known_role"),
)

# Uploaded files waiting for an editor's decision. The bytes are kept, so publishing validates
# and imports exactly the file that was previewed (through ``budget.publish``, like the CLI);
# a cancelled upload keeps its row (status ``cancelled``), nothing is deleted. ``base_version_id``
# is the published version the preview was computed against; ``report`` holds the problem and
# preview summaries (capped lists and full counts) so the pages need not validate again.

pending_uploads = sa.Table(
    "pending_uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("file_name", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=False),
    sa.Column("uploaded_at", sa.String(32), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("warning_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("row_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("facility_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fiscal_years", sa.String(200), nullable=False, server_default=""),
    sa.Column("base_version_id", sa.Integer, sa.ForeignKey("versions.id")),
    sa.Column("report", sa.JSON),
    sa.Column("published_version_id", sa.Integer, sa.ForeignKey("versions.id")),
    sa.Column("decided_by", sa.String(200)),
    sa.Column("decided_at", sa.String(32)),
    # The publication mode the editor chose at upload (the preview was computed for it).
    sa.Column("mode", sa.String(20), nullable=False, server_default="update"),
    # Background work on the upload (budget.jobs): what it is doing, how far, why it failed.
    sa.Column("stage", sa.String(20)),
    sa.Column("progress_done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("progress_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failure", sa.Text),
    # The attempt now running (budget.jobs: a job whose token is not this one stops) and when it
    # last showed life: a job silent longer than JOBS_STALE_MINUTES is shown as failed.
    sa.Column("job_token", sa.String(40)),
    sa.Column("heartbeat_at", sa.String(32)),
    sa.CheckConstraint("status IN ('validating', 'pending', 'publishing', 'published', 'cancelled',"
                       " 'failed')", name="known_status"),
    sa.CheckConstraint("mode IN ('update', 'replace')", name="known_mode"),
    sa.Index("ix_pending_uploads_status", "status"),
)

# Residents' feedback on a facility. ``text`` and ``author_name`` are what the resident typed
# and are never changed; a moderator's redaction goes to ``public_text`` / ``public_name`` (NULL:
# show the original), so the original is always kept. Hiding and spam are moderation states,
# never deletes. ``contact`` and ``ip_hash`` are private: no public read model selects them.
# The photo is stored re-encoded (no EXIF/GPS) with its thumbnail. ``responded_at`` is the first
# answer or rejection, for the response-time figures; ``deadline`` is an ISO date (local time).
FEEDBACK_KINDS = ("complaint", "question", "suggestion", "praise")
FEEDBACK_STATUSES = ("received", "in_review", "answered", "resolved", "rejected")
MODERATION_STATES = ("pending", "published", "hidden", "spam")

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tracking_code", sa.String(20), nullable=False, unique=True),
    sa.Column("facility_pk", sa.Integer, sa.ForeignKey("facilities.id"), nullable=False),
    sa.Column("budget_line_id", sa.Integer, sa.ForeignKey("budget_lines.id")),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("public_text", sa.Text),
    sa.Column("rating", sa.Integer),
    sa.Column("author_name", sa.String(100)),
    sa.Column("public_name", sa.String(100)),
    sa.Column("contact", sa.String(200)),
    sa.Column("contact_kind", sa.String(10)),
    sa.Column("language", sa.String(5), nullable=False),
    sa.Column("photo", sa.LargeBinary),
    sa.Column("photo_thumb", sa.LargeBinary),
    sa.Column("photo_type", sa.String(20)),
    sa.Column("photo_removed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ip_hash", sa.String(64)),
    sa.Column("content_hash", sa.String(64), nullable=False),
    # Made on the resident's phone for a message sent from its offline queue: a retry after a
    # lost answer carries the same key and gets the same item back (``feedback.store.submit``).
    sa.Column("submission_key", sa.String(64), unique=True),
    sa.Column("submitted_at", sa.String(32), nullable=False),
    sa.Column("deadline", sa.String(10), nullable=False),
    sa.Column("moderation", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("moderation_reason", sa.Text),
    sa.Column("status", sa.String(20), nullable=False, server_default="received"),
    sa.Column("status_reason", sa.Text),
    sa.Column("answer_text", sa.Text),
    sa.Column("answered_by", sa.String(200)),
    sa.Column("answered_at", sa.String(32)),
    sa.Column("responded_at", sa.String(32)),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.CheckConstraint("kind IN ('complaint', 'question', 'suggestion', 'praise')", name="known_kind"),
    sa.CheckConstraint("status IN ('received', 'in_review', 'answered', 'resolved', 'rejected')",
                       name="known_status"),
    sa.CheckConstraint("moderation IN ('pending', 'published', 'hidden', 'spam')", name="known_moderation"),
    sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    sa.Index("ix_feedback_facility", "facility_pk", "moderation"),
    sa.Index("ix_feedback_deadline", "status", "deadline"),
    sa.Index("ix_feedback_content", "content_hash"),
)

# Every event of an item: submission, moderation, redaction, status change, with who and when.
# ``actor`` is the login (or "resident"), ``actor_name`` the display name shown to the public.
feedback_events = sa.Table(
    "feedback_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id"), nullable=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("actor_name", sa.String(200)),
    sa.Column("event", sa.String(20), nullable=False),  # submitted | moderation | redaction | status
    sa.Column("from_value", sa.String(20)),
    sa.Column("to_value", sa.String(20)),
    sa.Column("reason", sa.Text),
    sa.Column("details", sa.JSON),
    sa.Index("ix_feedback_events_feedback", "feedback_id", "id"),
)

# Corruption-risk flags of a version: computed by ``risk.rules`` when the version is
# published (``risk.store``, in the publication's transaction) and, like the budget lines,
# never changed afterwards. ``risk_checks`` has one row per checked version: the day the rules
# took as "today" (the publication date) and the thresholds they used. A flag's ``outcome`` is
# ``raised``, or ``not_judged`` when the data cannot support a judgement (a unit-cost group too
# small); ``figures`` holds the numbers behind it, ``threshold`` what they were compared with.
RISK_OUTCOMES = ("raised", "not_judged")

risk_checks = sa.Table(
    "risk_checks", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("as_of", sa.String(10), nullable=False),  # ISO date
    sa.Column("thresholds", sa.JSON, nullable=False),
    sa.Column("flag_count", sa.Integer, nullable=False, server_default="0"),
)

risk_flags = sa.Table(
    "risk_flags", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("facility_pk", sa.Integer, sa.ForeignKey("facilities.id"), nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("work_type", sa.String(20)),
    sa.Column("outcome", sa.String(20), nullable=False, server_default="raised"),
    sa.Column("figures", sa.JSON, nullable=False),
    sa.Column("threshold", sa.Float),
    sa.CheckConstraint("outcome IN ('raised', 'not_judged')", name="known_outcome"),
    sa.Index("ix_risk_flags_version_year_rule", "version_id", "fiscal_year", "rule"),
    sa.Index("ix_risk_flags_facility", "facility_pk", "version_id"),
)

# The map's default view of a version (its newest fiscal year, nothing else filtered), built
# by ``explore.map_views`` in the publication's transaction, like the risk flags, and never changed:
# the facilities as the browser gets them (gzip-compressed JSON columns) and the figures the
# page shows (district sums, totals) as JSON. Other views are built when asked for.
map_views = sa.Table(
    "map_views", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True),
    sa.Column("facilities_gzip", sa.LargeBinary, nullable=False),
    sa.Column("figures", sa.JSON, nullable=False),
)
