"""The dashboard (/dashboard): totals by year, district, facility type, work type and funding
source for the map's filters, as charts, tables and CSV downloads. Glue, no SQL.

The filter is the map's (``explore.web.map_page.current_selection``: ``parse_filter`` and the shared
filter form), so any filter the map gains applies here too. The year filter selects the year of
the breakdowns; the table by year shows every published year under the other filters, each
year's row being the map's totals for that year (see ``explore.dashboard``).

Figures are cached per (data version, filter); labelled tables and charts per (data version,
filter, language), like the map's summary.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import gettext as _

from core.money import whole_tenge
from core.web import database
from core.web.cache import app_cache
from core.web.i18n import FACILITY_TYPE_LABELS, FUNDING_LABELS, WORK_TYPE_LABELS, label_of, language, money
from explore import dashboard, queries
from explore.dashboard import Column, kzt
from explore.web import downloads, map_page
from explore.web.map_page import Selection, static_url
from explore.web.svg_chart import CHART_COLOURS, axis_scale

bp = Blueprint("dashboard", __name__)

# URL slug of a table -> breakdown name (None: the table by year).
TABLES = {"years": None, "districts": "district", "facility-types": "facility_type",
          "work-types": "work_type", "funding-sources": "funding_source"}
SLUGS = {name: slug for slug, name in TABLES.items()}
PER_RESIDENT_COLOURS = {"allocated_per_resident": CHART_COLOURS["allocated"],
                        "paid_per_resident": CHART_COLOURS["paid"]}


def figures(selection: Selection) -> dashboard.Dashboard:
    """The dashboard's figures for the selection (cached per data version and filter)."""
    def build() -> dashboard.Dashboard:
        selected = {}
        for year in selection.years:  # each year as the map selects it, under the same filters
            same = selection if year == selection.filter.year else map_page.current_selection(
                {**selection.filter.query_args(), "year": str(year)})
            selected[year] = {row["facility_id"] for row in same.rows}
        lines = queries.filtered_line_sums(database.connection(), selection.version_id, selection.filter)
        return dashboard.build(lines, selection.years, selection.filter.year, selected, selection.districts)

    return app_cache("dashboards", 32).get_or_build((selection.version_id, selection.filter.key()), build)


def bar_chart(labels: list[str], rows: list[dict], series: list[tuple[str, str, str]],
              horizontal: bool) -> dict:
    """Chart data for static/js/charts.js; ``series`` are (row field in tiyn, label, colour)."""
    data = [{"key": key, "label": label, "colour": colour,
             "values": [whole_tenge(row[key]) for row in rows], "texts": [money(row[key]) for row in rows]}
            for key, label, colour in series]
    scale, axis = axis_scale(max((v for s in data for v in s["values"]), default=0))
    return {"labels": labels, "axis": axis, "scale": scale, "series": data, "horizontal": horizontal}


def row_labels(selection: Selection) -> dict:
    """Breakdown name -> function giving a row's label in the chosen language."""
    funding = label_of(FUNDING_LABELS)
    return {"district": selection.district_name, "facility_type": label_of(FACILITY_TYPE_LABELS),
            "work_type": label_of(WORK_TYPE_LABELS),
            "funding_source": lambda key: funding(key) if key else _("Not specified")}


def labelled(selection: Selection) -> dict:
    """Titles, labelled rows and charts of every table, in the chosen language (cached)."""
    key = (selection.version_id, selection.filter.key(), language())
    return app_cache("dashboard_views", 32).get_or_build(key, lambda: _labelled(selection))


def _labelled(selection: Selection) -> dict:
    result = figures(selection)
    year = selection.filter.year
    money_series = [("allocated_tiyn", _("Allocated"), CHART_COLOURS["allocated"]),
                    ("paid_tiyn", _("Paid"), CHART_COLOURS["paid"])]
    years = {"slug": "years", "name": None, "title": _("By year"),
             "caption": _("Money by fiscal year, every published year with the other filters"),
             "heading": _("Fiscal year"), "rows": result.years,
             "chart": bar_chart([str(r["fiscal_year"]) for r in result.years], result.years, money_series, False),
             "chart_label": _("Allocated and paid by year, in tenge.")}
    titles = {"district": (_("By district"), _("District"),
                           _("Money by district in %(year)s, per resident and paid of allocated", year=year)),
              "facility_type": (_("By facility type"), _("Facility type"),
                                _("Money by facility type in %(year)s", year=year)),
              "work_type": (_("By work type"), _("Work type"), _("Money by work type in %(year)s", year=year)),
              "funding_source": (_("By funding source"), _("Funding source"),
                                 _("Money by funding source in %(year)s", year=year))}
    labels = row_labels(selection)
    tables = [years]
    for name, (title, heading, caption) in titles.items():
        rows = [{**row, "label": labels[name](row["key"])} for row in result.tables[name]]
        if name == "district":
            series = [("allocated_per_resident", _("Allocated per resident"), CHART_COLOURS["allocated"]),
                      ("paid_per_resident", _("Paid per resident"), CHART_COLOURS["paid"])]
            chart_label = _("Allocated and paid per resident by district in %(year)s, in tenge.", year=year)
        else:
            series = money_series
            chart_label = _("Allocated and paid in %(year)s, in tenge.", year=year)
        tables.append({"slug": SLUGS[name], "name": name, "title": title, "caption": caption, "heading": heading,
                       "rows": rows, "chart": bar_chart([r["label"] for r in rows], rows, series, True),
                       "chart_label": chart_label})
    return {"figures": result, "tables": tables}


def csv_columns(table: dict, previous_year: int | None) -> list[Column]:
    """The columns of a table's CSV, headers in the chosen language, money in exact tenge."""
    money_columns = [Column(_("Allocated, KZT"), lambda r: kzt(r["allocated_tiyn"])),
                     Column(_("Contracted, KZT"), lambda r: kzt(r["contracted_tiyn"])),
                     Column(_("Paid, KZT"), lambda r: kzt(r["paid_tiyn"])),
                     Column(_("Paid / allocated, %"), lambda r: r["execution_pct"])]
    count = Column(_("Facilities funded"), lambda r: r["facility_count"])
    if table["name"] is None:
        return [Column(_("Fiscal year"), lambda r: r["fiscal_year"]), *money_columns,
                Column(_("Allocated, change from the year before, %"), lambda r: r["allocated_change_pct"]),
                Column(_("Paid, change from the year before, %"), lambda r: r["paid_change_pct"]), count]
    change = Column(_("Allocated, change from %(year)s, %%", year=previous_year) if previous_year
                    else _("Allocated, change from the year before, %"), lambda r: r["allocated_change_pct"])
    columns = [Column(table["heading"], lambda r: r["label"]), Column(_("Code"), lambda r: r["key"] or "")]
    if table["name"] == "district":
        columns.append(Column(_("Population"), lambda r: r["population"]))
    columns += money_columns
    if table["name"] == "district":
        columns += [Column(_("Allocated per resident, KZT"), lambda r: kzt(r["allocated_per_resident"])),
                    Column(_("Paid per resident, KZT"), lambda r: kzt(r["paid_per_resident"]))]
    return [*columns, change, count]


def _no_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache"  # always revalidate: a new version shows at once
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/dashboard")
def index():
    selection = map_page.current_selection(request.args)
    view = labelled(selection) if selection.years else None
    response = make_response(render_template(
        "public/dashboard.html", selection=selection, view=view, query=selection.filter.query_args(),
        static_url=static_url, csv_links=downloads.csv_links))
    return _no_cache(response)


@bp.get("/dashboard/<slug>.csv")
def table_csv(slug: str):
    """One table of the dashboard as CSV, for the same filters (UTF-8 with BOM, for Excel; the
    layout of ``explore.web.downloads``)."""
    if slug not in TABLES:
        abort(404)
    selection = map_page.current_selection(request.args)
    if selection.problems:
        abort(400)
    if not selection.years:
        abort(404)
    view = labelled(selection)
    table = next(t for t in view["tables"] if t["slug"] == slug)
    body = dashboard.table_csv(csv_columns(table, view["figures"].previous_year), table["rows"],
                               downloads.chosen_layout())
    name = f"dashboard-{slug}.csv" if table["name"] is None else f"dashboard-{slug}-{selection.filter.year}.csv"
    return downloads.csv_download(body, name)
