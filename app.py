"""The application factory: configuration, extensions, blueprints and commands. Nothing else."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

from accounts.web import admin, auth
from accounts.web import cli as accounts_cli
from budget.web import cli as budget_cli
from budget.web import jobs as budget_jobs
from budget.web import pages as budget_pages
from budget.web import progress as upload_progress
from budget.web import workspace
from core.web import converters, database, i18n, shared_responses, static_files
from explore.web import contractors as contractor_pages
from explore.web import dashboard, installable, map_data
from explore.web import pages as explore_pages
from feedback.web import moderation
from feedback.web import submit as feedback_submit
from opendata.web import api
from risk.web import pages as risk_pages
from web import errors, security, settings
from web.boot import load_geography_or_stop, require_current_schema, warn_if_assets_missing
from web.context import register_context


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings.configure(app, test_config)
    load_geography_or_stop(app)
    warn_if_assets_missing(app)
    database.init_app(app)
    require_current_schema(app)  # pages answer 503 with what to run until `flask db upgrade`
    shared_responses.init_app(app, i18n.language_of_environ(app))  # repeated map data answered before Flask's machinery
    i18n.init_app(app)
    Compress(app)
    security.init_app(app)  # CSP (inline scripts by hash), nosniff, frame-ancestors, Referrer- and Permissions-Policy
    register_context(app)
    errors.init_app(app)
    converters.init_app(app)  # <id:...> in routes: 1..2**63-1, anything else a 404 (before any blueprint)
    app.register_blueprint(explore_pages.bp)
    app.register_blueprint(map_data.bp)
    app.register_blueprint(api.bp)  # /api/v1/: open data as JSON, CSV, GeoJSON; /api/openapi.json
    app.register_blueprint(dashboard.bp)  # /dashboard: totals by year, district, type, work, funding
    app.register_blueprint(installable.bp)  # /manifest.webmanifest and the service worker /sw.js
    app.register_blueprint(contractor_pages.bp)  # /contractor/<bin>: a contractor across the data
    app.register_blueprint(risk_pages.bp)  # /risk-flags: the rules and what each could check
    auth.init_app(app)  # accounts: Flask-Login, CSRF on every form, login rate limit, /login
    app.register_blueprint(admin.bp)
    auth.limit_like_login(app, "admin.change_password")  # guessing the current password: as slow as logging in
    admin.register_areas(app, *workspace.AREAS, *moderation.AREAS)  # the /admin dashboard's sections
    app.register_blueprint(budget_pages.bp)  # /budget-format and its templates
    app.register_blueprint(workspace.bp)  # upload, preview, publish, versions, rollback
    budget_jobs.init_app(app)  # the task queue (validation, publication) and `flask jobs worker`
    app.register_blueprint(upload_progress.bp)  # an upload's progress while its job runs; try again
    feedback_submit.init_app(app)  # residents' feedback: submit, tracking code; per-address rate limit
    app.register_blueprint(moderation.bp)  # /admin/feedback: moderate, answer, deadlines
    budget_cli.init_app(app)
    accounts_cli.init_app(app)
    static_files.init_app(app)  # last, outermost: WhiteNoise answers /static/ (hashed names) before anything else
    return app
