"""The risk rules explained to the public, with how far each could look: ``/risk-flags``.

Each rule's name, what it checks, and of the published budget lines how many it could check and
how many it could not for a missing input (``risk.coverage``, the same counts as the API's
``/api/v1/risk-coverage``). docs/risk-flags.md has the full explanation.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from core.web import database
from core.web.cache import app_cache
from risk import store
from risk.coverage import version_coverage
from risk.web.words import rule_label

bp = Blueprint("risk", __name__)


def coverage_of(version_id: int | None) -> list[dict]:
    """The published version's coverage, computed once per version."""
    return app_cache("risk_coverage", 4).get_or_build(
        version_id, lambda: version_coverage(database.connection(), version_id))


@bp.get("/risk-flags")
def rules():
    version_id = database.published_version_id()
    rows = [{**row, "label": rule_label(row["rule"])} for row in coverage_of(version_id)]
    return render_template("risk/rules.html", coverage=rows,
                           check=store.risk_check(database.connection(), version_id))
