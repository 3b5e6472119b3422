"""The application factory: configuration, extensions, blueprints and commands. Nothing else."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

from web import admin, auth, cli, cli_users, database, errors, explore, i18n, public, settings, workspace
from web import dashboard
from web import api
from web import feedback, moderation, shared_responses
from web.boot import load_geography_or_stop, warn_if_assets_missing
from web.context import register_context


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings.configure(app, test_config)
    load_geography_or_stop(app)
    warn_if_assets_missing(app)
    database.init_app(app)
    shared_responses.init_app(app)  # repeated map data answered before Flask's machinery
    i18n.init_app(app)
    Compress(app)
    register_context(app)
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(explore.bp)
    app.register_blueprint(api.bp)  # /api/v1/: open data as JSON, CSV, GeoJSON; /api/openapi.json
    app.register_blueprint(dashboard.bp)  # /dashboard: totals by year, district, type, work, funding
    auth.init_app(app)  # accounts: Flask-Login, CSRF on every form, login rate limit, /login
    app.register_blueprint(admin.bp)
    app.register_blueprint(workspace.bp)  # upload, preview, publish, versions, rollback
    feedback.init_app(app)  # residents' feedback: submit, tracking code; per-address rate limit
    app.register_blueprint(moderation.bp)  # /admin/feedback: moderate, answer, deadlines
    cli.init_app(app)
    cli_users.init_app(app)
    return app
