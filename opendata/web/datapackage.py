"""The published versions and each version's data as a downloadable Frictionless data package.

``/api/v1/versions`` lists every publication; ``/api/v1/versions/<id>/datapackage.zip`` zips the
files ``opendata.package`` makes of that version's data (the same bytes every time, cached).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from budget import publish as uploads
from core import versions as published
from core.web import database
from core.web.cache import app_cache
from explore import queries
from opendata import package
from opendata import tables as open_data
from opendata.web.answers import File, Rows
from opendata.web.endpoints import districts_of_version
from opendata.web.registry import download, listing


@listing("/v1/versions", open_data.VERSIONS, summary="Published versions",
         description="Every publication of budget data, newest first. The data of each is downloadable "
         "as a data package at /api/v1/versions/{id}/datapackage.zip.")
def versions(values: dict) -> Rows:
    return Rows(uploads.history(database.connection()), etag=(database.published_version_id(),))


@download("/v1/versions/<id:version_id>/datapackage.zip", "application/zip",
          not_found=_l("There is no such version."),
          summary="A version's data as a Frictionless data package",
          description="datapackage.json (Table Schema of every table) and CSV files: facilities, "
          "budget_lines, districts and district_totals, as published by this version. Money in integer tiyn.")
def data_package(version_id: int) -> File | None:
    connection = database.connection()
    version = published.version(connection, version_id)
    if version is None:
        return None

    def build() -> bytes:
        files = package.data_package(
            version, facilities=queries.version_facilities(connection, version_id),
            lines=queries.version_lines(connection, version_id),
            districts=districts_of_version(connection, version_id),
            demo=published.shows_demo_data(connection, version_id),
            homepage=url_for("public.index", _external=True))
        return zipped(files, datetime.fromisoformat(version["created_at"]))

    body = app_cache("data_packages", 4).get_or_build((version_id, request.host_url), build)
    return File(body, f"open-budget-map-v{version_id}.zip", etag=(version_id,))


def zipped(files: dict[str, bytes], when: datetime) -> bytes:
    """The files as a zip archive; the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
