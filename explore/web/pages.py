"""Public pages: the map, a facility, a district, the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from accounts.web.auth import safe_next
from core.schema import FEEDBACK_KINDS
from core.versions import published_facility
from core.web import database
from core.web.i18n import localized
from explore import queries
from explore.figures import totals_by_year, with_ratios
from explore.web import detail as detail_pages
from explore.web import map_page
from feedback import store as fb
from feedback.web.submit import HONEYPOT, FormState
from feedback.web.submit import policy as feedback_policy
from feedback.web.submit import today as feedback_today
from risk import store as risk_store
from risk.web import words as risk_words

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """The map page: fixed size whatever the data; the facilities come from ``explore``."""
    return map_response("public/map.html")


@bp.get("/embed")
def embed():
    """The map for other sites' iframes: no site header, links open the full site in a new tab.
    Which sites may frame it: ``EMBED_ALLOWED_ORIGINS`` (``web.security``)."""
    return map_response("public/embed.html")


def map_response(template: str):
    selection = map_page.current_selection(request.args)
    response = make_response(render_template(
        template, map_parts=map_page.map_fragments(), selection=selection,
        summary=map_page.summary(selection), metric=map_page.metric_of(request.args),
        query=selection.filter.query_args()))
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/facility/<path:facility_id>")
def facility(facility_id: str):
    """A facility with its money, changes, risk flags, published feedback and the feedback form."""
    connection, version_id = database.connection(), database.published_version_id()
    detail = published_facility(connection, version_id, facility_id)
    if detail is None:
        abort(404)
    feedback_items = fb.published_items(connection, facility_id)
    feedback_counts = fb.status_counts(connection, facility_id)
    years = sorted({line["fiscal_year"] for line in detail["lines"]}, reverse=True)
    year_totals = [with_ratios(row, None) for row in totals_by_year(detail["lines"])]
    changes = queries.facility_changes(connection, facility_id, up_to_version=version_id)
    risk = risk_words.facility_section(
        risk_store.risk_flag_rows(connection, version_id, facility_id=facility_id, outcome=None),
        risk_store.risk_check(connection, version_id), district=localized(detail, "district_name"))
    return render_template("public/facility.html", facility=detail, years=years, year_totals=year_totals,
                           chart=detail_pages.money_chart(year_totals), changes=changes[::-1], risk=risk,
                           point_map=detail_pages.facility_map(detail), feedback_items=feedback_items,
                           feedback_counts=feedback_counts, form=FormState(), honeypot=HONEYPOT,
                           kinds=FEEDBACK_KINDS, **detail_pages.TEMPLATE_HELPERS)


@bp.get("/district/<kato>")
def district(kato: str):
    """A district's money by year and facility type, per resident, and its facilities."""
    connection, version_id = database.connection(), database.published_version_id()
    info = queries.district(connection, kato)
    if info is None:
        return render_template("errors/error.html", title=_("Page not found"),
                               message=_("There is no such district.")), 404
    population = info["population"]
    year_rows = [with_ratios(row, population)
                 for row in queries.district_year_totals(connection, version_id, kato)]
    years = [row["fiscal_year"] for row in year_rows]
    year = request.args.get("year", type=int)
    if year not in years:
        year = years[-1] if years else None
    selected = next((row for row in year_rows if row["fiscal_year"] == year), None)
    types = [with_ratios(row, population)
             for row in queries.district_type_totals(connection, version_id, kato, year)]
    return render_template("public/district.html", district=info, kato=kato, years=years, year=year,
                           year_rows=year_rows, selected=selected, types=types,
                           facilities=queries.district_facilities(connection, version_id, kato, year),
                           chart=detail_pages.money_chart(year_rows), **detail_pages.TEMPLATE_HELPERS,
                           responses=fb.district_response(connection, kato, feedback_policy(), feedback_today()))


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the language and go back to the page the switch was clicked on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("public.index"))

