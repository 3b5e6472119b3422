"""Security headers (web.security) on every answer of the app: every GET route of the URL map,
anonymous and signed in, with data behind each id; the CSP of pages, its nonce and hashes; the
embed page's frame-ancestors; HSTS over HTTPS only; the stricter headers views set themselves."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import pytest
import sqlalchemy as sa

from app import create_app
from core.schema import feedback as feedback_table
from feedback import decisions
from feedback.rules import format_tracking_code
from tests.accounts.web.test_admin import matrix_samples, url_of
from tests.helpers import login
from web import security

# Routes not walked: static files are served in front of Flask in production (WhiteNoise).
NOT_WALKED = {"static"}
# HTML pages a signed-in editor, moderator and admin gets as 200 with the samples below.
HTML_PAGES = {
    "public.index", "public.embed", "public.facility", "public.district", "explore.facility_table",
    "dashboard.index", "budget.format_page", "feedback.lookup", "feedback.status", "auth.login",
    "admin.dashboard", "admin.users", "admin.audit_log", "workspace.upload", "workspace.upload_report",
    "workspace.versions", "workspace.version_diff", "workspace.confirm_rollback", "moderation.queue",
    "moderation.item",
}
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
DIRECTIVES = ("default-src 'self'", "style-src 'self'", "font-src 'self'", "connect-src 'self'",
              "worker-src 'self'", "manifest-src 'self'", "object-src 'none'", "base-uri 'self'",
              "form-action 'self'")


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    parts = [part.split() for part in response.headers["Content-Security-Policy"].split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def walk_samples(app, make_user) -> dict:
    """matrix_samples (an account, a version, an upload, a feedback item with a photo, published)
    plus what the public routes need."""
    samples = matrix_samples(app, make_user)
    engine = app.extensions["engine"]
    with engine.begin() as connection:
        decisions.moderate(connection, samples["feedback_id"], "published", actor="test", actor_name="Test",
                          now=dt.datetime.now(dt.timezone.utc))
        code = connection.execute(sa.select(feedback_table.c.tracking_code)
                                  .where(feedback_table.c.id == samples["feedback_id"])).scalar_one()
        kato = connection.execute(sa.text("SELECT district_kato FROM facilities WHERE facility_id = 'T1'")).scalar_one()
    return {**samples, "facility_id": "T1", "kato": kato, "code": format_tracking_code(code), "slug": "years",
            "bin_": "180340021791"}


def get_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" in rule.methods and rule.endpoint not in NOT_WALKED:
            yield rule


def walk(app, client, samples):
    """(endpoint, response) of every GET route."""
    for rule in get_routes(app):
        values = dict(samples)
        if rule.endpoint == "public.set_language":
            values["code"] = "en"
        url = url_of(app, rule, values)
        yield rule.endpoint, url, client.get(url)


def inline_scripts(html: str) -> list[tuple[str, str]]:
    """(attributes, code) of every inline script that is code, not a JSON data block."""
    return [(attributes, code) for attributes, code in SCRIPT.findall(html)
            if "src=" not in attributes and 'type="application/json"' not in attributes]


def sha256_source(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def assert_headers(endpoint, url, response):
    headers = response.headers
    assert response.status_code < 500, (url, response.status_code)
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer"), url
    permissions = headers["Permissions-Policy"]
    assert "geolocation=(self)" in permissions and "camera=()" in permissions and "microphone=()" in permissions
    csp = policy(response)
    if endpoint == "public.embed":
        assert csp["frame-ancestors"] == ["*"] and "X-Frame-Options" not in headers, url
    else:
        assert csp["frame-ancestors"] == ["'none'"] and headers["X-Frame-Options"] == "DENY", url
    assert "Strict-Transport-Security" not in headers, url  # plain http
    if response.mimetype == "text/html":
        for directive in DIRECTIVES:
            name, *sources = directive.split()
            assert csp[name] == sources, (url, name, csp[name])
        assert csp["img-src"] == ["'self'", "data:"], url  # TILES_URL is empty in the tests
        scripts = csp["script-src"]
        assert scripts[0] == "'self'" and all(s.startswith(("'nonce-", "'sha256-")) for s in scripts[1:]), url
        html = response.get_data(as_text=True)
        assert not re.search(r"\sstyle=", html), f"{url}: a style attribute"
        assert "<style" not in html, f"{url}: a style element"
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html), f"{url}: an inline event handler"
        for attributes, code in inline_scripts(html):
            nonce = re.search(r'nonce="([^"]+)"', attributes)
            assert (nonce and f"'nonce-{nonce.group(1)}'" in scripts) or sha256_source(code) in scripts, url
    else:
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'"), url


def test_every_route_answers_with_the_security_headers(app, make_user):
    make_user("boss", "admin", "editor", "moderator")
    samples = walk_samples(app, make_user)
    anonymous, signed_in = app.test_client(), app.test_client()
    assert login(signed_in, "boss").status_code == 302
    pages = set()
    for client in (anonymous, signed_in):
        for endpoint, url, response in walk(app, client, samples):
            assert_headers(endpoint, url, response)
            if response.status_code == 200 and response.mimetype == "text/html":
                pages.add(endpoint)
    assert HTML_PAGES <= pages, HTML_PAGES - pages
    # The answers of the error handlers and POSTs get them too.
    assert_headers(None, "/nowhere", anonymous.get("/nowhere"))
    assert_headers("auth.logout", "/logout", anonymous.post("/logout"))  # 400: no CSRF token


def test_no_unsafe_sources_anywhere(client, publish_csv):
    from tests.helpers import GOOD_ROWS, budget_csv

    publish_csv(budget_csv(*GOOD_ROWS))
    for url in ("/", "/embed", "/facility/T1", "/dashboard", "/login"):
        header = client.get(url).headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in policy(
            client.get(url))["script-src"], url


def test_pages_without_inline_script_allow_only_the_sites_own_files(client, publish_csv):
    from tests.helpers import GOOD_ROWS, budget_csv

    publish_csv(budget_csv(*GOOD_ROWS))
    for url in ("/facility/T1", "/district/611000000", "/dashboard", "/feedback", "/login"):
        response = client.get(url)
        assert inline_scripts(response.get_data(as_text=True)) == [], url
        assert policy(response)["script-src"] == ["'self'"], url


def test_the_map_page_script_is_allowed_by_its_hash_and_the_page_keeps_its_etag(client, publish_csv):
    from tests.helpers import GOOD_ROWS, budget_csv

    publish_csv(budget_csv(*GOOD_ROWS))
    first = client.get("/")
    scripts = inline_scripts(first.get_data(as_text=True))
    assert len(scripts) == 1 and "OpenBudgetMap.start" in scripts[0][1]
    assert policy(first)["script-src"] == ["'self'", sha256_source(scripts[0][1])]
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and policy(again)["script-src"] == policy(first)["script-src"]


def test_the_embed_page_is_the_map_without_the_site_header(client, publish_csv):
    from tests.helpers import GOOD_ROWS, budget_csv

    publish_csv(budget_csv(*GOOD_ROWS))
    page = client.get("/embed?type=school").get_data(as_text=True)
    assert "OpenBudgetMap.start" in page and 'class="account-nav"' not in page and 'class="site-footer"' not in page
    # The filters stay in the frame; every other link opens the full site in a new tab.
    assert re.search(r'<form method="get" action="/embed" target="_self"', page)
    assert re.search(r'class="brand" id="full-map-link" href="/\?[^"]*type=school', page)


def app_with(tmp_path, **config):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", **config})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    return app


@pytest.mark.parametrize(("setting", "ancestors"), [
    ("*", ["*"]),
    ("https://turkestan.gov.kz, https://*.gov.kz", ["https://turkestan.gov.kz", "https://*.gov.kz"]),
    ("https://akimat.example.kz:8443", ["https://akimat.example.kz:8443"]),
    ("none", ["'none'"]),
    ("", ["'none'"]),
])
def test_the_embed_page_frame_ancestors_follow_the_setting(tmp_path, setting, ancestors):
    app = app_with(tmp_path, EMBED_ALLOWED_ORIGINS=setting)
    client = app.test_client()
    embed = client.get("/embed")
    assert embed.status_code == 200 and policy(embed)["frame-ancestors"] == ancestors
    assert "X-Frame-Options" not in embed.headers
    page = embed.get_data(as_text=True)
    assert '<base target="_blank">' in page and 'class="site-nav"' not in page
    for url in ("/", "/login", "/admin/", "/admin/upload", "/facilities"):  # never frameable
        response = client.get(url)
        assert policy(response)["frame-ancestors"] == ["'none'"] and response.headers["X-Frame-Options"] == "DENY"
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("setting", ["https://a.kz; script-src *", "javascript:alert(1)", "https://a.*.kz"])
def test_a_wrong_embed_setting_stops_start_up(tmp_path, setting):
    with pytest.raises(ValueError, match="EMBED_ALLOWED_ORIGINS"):
        app_with(tmp_path, EMBED_ALLOWED_ORIGINS=setting)


@pytest.mark.parametrize(("tiles_url", "origin"), [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
    ("http://tiles.akimat.kz:8080/osm/{z}/{x}/{y}.png", "http://tiles.akimat.kz:8080"),
    ("//tiles.example.kz/{z}/{x}/{y}.png", "https://tiles.example.kz"),
    ("/tiles/{z}/{x}/{y}.png", ""),  # served by the app itself: 'self'
    ("", ""),
])
def test_the_tile_server_origin_comes_from_tiles_url(tiles_url, origin):
    assert security.tile_origin(tiles_url) == origin


def test_img_src_names_the_tile_server_only_when_one_is_set(tmp_path):
    app = app_with(tmp_path, TILES_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert policy(app.test_client().get("/login"))["img-src"] == ["'self'", "data:", "https://*.tile.example.org"]
    app.extensions["engine"].dispose()
    with pytest.raises(ValueError, match="TILES_URL"):
        security.tile_origin("https://tiles.{s}.example.org/{z}/{x}/{y}.png")


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    # A forged X-Forwarded-Proto counts only behind trusted proxies (TRUSTED_PROXY_COUNT = 0 here).
    assert "Strict-Transport-Security" not in client.get("/login", headers={"X-Forwarded-Proto": "https"}).headers


def test_views_keep_their_own_stricter_headers(app, make_user):
    samples = walk_samples(app, make_user)
    client = app.test_client()
    status = client.get(f"/feedback/{samples['code']}")
    assert status.status_code == 200 and status.headers["Referrer-Policy"] == "no-referrer"
    photo = client.get(f"/feedback/photos/{samples['feedback_id']}/thumb")
    assert photo.status_code == 200
    assert photo.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert client.get("/api/v1/versions").headers["Content-Security-Policy"] == security.NON_HTML_POLICY
