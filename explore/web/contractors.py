"""The contractor page ``/contractor/<bin>``: parse, ask ``explore.contractors``, render."""

from __future__ import annotations

import re

from flask import Blueprint, abort, render_template

from core.web import database
from core.web.i18n import localized
from explore.contractors import contractor
from explore.web import detail as detail_pages
from risk.web import words as risk_words

bp = Blueprint("contractors", __name__)
BIN_PATTERN = re.compile(r"^[0-9]{12}$")


@bp.get("/contractor/<bin_>")
def contractor_page(bin_: str):
    if not BIN_PATTERN.match(bin_):
        abort(404)
    connection, version_id = database.connection(), database.published_version_id()
    found = contractor(connection, version_id, bin_)
    if found is None:
        abort(404)
    flags = [{"label": risk_words.rule_label(flag["rule"]), "year": flag["fiscal_year"],
              "facility_id": flag["facility_id"], "text": risk_words.explain(flag)} for flag in found["flags"]]
    return render_template("explore/contractor.html", contractor=found, flags=flags, localized=localized,
                           **detail_pages.TEMPLATE_HELPERS)
