"""Public pages: the map, a facility, a district, the language switch."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from accounts.web.auth import safe_next
from core.schema import FEEDBACK_KINDS
from core.versions import published_facility
from core.web import database
from core.web.cache import app_cache
from core.web.i18n import language, localized
from core.web.responses import conditional
from core.web.shared_pages import render_shared
from core.web.shared_responses import share_until_new_version
from explore import queries
from explore.completeness import district_completeness, facility_completeness
from explore.figures import totals_by_year, with_ratios, year_at_a_glance
from explore.web import detail as detail_pages
from explore.web import map_page
from explore.web import unit_costs as unit_cost_words
from explore.web.svg_chart import money_svg_chart
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
    """A facility with its money, changes, risk flags, published feedback and the feedback form.

    Rendered once per data version, language and feedback change (``core.web.shared_pages``),
    the form's CSRF token put in per request.
    """
    version_id = database.published_version_id()  # no query while nothing was committed

    def context() -> dict:
        connection = database.connection()
        detail = published_facility(connection, version_id, facility_id)
        if detail is None:
            abort(404)
        year_totals = [with_ratios(row, None) for row in totals_by_year(detail["lines"])]
        changes = queries.facility_changes(connection, facility_id, up_to_version=version_id)
        risk = risk_words.facility_section(
            risk_store.risk_flag_rows(connection, version_id, facility_id=facility_id, outcome=None),
            risk_store.risk_check(connection, version_id), district=localized(detail, "district_name"))
        years = sorted({line["fiscal_year"] for line in detail["lines"]}, reverse=True)
        glance = year_at_a_glance(detail["lines"], years[0]) if years else None
        return dict(facility=detail, glance=glance, years=years,
                    year_totals=year_totals, chart=money_svg_chart(year_totals), changes=changes[::-1],
                    risk=risk, unit_costs=unit_cost_words.section(connection, version_id, detail),
                    completeness=facility_completeness(connection, version_id, detail["id"]),
                    point_map_name=f"map_{detail_pages.POINT_MAP_NAME}",
                    point_map_assets=detail_pages.point_map_assets(),
                    feedback_items=fb.published_items(connection, facility_id),
                    feedback_counts=fb.status_counts(connection, facility_id), form=FormState(),
                    honeypot=HONEYPOT, kinds=FEEDBACK_KINDS, **detail_pages.TEMPLATE_HELPERS)

    stamp = feedback_stamp(facility_id, lambda: fb.facility_last_change(database.connection(), facility_id))
    return render_shared("public/facility.html", ("facility", version_id, facility_id, stamp), context,
                         personal=current_user.is_authenticated)


@bp.get("/map/point/<path:facility_id>.js")
def facility_map_script(facility_id: str):
    """The script of a facility's small map (folium's), which the page loads when the map is in view.

    The same for everybody of a data version and language: replayed before Flask
    (``core.web.shared_responses``), answered 304 when the browser has it.
    """
    version_id = database.published_version_id()
    connection = database.connection()
    tiles = current_app.config["TILES_URL"]

    def build() -> str:
        detail = published_facility(connection, version_id, facility_id)
        if detail is None:
            abort(404)
        return detail_pages.facility_map(detail)["script"]

    script = app_cache("point_map_scripts", 256).get_or_build((version_id, language(), tiles, facility_id), build)
    share_until_new_version(version_id)
    return conditional(Response(script, mimetype="text/javascript"), "point-map", version_id, facility_id, tiles)


@bp.get("/district/<kato>")
def district(kato: str):
    """A district's money by year and facility type, per resident, and its facilities.

    Rendered once per data version, language, year, feedback change and day (the response
    figures count deadlines up to today).
    """
    connection, version_id = database.connection(), database.published_version_id()
    info = queries.district(connection, kato)
    if info is None:
        return render_template("errors/error.html", title=_("Page not found"),
                               message=_("There is no such district.")), 404

    def context() -> dict:
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
        return dict(district=info, kato=kato, years=years, year=year, year_rows=year_rows, selected=selected,
                    types=types, facilities=queries.district_facilities(connection, version_id, kato, year),
                    chart=money_svg_chart(year_rows), **detail_pages.TEMPLATE_HELPERS,
                    completeness=district_completeness(connection, version_id, kato),
                    responses=fb.district_response(connection, kato, feedback_policy(), today))

    today = feedback_today()
    stamp = feedback_stamp("", lambda: fb.last_change(database.connection()))
    return render_shared("public/district.html", ("district", version_id, kato, stamp, today),
                         context, personal=current_user.is_authenticated)


def feedback_stamp(facility_id: str, read: Callable[[], object]):
    """What the feedback of a page (``facility_id``; "" for all) last changed to, asked of the
    database only after something was committed (``LatestVersionWatch.commit_mark``)."""
    mark = current_app.extensions["latest_version"].commit_mark()
    if mark is None:
        return read()
    return app_cache("feedback_stamps", 4096).get_or_build((mark, facility_id), read)


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the language and go back to the page the switch was clicked on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("public.index"))

