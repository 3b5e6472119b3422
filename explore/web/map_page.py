"""The map's read side in the chosen language: the selection behind the map, the table and the
map's data endpoints, its summary (totals, choropleth, legend) and popups. Glue, no SQL.

Everything cached is keyed by the data version (see ``core.web.cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from flask import current_app, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from core import versions
from core.web import database
from core.web.cache import app_cache
from core.web.i18n import FACILITY_TYPE_LABELS, STATUS_LABELS, label_of, language, localized, money, percent
from explore import map_views, queries
from explore.filters import FacilityFilter, district_figures, parse_filter, select_facilities
from feedback import store as feedback
from geo.coords import leaflet_bounds
from map_builder.assets import vendor_path
from map_builder.choropleth import NO_DATA_COLOUR, choropleth
from map_builder.district_map import Assets, LayerConfig, build_map, map_parts
from risk import store as risk_store
from risk.web.words import popup_note

METRICS = ("allocated", "paid", "per_resident")
MILLION_TIYN = 100 * 1_000_000


@dataclass(frozen=True)
class Selection:
    """The published facilities a filter selects, with what the pages need around them.

    Its ``rows`` are read when first asked for: the map page and its data request need only
    its ``view``, which a version's publication stores for the default filter.
    """

    version_id: int | None
    years: list[int]
    districts: list[dict]
    filter: FacilityFilter
    problems: list[str]

    @property
    def rows(self) -> list[dict]:
        sql_filter = replace(self.filter, text="")  # the text is matched in Python, on cached rows
        all_rows = app_cache("facility_rows", 32).get_or_build(
            (self.version_id, sql_filter.key()),
            lambda: queries.facility_rows(database.connection(), self.version_id, sql_filter))
        return app_cache("selections", 64).get_or_build(
            (self.version_id, self.filter.key()), lambda: select_facilities(all_rows, self.filter))

    def district_name(self, kato: str) -> str:
        for district in self.districts:
            if district["kato"] == kato:
                return localized(district)
        return kato


def static_url(package: str, file: str) -> str:
    return url_for("static", filename=vendor_path(package, file))


def local_assets() -> Assets:
    return Assets(
        leaflet_js=static_url("leaflet", "dist/leaflet.js"),
        leaflet_css=static_url("leaflet", "dist/leaflet.css"),
        supercluster_js=static_url("supercluster", "dist/supercluster.min.js"),
        map_js=url_for("static", filename="js/map.js"),
    )


def current_selection(args) -> Selection:
    """The selection the request's URL parameters describe, from the newest published version."""
    version_id = database.published_version_id()
    # The same URL parameters on the same version give the same selection: the map's data
    # requests repeat them, so the parsing and the lookups below run once per combination.
    items = args.items(multi=True) if hasattr(args, "getlist") else args.items()  # MultiDict or dict
    return app_cache("current_selections", 64).get_or_build(
        (version_id, tuple(items)), lambda: _selection(args, version_id))


def _selection(args, version_id: int | None) -> Selection:
    # The connection is asked for only when something must be built: a request answered from
    # the caches opens no transaction at all.
    years, districts = app_cache("version_facts", 8).get_or_build(
        ("facts", version_id), lambda: (versions.fiscal_years(database.connection(), version_id),
                                        queries.district_list(database.connection())))
    facility_filter, problems = parse_filter(args, years, [d["kato"] for d in districts])
    return Selection(version_id, years, districts, facility_filter, problems)


def view(selection: Selection) -> map_views.MapView:
    """The selection as the map shows it: stored by the publication for the default filter,
    built from the rows otherwise (``explore.map_views``); cached per version and filter."""
    def build() -> map_views.MapView:
        return (map_views.stored(database.connection(), selection.version_id, selection.filter)
                or map_views.build_view(selection.rows, selection.version_id, selection.filter.year))

    return app_cache("map_views", 32).get_or_build((selection.version_id, selection.filter.key()), build)


def metric_of(args) -> str:
    metric = args.get("metric", "")
    return metric if metric in METRICS else METRICS[0]


def amount(tiyn: int, unit_tiyn: int) -> str:
    """An amount in whole units (tenge or million tenge) with the language's separators."""
    value = Decimal(tiyn) / unit_tiyn
    return format_decimal(value, format="#,##0.0" if abs(value) < 10 else "#,##0")


def summary(selection: Selection) -> dict:
    """Totals, the district colours and the legend for the selection, in the chosen language."""
    metric = metric_of(request.args)
    key = (selection.version_id, selection.filter.key(), metric, language())
    return app_cache("summaries", 64).get_or_build(key, lambda: _summary(selection, metric))


def _summary(selection: Selection, metric: str) -> dict:
    year = selection.filter.year
    shown = view(selection)
    figures = district_figures(shown.district_sums, selection.districts)
    value_key = {"allocated": "allocated_tiyn", "paid": "paid_tiyn",
                 "per_resident": "allocated_per_resident_tiyn"}[metric]
    bins, colours = choropleth({d["kato"]: d[value_key] for d in figures})
    if metric == "per_resident":
        title, unit = _("Allocated per resident in %(year)s, ₸", year=year), 100
    elif metric == "paid":
        title, unit = _("Paid in %(year)s, million ₸", year=year), MILLION_TIYN
    else:
        title, unit = _("Allocated in %(year)s, million ₸", year=year), MILLION_TIYN
    legend = [{"colour": b.colour, "label": f"{amount(b.low, unit)} – {amount(b.high, unit)}"} for b in bins]
    legend.append({"colour": NO_DATA_COLOUR, "label": _("No money in this selection")})
    districts = {}
    for d in figures:
        label = _("%(district)s: %(allocated)s allocated, %(paid)s paid, %(per_resident)s per resident",
                  district=localized(d), allocated=money(d["allocated_tiyn"], compact=True),
                  paid=money(d["paid_tiyn"], compact=True), per_resident=money(d["allocated_per_resident_tiyn"]))
        districts[d["kato"]] = {"colour": colours[d["kato"]], "label": label, "name": localized(d),
                                "url": url_for("public.district", kato=d["kato"], year=year)}
    total = shown.totals
    execution = (100 * total["paid_tiyn"] / total["allocated_tiyn"]) if total["allocated_tiyn"] else None
    return {
        "version": selection.version_id, "year": year, "metric": metric,
        "counts": {"facilities": total["facilities"], "funded": total["funded"]},
        "totals": {"allocated": money(total["allocated_tiyn"]), "contracted": money(total["contracted_tiyn"]),
                   "paid": money(total["paid_tiyn"]), "execution": percent(execution),
                   "facilities": format_decimal(total["facilities"]), "funded": format_decimal(total["funded"])},
        "legend": {"title": title, "rows": legend},
        "districts": districts,
    }


def popup(selection: Selection, facility_id: str) -> dict | None:
    """A facility's popup for the selected year and line filters, or None if it is not published."""
    rows = queries.facility_rows(database.connection(), selection.version_id,
                                 replace(selection.filter, facility_type=None, district=None, text="",
                                         risk=None),
                                 facility_id=facility_id)
    if not rows:
        return None
    row = rows[0]
    fields = [(_("Type"), label_of(FACILITY_TYPE_LABELS)(row["facility_type"])),
              (_("District"), selection.district_name(row["district_kato"]))]
    if row["lines"]:
        fields += [(_("Allocated"), money(row["allocated_tiyn"])),
                   (_("Contracted"), money(row["contracted_tiyn"])),
                   (_("Paid"), money(row["paid_tiyn"]))]
        if row["progress_pct"] is not None:
            fields.append((_("Progress"), percent(row["progress_pct"])))
        if row["status"]:
            fields.append((_("Status"), label_of(STATUS_LABELS)(row["status"])))
        note = ""
    else:
        note = _("No money in %(year)s for this selection.", year=selection.filter.year)
    flags = risk_store.risk_flag_rows(database.connection(), selection.version_id,
                                   facility_id=row["facility_id"], fiscal_year=selection.filter.year)
    counts = feedback.status_counts(database.connection(), row["facility_id"])
    fields.append((_("Feedback"), _("%(open)s open, %(answered)s answered", open=counts["open"],
                                    answered=counts["answered"])))
    url = url_for("public.facility", facility_id=row["facility_id"])
    return {"id": row["facility_id"], "name": localized(row), "year": selection.filter.year,
            "fields": [{"label": label, "value": value} for label, value in fields], "note": note,
            "risk": {"count": len(flags), "text": popup_note(flags)},
            "feedback": {"open": counts["open"], "answered": counts["answered"], "total": counts["total"],
                         "url": url + "#feedback-form-heading", "label": _("Leave feedback")},
            "url": url}


def map_fragments() -> dict[str, str]:
    """The page's map (head links, div, script): the same for every filter and data version."""
    config = current_app.config
    key = (language(), config["TILES_URL"], config["TILES_ATTRIBUTION"], request.script_root)
    return app_cache("map_fragments", 16).get_or_build(key, _build_map_fragments)


def _build_map_fragments() -> dict[str, str]:
    geography = current_app.extensions["geography"]
    features = [{"type": "Feature", "properties": {"kato": f["kato"]}, "geometry": f["geometry"]}
                for f in current_app.extensions["district_features"]]
    labels = {
        "loading": _("Loading…"),
        "loadError": _("The map data could not be loaded. Check the connection and try again."),
        "popupLink": _("Facility page"),
        "cluster": _("%(count)s facilities: zoom in", count="{count}"),
        "shown": _("%(count)s facilities on the map", count="{count}"),
        "districtLink": _("District page"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
    }
    config = LayerConfig(facilities_url=url_for("explore.facilities_data"),
                         summary_url=url_for("explore.summary_data"),
                         popup_url=url_for("explore.facility_popup", facility_id="_")[:-len("_.json")],
                         labels=labels)
    fmap = build_map({"type": "FeatureCollection", "features": features}, config, local_assets(),
                     tiles_url=current_app.config["TILES_URL"],
                     tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
                     bounds=leaflet_bounds(geography.outline.union_all()))
    return map_parts(fmap)
