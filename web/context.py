"""Values every template needs: the language switch, the demo notice, the data version."""

from __future__ import annotations

from flask import Flask, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from core import versions
from core.web import database
from core.web.i18n import language


def register_context(app: Flask) -> None:
    @app.context_processor
    def page_context():
        try:
            version = database.published_version()
            is_demo = versions.shows_demo_data(database.connection(), version["id"] if version else None)
        except SQLAlchemyError:  # an error page must still render when the database fails
            version, is_demo = None, False
        return {
            "current_language": language(),
            "languages": current_app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?"),
            "data_version": version,
            "is_demo": is_demo,
        }
