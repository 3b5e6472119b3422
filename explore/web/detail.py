"""Glue for the facility and district pages: the small map, labels of changes (no SQL)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from shapely.geometry import mapping

from core.vocabulary import LINE_KEY
from core.web.i18n import FUNDING_LABELS, STATUS_LABELS, WORK_TYPE_LABELS, label_of, localized, money, percent
from explore.web.map_page import static_url
from map_builder.district_map import Assets, map_parts
from map_builder.point_map import build_point_map

# Names of the budget line fields that a change can touch.
FIELD_LABELS = {
    "allocated_tiyn": _l("Allocated"), "contracted_tiyn": _l("Contracted"), "paid_tiyn": _l("Paid"),
    "contractor_name": _l("Contractor"), "contractor_bin": _l("BIN"),
    "procurement_ref": _l("Procurement"), "start_date": _l("Start date"), "end_date": _l("End date"),
    "status": _l("Status"), "physical_progress_pct": _l("Progress"), "source_url": _l("Source"),
    "description": _l("Description"), "work_type": _l("Work"), "funding_source": _l("Funding"),
    "budget_program_code": _l("Budget programme"),
}
UNIT_TYPE_LABELS = {"district": _l("District"), "city_regional": _l("City of regional significance")}

_status, _work, _funding = label_of(STATUS_LABELS), label_of(WORK_TYPE_LABELS), label_of(FUNDING_LABELS)


POINT_MAP_NAME = "facility"  # folium's map is ``map_facility``: the page's div and the script agree


def facility_map(facility: dict) -> dict[str, str]:
    """The small map of a facility over its district's outline: its div and its script.

    The page holds the div and a placeholder; ``static/js/point_map.js`` loads Leaflet and the
    script (``public.facility_map_script``) when the map scrolls into view.
    """
    display = current_app.extensions["geography"].districts_display
    kato = facility["district_kato"]
    outline = mapping(display.geometry[kato]) if kato in display.index else None
    fmap = build_point_map(
        facility["lat"], facility["lon"], facility["facility_type"], localized(facility), point_map_assets(),
        outline=outline, tiles_url=current_app.config["TILES_URL"],
        tiles_attribution=current_app.config["TILES_ATTRIBUTION"], map_id=POINT_MAP_NAME)
    return map_parts(fmap)


def point_map_assets() -> Assets:
    return Assets(leaflet_js=static_url("leaflet", "dist/leaflet.js"),
                  leaflet_css=static_url("leaflet", "dist/leaflet.css"))


def big_map_url(facility: dict) -> str:
    """The map page centred on the facility, close enough to see it among its neighbours."""
    return f"{url_for('public.index')}#map=15/{facility['lat']:.4f}/{facility['lon']:.4f}"


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def field_value(field: str, value) -> str:
    """A budget line value as a resident reads it: money in tenge, labels, percentages."""
    if value is None or value == "":
        return "—"
    if field.endswith("_tiyn"):
        return money(value)
    if field == "physical_progress_pct":
        return percent(value)
    if field == "status":
        return _status(value)
    if field == "work_type":
        return _work(value)
    if field == "funding_source":
        return _funding(value)
    return str(value)


def line_title(line: dict) -> str:
    """Which line: 'year · work · funding · programme' (the line key without the facility)."""
    parts = [field_value(name, line.get(name)) for name in LINE_KEY if name != "facility_id"
             and line.get(name) not in (None, "")]
    return " · ".join(parts)


def version_origin(version: dict) -> str:
    """How a version came about: a file, the demo data or a rollback."""
    if version["kind"] == "rollback":
        return _("Rollback to version %(version)s", version=version["rollback_of"])
    if version["kind"] == "demo":
        return _("Demo data")
    return _("Published file")


def unit_type_label(unit_type: str) -> str:
    return str(UNIT_TYPE_LABELS.get(unit_type, unit_type))


TEMPLATE_HELPERS = {"field_label": field_label, "field_value": field_value, "line_title": line_title,
                    "version_origin": version_origin, "unit_type_label": unit_type_label,
                    "static_url": static_url, "big_map_url": big_map_url}
