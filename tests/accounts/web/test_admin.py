"""The workspace under /admin: the role matrix over every route, accounts, the audit log page."""

import datetime as dt
import html
import io
import re

import pytest
import sqlalchemy as sa
from flask import url_for

from accounts import audit
from accounts import users as accounts
from budget import pending as pending_uploads
from core import versions
from core.schema import audit_log
from feedback import store as feedback
from feedback.photos import Photo
from feedback.rules import Submission
from tests.helpers import ACCOUNT_PASSWORD, GOOD_ROWS, budget_csv, csrf_token, csrf_token_in, login

# Who may use each /admin endpoint. A new /admin route fails the matrix until it is listed here.
ALLOWED_ROLES = {
    "admin.dashboard": {"admin", "editor", "moderator"},
    "admin.account": {"admin", "editor", "moderator"},
    "admin.change_password": {"admin", "editor", "moderator"},
    "admin.logout_own_sessions": {"admin", "editor", "moderator"},
    "admin.logout_user_everywhere": {"admin"},
    "admin.users": {"admin"},
    "admin.create_user": {"admin"},
    "admin.change_roles": {"admin"},
    "admin.disable_user": {"admin"},
    "admin.enable_user": {"admin"},
    "admin.unlock_user": {"admin"},
    "admin.audit_log": {"admin"},
    "workspace.upload": {"editor"},
    "workspace.receive_upload": {"editor"},
    "workspace.upload_report": {"editor"},
    "workspace.report_csv": {"editor"},
    "workspace.publish_upload": {"editor"},
    "workspace.cancel_upload": {"editor"},
    "workspace.versions": {"editor"},
    "workspace.version_diff": {"editor"},
    "workspace.confirm_rollback": {"editor"},
    "workspace.rollback": {"editor"},
    "upload_jobs.progress_json": {"editor"},
    "upload_jobs.retry": {"editor"},
    "upload_jobs.published": {"editor"},
    "moderation.queue": {"moderator"},
    "moderation.item": {"moderator"},
    "moderation.moderate": {"moderator"},
    "moderation.redact": {"moderator"},
    "moderation.change_status": {"moderator"},
    "moderation.photo": {"moderator"},
}
VISITORS = (None, "editor", "moderator", "admin")  # None: not logged in


@pytest.fixture(autouse=True)
def english(app):
    """Pages in English (the msgids), whatever the catalogues hold; without a choice they are Kazakh."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def text(response) -> str:
    return response.get_data(as_text=True)


def admin_routes(app) -> list[tuple[str, str, object]]:
    """(endpoint, method, rule) for every route under /admin, read from the URL map."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule == "/admin" or rule.rule.startswith("/admin/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, method, rule))
    return sorted(routes, key=lambda route: (route[0], route[1]))


def url_of(app, rule, samples: dict) -> str:
    missing = rule.arguments - samples.keys()
    assert not missing, f"{rule.rule}: give the matrix a sample value for {missing}"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: samples[name] for name in rule.arguments})


def form_for(endpoint: str, visitor: str | None) -> dict:
    if endpoint == "admin.create_user":
        return {"login": f"new-{visitor}", "display_name": "New", "password": ACCOUNT_PASSWORD,
                "password_again": ACCOUNT_PASSWORD, "roles": ["editor"]}
    if endpoint == "admin.change_roles":
        return {"roles": ["editor"]}
    if endpoint == "admin.change_password":
        return {"current_password": ACCOUNT_PASSWORD, "password": ACCOUNT_PASSWORD,
                "password_again": ACCOUNT_PASSWORD}
    if endpoint == "workspace.receive_upload":
        return {"file": (io.BytesIO(budget_csv(*GOOD_ROWS)), "budget.csv")}
    if endpoint == "workspace.rollback":
        return {"confirm": "yes"}
    if endpoint == "moderation.moderate":
        return {"target": "published"}
    if endpoint == "moderation.redact":
        return {"public_text": "Redacted text"}
    if endpoint == "moderation.change_status":
        return {"target": "in_review"}
    return {}


def redirect_after_post(endpoint: str, samples: dict) -> str:
    """Where an allowed POST sends the browser (the matrix's editor posts in endpoint order)."""
    if endpoint == "admin.change_password":
        return "/admin/account"
    if endpoint == "admin.logout_own_sessions":  # this session too: the login form
        return "login"
    if endpoint.startswith("admin."):
        return "/admin/users"
    if endpoint == "workspace.receive_upload":  # a new upload after the sample one
        return f"/admin/uploads/{samples['upload_id'] + 1}"
    if endpoint in ("workspace.publish_upload", "workspace.cancel_upload", "upload_jobs.retry"):
        return f"/admin/uploads/{samples['upload_id']}"
    if endpoint.startswith("moderation."):
        return f"/admin/feedback/{samples['feedback_id']}"
    return "/admin/versions"


def matrix_samples(app, make_user) -> dict:
    """An account, a published version and a pending upload for the URLs that need ids."""
    from budget import pending as pending_uploads
    from budget.publish import import_budget_file

    engine, districts = app.extensions["engine"], app.extensions["geography"].districts
    target = make_user("target", "editor")
    version_id = import_budget_file(engine, budget_csv(*GOOD_ROWS), "v.csv", districts, actor="test").version_id
    upload_id = pending_uploads.create(engine, budget_csv(*GOOD_ROWS[:1]), "u.csv", districts, actor="test")
    with engine.begin() as connection:
        feedback_id = feedback.submit(connection, "T1", Submission(kind="complaint", text="Roof"), language="en",
                                      now=dt.datetime.now(dt.timezone.utc), policy=feedback.DeadlinePolicy(),
                                      photo=Photo(b"png", b"jpeg", "image/png")).feedback_id
    return {"user_id": target.id, "version_id": version_id, "upload_id": upload_id,
            "feedback_id": feedback_id, "size": "thumb"}


def signed_in_client(app, visitor):
    client = app.test_client()
    if visitor is not None:
        assert login(client, visitor).status_code == 302
    return client


def test_role_matrix_covers_every_admin_route(app, make_user):
    routes = admin_routes(app)
    assert {endpoint for endpoint, _, _ in routes} == set(ALLOWED_ROLES), \
        "a route under /admin is missing from ALLOWED_ROLES (or one listed there is gone)"
    for endpoint, _, _ in routes:  # the declaration on the view agrees with the matrix
        assert getattr(app.view_functions[endpoint], "required_roles", None) == ALLOWED_ROLES[endpoint], endpoint

    for role in ("editor", "moderator", "admin"):
        make_user(role, role)
    samples = matrix_samples(app, make_user)
    outcomes, expected = {}, {}
    for visitor in VISITORS:
        client = signed_in_client(app, visitor)
        token = csrf_token(client, "/login" if visitor is None else "/admin/")
        for endpoint, method, rule in routes:
            url = url_of(app, rule, samples)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token, **form_for(endpoint, visitor)})
            location = response.headers.get("Location", "")
            outcome = response.status_code
            if outcome == 302:
                outcome = "302 login" if location.startswith("/login") else f"302 {location}"
            outcomes[(visitor, method, url)] = outcome
            if endpoint == "admin.logout_own_sessions" and outcome == "302 login" and visitor:
                client = signed_in_client(app, visitor)  # that ended the session: a new one
                token = csrf_token(client, "/admin/")
            if visitor is None:
                expected[(visitor, method, url)] = "302 login"
            elif visitor not in ALLOWED_ROLES[endpoint]:
                expected[(visitor, method, url)] = 403
            else:
                expected[(visitor, method, url)] = (
                    f"302 /admin/uploads/{samples['upload_id']}" if endpoint == "upload_jobs.published"
                    else 200 if method == "GET" else "302 " + redirect_after_post(endpoint, samples))
    assert outcomes == expected


def test_every_admin_form_needs_its_csrf_token(app, client, make_user):
    make_user("boss", "admin", "editor")
    samples = matrix_samples(app, make_user)
    login(client, "boss")
    for endpoint, method, rule in admin_routes(app):
        if method == "POST":
            response = client.post(url_of(app, rule, samples), data=form_for(endpoint, "x"))
            assert response.status_code == 400, endpoint
    with app.app_context():
        with app.extensions["engine"].connect() as connection:
            assert accounts.get_user(connection, samples["user_id"]).is_active
            assert accounts.count_users(connection) == 2
            assert pending_uploads.get(connection, samples["upload_id"])["status"] == "pending"
            assert versions.latest_version_id(connection) == samples["version_id"]
            assert len(pending_uploads.recent(connection)) == 1


def test_dashboard_lists_the_areas_of_the_account_roles(client, make_user):
    make_user("aigul", "editor")
    make_user("boss", "admin")
    make_user("mira", "moderator")
    login(client, "aigul")
    page = text(client.get("/admin/"))
    assert "Your roles:" in page and "Editor" in page
    assert 'href="/admin/users"' not in page and 'href="/admin/upload"' in page and 'href="/admin/versions"' in page
    client.post("/logout", data={"csrf_token": csrf_token_in(page)})
    login(client, "mira")
    page = text(client.get("/admin/"))
    assert 'href="/admin/upload"' not in page and 'href="/admin/feedback"' in page
    client.post("/logout", data={"csrf_token": csrf_token_in(page)})
    login(client, "boss")
    page = text(client.get("/admin/"))
    assert 'href="/admin/users"' in page and 'href="/admin/audit"' in page
    assert 'href="/admin/upload"' not in page  # admin alone does not make an editor


@pytest.fixture()
def admin_client(client, make_user):
    make_user("boss", "admin", display_name="Bolat Admin")
    assert login(client, "boss").status_code == 302
    return client


def post_form(client, path, data, page="/admin/users"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def new_account(**overrides):
    return {"login": "Nurlan", "display_name": "Nurlan <b>Bek</b>", "password": ACCOUNT_PASSWORD,
            "password_again": ACCOUNT_PASSWORD, "roles": ["editor", "moderator"], **overrides}


def test_admin_adds_an_account_that_can_log_in(app, admin_client, engine):
    response = post_form(admin_client, "/admin/users", new_account())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = text(admin_client.get("/admin/users"))
    assert "Account nurlan created." in page
    assert "Nurlan &lt;b&gt;Bek&lt;/b&gt;" in page and "<b>Bek</b>" not in page
    with engine.connect() as connection:
        user = accounts.find_user(connection, "nurlan")
        entry = connection.execute(sa.select(audit_log).where(audit_log.c.action == "user_create")
                                   .order_by(audit_log.c.id.desc())).mappings().first()
    assert user.roles == {"editor", "moderator"} and user.display_name == "Nurlan <b>Bek</b>"
    assert entry["actor"] == "boss" and entry["details"]["roles"] == ["editor", "moderator"]
    other = app.test_client()
    assert login(other, "nurlan").headers["Location"] == "/admin/"


@pytest.mark.parametrize("overrides, message", [
    ({"password": "short", "password_again": "short"}, "The password must have at least 10 characters."),
    ({"password_again": "something else entirely"}, "The two passwords differ."),
    ({"login": "boss"}, "The login name boss is already taken."),
    ({"login": "has space"}, "A login name may only contain letters, digits and . _ - @"),
    ({"display_name": ""}, "Enter the person's name."),
    ({"roles": ["root"]}, "root is not a role; the roles are: admin, editor, moderator."),
])
def test_invalid_new_accounts_are_explained_at_the_field(admin_client, engine, overrides, message):
    response = post_form(admin_client, "/admin/users", new_account(**overrides))
    page = text(response)
    assert response.status_code == 400
    assert "The account was not created" in page and message in html.unescape(page)
    assert 'aria-invalid="true"' in page or 'aria-describedby="roles-errors"' in page
    assert ACCOUNT_PASSWORD not in page  # passwords are not sent back
    with engine.connect() as connection:
        assert accounts.count_users(connection) == 1


def test_admin_changes_roles_disables_enables_and_unlocks(app, admin_client, make_user, engine):
    user = make_user("aigul", "editor")
    response = post_form(admin_client, f"/admin/users/{user.id}/roles", {"roles": ["moderator"]})
    assert response.headers["Location"] == "/admin/users"
    assert "Roles of aigul saved." in text(admin_client.get("/admin/users"))
    post_form(admin_client, f"/admin/users/{user.id}/disable", {})
    page = text(admin_client.get("/admin/users"))
    assert "Account aigul disabled." in page and "Enable aigul" in page
    assert "This account is disabled." in text(login(app.test_client(), "aigul"))
    post_form(admin_client, f"/admin/users/{user.id}/enable", {})
    assert "Account aigul enabled." in text(admin_client.get("/admin/users"))

    app.config["LOGIN_MAX_FAILED_ATTEMPTS"] = 1
    locked_out = app.test_client()
    login(locked_out, "aigul", "wrong password")
    assert "Unlock aigul" in text(admin_client.get("/admin/users"))
    post_form(admin_client, f"/admin/users/{user.id}/unlock", {})
    assert "Account aigul unlocked." in text(admin_client.get("/admin/users"))
    assert login(locked_out, "aigul").status_code == 302
    with engine.connect() as connection:
        assert accounts.get_user(connection, user.id).roles == {"moderator"}
        actions = connection.execute(sa.select(audit_log.c.actor, audit_log.c.action)
                                     .where(audit_log.c.target_id == str(user.id))
                                     .where(audit_log.c.action.like("user_%"))
                                     .order_by(audit_log.c.id)).all()
    assert actions == [("test", "user_create"), ("boss", "user_roles"), ("boss", "user_disable"),
                       ("boss", "user_enable"), ("boss", "user_unlock")]


def test_admin_cannot_disable_themselves_or_drop_their_admin_role(admin_client, engine):
    with engine.connect() as connection:
        me = accounts.find_user(connection, "boss")
    page = text(admin_client.get("/admin/users"))
    assert f'action="/admin/users/{me.id}/disable"' not in page  # no button for it
    post_form(admin_client, f"/admin/users/{me.id}/disable", {})
    assert "You cannot disable your own account." in text(admin_client.get("/admin/users"))
    post_form(admin_client, f"/admin/users/{me.id}/roles", {"roles": ["editor"]})
    assert "You cannot remove your own admin role." in text(admin_client.get("/admin/users"))
    with engine.connect() as connection:
        me = accounts.get_user(connection, me.id)
    assert me.is_active and me.roles == {"admin"}


def test_changes_to_a_missing_account_say_so(admin_client):
    post_form(admin_client, "/admin/users/999/disable", {})
    assert "There is no such account." in text(admin_client.get("/admin/users"))


def record(engine, *entries):
    with engine.begin() as connection:
        for at, actor, action in entries:
            audit.record(connection, actor, action, "user", 1, {"note": "<i>x</i>"}, at=at)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<td class="dates">([^<]+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', page)


def test_audit_page_filters_by_action_actor_and_days(admin_client, engine):
    record(engine, ("2026-03-01T08:00:00+00:00", "aigul", "publish"),
           ("2026-03-02T08:00:00+00:00", "aigul", "rollback"),
           ("2026-03-03T08:00:00+00:00", "cli:root", "publish"),
           ("2026-03-04T08:00:00+00:00", "<b>bad</b>", "publish"))
    page = text(admin_client.get("/admin/audit?action=publish&actor=AIG"))
    assert rows_of(page) == [("2026-03-01 08:00:00", "aigul", "publish")]
    page = text(admin_client.get("/admin/audit?since=2026-03-02&until=2026-03-03"))
    assert [r[2] for r in rows_of(page)] == ["publish", "rollback"]
    assert 'value="2026-03-02"' in page and "Show everything" in page
    page = text(admin_client.get("/admin/audit?action=publish"))
    assert "&lt;b&gt;bad&lt;/b&gt;" in page and "<b>bad</b>" not in page and "&lt;i&gt;x&lt;/i&gt;" in page
    assert '<option value="publish" selected>' in page


def test_audit_page_explains_a_bad_date_and_ignores_it(admin_client, engine):
    record(engine, ("2026-03-01T08:00:00+00:00", "aigul", "publish"))
    response = admin_client.get("/admin/audit?since=yesterday")
    assert response.status_code == 200
    assert "yesterday is not a date; write it as YYYY-MM-DD." in text(response)
    assert ("2026-03-01 08:00:00", "aigul", "publish") in rows_of(text(response))


def test_audit_page_is_paginated_and_keeps_the_filters(admin_client, engine):
    record(engine, *[(f"2026-03-01T08:{minute:02d}:00+00:00", "aigul", "publish") for minute in range(55)])
    first = text(admin_client.get("/admin/audit?action=publish"))
    assert len(rows_of(first)) == 50 and "55 entries; page 1 of 2." in first
    assert rows_of(first)[0][0] == "2026-03-01 08:54:00"
    assert 'href="/admin/audit?page=2&amp;action=publish"' in first
    second = text(admin_client.get("/admin/audit?page=2&action=publish"))
    assert [r[0] for r in rows_of(second)] == [f"2026-03-01 08:0{m}:00" for m in range(4, -1, -1)]
    assert "Newer entries" in second and "Older entries" not in second
