"""The map's data endpoints and the table view of the same filtered facilities.

Thin views: parse the URL into a selection (``explore.web.map_page``), answer JSON or HTML. Data answers
carry an ETag made of the data version and the filter, so an unchanged selection costs a 304.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from core.web.i18n import FACILITY_TYPE_LABELS, STATUS_LABELS, label_of, language, localized
from core.web.responses import bad_parameters as _bad_parameters
from core.web.responses import conditional as _conditional
from core.web.responses import gzipped
from core.web.shared_responses import share_until_new_version
from explore.dashboard import Column, kzt, table_csv
from explore.filters import SORT_KEYS, sort_facilities
from explore.web import downloads, map_page
from map_builder.district_map import TYPE_COLOURS
from risk.web.words import filter_choices as risk_filter_choices

bp = Blueprint("explore", __name__)


@bp.record_once
def _filter_choices(state) -> None:
    """The choices the filter form offers, for every template."""
    state.app.jinja_env.globals.update(facility_types=FACILITY_TYPES, work_types=WORK_TYPES,
                                       statuses=STATUSES, funding_sources=FUNDING_SOURCES,
                                       type_colours=TYPE_COLOURS, risk_filter_choices=risk_filter_choices)

PAGE_SIZE = 50


@bp.get("/map/facilities.json")
def facilities_data():
    """Compact columns of the selected facilities, gzip-compressed once per selection."""
    selection = map_page.current_selection(request.args)
    if selection.problems:
        return _bad_parameters(selection.problems)
    response = gzipped(map_page.view(selection).facilities_gzip, "application/json")
    share_until_new_version(selection.version_id)  # the same for everybody: core.web.shared_responses
    return _conditional(response, "facilities", selection.version_id, selection.filter.key(), language_free=True)


@bp.get("/map/summary.json")
def summary_data():
    """Totals, district colours and legend of the selection, in the chosen language."""
    selection = map_page.current_selection(request.args)
    if selection.problems:
        return _bad_parameters(selection.problems)
    summary = map_page.summary(selection)
    return _conditional(jsonify(summary), "summary", selection.version_id, selection.filter.key(),
                        summary["metric"], language())


@bp.get("/map/facility/<path:facility_id>.json")
def facility_popup(facility_id: str):
    """One facility's popup for the selected year (fetched when the popup opens)."""
    selection = map_page.current_selection(request.args)
    if selection.problems:
        return _bad_parameters(selection.problems)
    details = map_page.popup(selection, facility_id)
    if details is None:
        response = jsonify(error="not_found")
        response.status_code = 404
        return response
    return _conditional(jsonify(details), "popup", selection.version_id, selection.filter.key(),
                        facility_id, language(), sorted(details["feedback"].items()))  # counts change between versions


def row_labeller(selection: map_page.Selection):
    """``label_of_row(row, by)``: a facility row's name, type, district or status in the chosen language."""
    type_label, status_label = label_of(FACILITY_TYPE_LABELS), label_of(STATUS_LABELS)

    def label_of_row(row, by):
        return {"name": lambda: localized(row), "type": lambda: type_label(row["facility_type"]),
                "district": lambda: selection.district_name(row["district_kato"]),
                "status": lambda: status_label(row["status"]) if row["status"] else ""}[by]()
    return label_of_row


def table_order(args) -> tuple[str, bool]:
    sort = args.get("sort", "name")
    return (sort if sort in SORT_KEYS else "name"), args.get("order") == "desc"


@bp.get("/facilities")
def facility_table():
    """The filtered facilities as a sortable, paginated table: the map's accessible twin."""
    selection = map_page.current_selection(request.args)
    sort, descending = table_order(request.args)
    label_of_row = row_labeller(selection)
    rows = sort_facilities(selection.rows, sort, descending, label_of_row)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    query = selection.filter.query_args()

    def page_url(number: int) -> str:
        return url_for("explore.facility_table", **query, sort=sort, order="desc" if descending else "asc",
                       page=number)

    def sort_url(column: str) -> str:
        order = "asc" if column != sort or descending else "desc"
        return url_for("explore.facility_table", **query, sort=column, order=order)

    return render_template("public/facility_table.html", selection=selection, rows=shown, total=len(rows),
                           page=page, pages=pages, sort=sort, descending=descending, page_url=page_url,
                           sort_url=sort_url, summary=map_page.summary(selection), query=query,
                           label_of_row=label_of_row, csv_links=downloads.csv_links(
                               "explore.facility_table_csv", **query, sort=sort,
                               order="desc" if descending else "asc"))


@bp.get("/facilities.csv")
def facility_table_csv():
    """Every facility of the table (all pages, the table's order) as a resident reads it: the
    page's language, exact tenge, the layout of ``explore.web.downloads``."""
    selection = map_page.current_selection(request.args)
    if selection.problems:
        abort(400)
    if selection.filter.year is None:
        abort(404)
    label_of_row = row_labeller(selection)
    rows = sort_facilities(selection.rows, *table_order(request.args), label_of_row)
    year = selection.filter.year
    columns = [Column(_("Identifier"), lambda r: r["facility_id"]),
               *(Column(title, lambda r, by=by: label_of_row(r, by))
                 for title, by in ((_("Name"), "name"), (_("Type"), "type"), (_("District"), "district"))),
               Column(_("Fiscal year"), lambda r: year),
               Column(_("Allocated, KZT"), lambda r: kzt(r["allocated_tiyn"])),
               Column(_("Contracted, KZT"), lambda r: kzt(r["contracted_tiyn"])),
               Column(_("Paid, KZT"), lambda r: kzt(r["paid_tiyn"])),
               Column(_("Progress, %"), lambda r: r["progress_pct"]),
               Column(_("Status"), lambda r: label_of_row(r, "status"))]
    body = table_csv(columns, rows, downloads.chosen_layout())
    return downloads.csv_download(body, f"facilities-{year}.csv")
