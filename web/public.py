"""Public pages: the map, a facility, the budget format and its template, the language switch."""

from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _

from data import queries
from data.budget_format import COLUMNS
from data.budget_template import template_csv, template_xlsx
from map_builder.district_map import map_parts
from web import database
from web.i18n import language
from web.map_page import build_district_map

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    connection = database.connection()
    version_id = database.published_version_id()
    years = queries.fiscal_years(connection, version_id)
    year = request.args.get("year", type=int)
    if year not in years:
        year = years[-1] if years else None
    districts = queries.district_totals(connection, version_id, year)
    facilities = queries.map_facilities(connection, version_id, year)
    parts = cached_map(version_id, year, districts, facilities)
    totals = {key: sum(d[key] for d in districts)
              for key in ("allocated_tiyn", "contracted_tiyn", "paid_tiyn", "facility_count")}
    return render_template("public/map.html", map_parts=parts, years=years, year=year,
                           totals=totals, districts=districts)


def cached_map(version_id, year, districts, facilities) -> dict:
    """Map fragments, cached per (data version, year, language, tiles): never stale."""
    cache = current_app.extensions.setdefault("map_cache", {})
    key = (version_id, year, language(), current_app.config["TILES_URL"])
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = map_parts(build_district_map(districts, facilities))
    return cache[key]


@bp.get("/facility/<path:facility_id>")
def facility(facility_id: str):
    detail = queries.facility_detail(database.connection(), database.published_version_id(), facility_id)
    if detail is None:
        abort(404)
    years = sorted({line["fiscal_year"] for line in detail["lines"]}, reverse=True)
    return render_template("public/facility.html", facility=detail, years=years)


@bp.get("/budget-format")
def budget_format():
    return render_template("public/budget_format.html", columns=COLUMNS)


@bp.get("/budget-template.csv")
def template_as_csv():
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=budget-template.csv"})


@bp.get("/budget-template.xlsx")
def template_as_xlsx():
    return Response(template_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=budget-template.xlsx"})


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the language and go back to the page the switch was clicked on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = url_for("public.index")
    return redirect(target)


@bp.app_errorhandler(404)
def not_found(_error):
    return render_template("errors/error.html", title=_("Page not found"),
                           message=_("There is no such page or facility.")), 404


@bp.app_errorhandler(500)
def server_error(_error):
    return render_template("errors/error.html", title=_("Something went wrong"),
                           message=_("The error has been logged. Please try again later.")), 500
