"""One engine per app; one connection per request, closed at teardown."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g

from core import versions
from core.db import make_engine


def init_app(app: Flask) -> None:
    app.extensions["engine"] = make_engine(app.config["DATABASE_URL"])
    app.extensions["latest_version"] = versions.LatestVersionWatch(app.extensions["engine"])
    app.teardown_appcontext(close_connection)


def engine() -> sa.Engine:
    return current_app.extensions["engine"]


def connection() -> sa.Connection:
    """The request's read connection (opened on first use)."""
    if "db_connection" not in g:
        g.db_connection = engine().connect()
    return g.db_connection


def close_connection(_exc=None) -> None:
    conn = g.pop("db_connection", None)
    if conn is not None:
        conn.close()


def published_version() -> dict | None:
    """The newest version, looked up once per request.

    In the request's transaction if it has one; otherwise without opening one, and without
    a query at all while nothing was committed (``versions.LatestVersionWatch``): a request
    answered from the caches (the map's data) then costs the database next to nothing.
    """
    if "published_version" not in g:
        if "db_connection" in g:
            g.published_version = versions.latest_version(g.db_connection)
        else:
            g.published_version = current_app.extensions["latest_version"].latest()
    return g.published_version


def published_version_id() -> int | None:
    version = published_version()
    return version["id"] if version else None
