"""Turn read models into the map, with labels in the chosen language (glue, no SQL)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _

from geo.coords import leaflet_bounds
from map_builder.choropleth import quantile_bins
from map_builder.assets import vendor_path
from map_builder.district_map import Assets, MapLabels, build_map, facility_columns
from web.i18n import FACILITY_TYPE_LABELS, localized, money


def static_url(package: str, file: str) -> str:
    return url_for("static", filename=vendor_path(package, file))


def local_assets() -> Assets:
    return Assets(
        leaflet_js=static_url("leaflet", "dist/leaflet.js"),
        leaflet_css=static_url("leaflet", "dist/leaflet.css"),
        markercluster_js=static_url("leaflet.markercluster", "dist/leaflet.markercluster.js"),
        markercluster_css=(static_url("leaflet.markercluster", "dist/MarkerCluster.css"),
                           static_url("leaflet.markercluster", "dist/MarkerCluster.Default.css")),
    )


def build_district_map(districts: list[dict], facilities: list[dict]):
    """The folium map for the page: districts by money allocated, facilities on top."""
    geography = current_app.extensions["geography"]
    names = {d["kato"]: localized(d) for d in districts}
    features = [{"type": "Feature", "properties": {"kato": f["kato"], "name": names.get(f["kato"], f["kato"])},
                 "geometry": f["geometry"]} for f in current_app.extensions["district_features"]]
    values = {d["kato"]: d["allocated_tiyn"] for d in districts}
    value_labels = {}
    for d in districts:
        per_resident = d["allocated_tiyn"] // d["population"] if d["population"] else None
        value_labels[d["kato"]] = _("%(total)s allocated, %(per_resident)s per resident",
                                    total=money(d["allocated_tiyn"], compact=True),
                                    per_resident=money(per_resident))
    bins = quantile_bins(list(values.values()))
    bin_labels = [f"{money(b.low, compact=True)} – {money(b.high, compact=True)}" for b in bins]
    labels = MapLabels(
        legend_title=_("Allocated"), no_data=_("No allocation"), popup_link=_("Facility page"),
        no_lines=_("No budget lines in this year."),
        money_fields=("allocated", "contracted", "paid", "progress"),
        popup_fields={"type": _("Type"), "district": _("District"), "allocated": _("Allocated"),
                      "contracted": _("Contracted"), "paid": _("Paid"), "progress": _("Progress")},
    )
    type_names = {key: str(label) for key, label in FACILITY_TYPE_LABELS.items()}

    def value_of(key: str, facility: dict) -> str:
        if key == "type":
            return type_names.get(facility["facility_type"], facility["facility_type"])
        if key == "district":
            return names.get(facility["district_kato"], "")
        if key == "progress":
            progress = facility["progress_pct"]
            return "" if progress is None else f"{progress:.0f} %"
        amount = facility[f"{key}_tiyn"]
        return "" if amount is None else money(amount)

    link_prefix = url_for("public.facility", facility_id="_")[:-1]  # ".../facility/" + id in JS
    data = facility_columns(facilities, labels, link_prefix, localized, value_of)
    return build_map(
        {"type": "FeatureCollection", "features": features}, values, value_labels, bins, bin_labels,
        data, labels, local_assets(), tiles_url=current_app.config["TILES_URL"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"],
        bounds=leaflet_bounds(geography.outline.union_all()))
