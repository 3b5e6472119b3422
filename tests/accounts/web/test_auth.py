"""Logging in and out: success, refusal, lockout, rate limit, CSRF, cookies and safe redirects."""

import pytest
import sqlalchemy as sa

from accounts import users as accounts
from accounts.web.auth import roles_required, safe_next
from core.schema import audit_log
from tests.helpers import ACCOUNT_PASSWORD, csrf_token, login


def audit_entries(engine, action):
    with engine.connect() as connection:
        rows = connection.execute(sa.select(audit_log).where(audit_log.c.action == action)
                                  .order_by(audit_log.c.id)).mappings()
        return [dict(row) for row in rows]


@pytest.fixture(autouse=True)
def english(app):
    """Pages in English (the msgids), whatever the catalogues hold; without a choice they are Kazakh."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_login_form_has_labels_and_a_csrf_token(client):
    response = client.get("/login")
    html = text(response)
    assert response.status_code == 200
    assert '<label for="login">Login name</label>' in html and '<label for="password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert csrf_token(client)


def test_right_password_logs_in_and_the_header_shows_the_account(client, make_user, engine):
    make_user("aigul", "editor", display_name="Aigul <Nurlanovna>")
    response = login(client, " AIGUL ")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    page = text(client.get("/admin/"))
    assert "Aigul &lt;Nurlanovna&gt;" in page and "<Nurlanovna>" not in page  # escaped
    assert "Log out" in page and 'action="/logout"' in page
    assert [e["actor"] for e in audit_entries(engine, "login")] == ["aigul"]


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(app, client, make_user):
    make_user("aigul", "editor")
    cookie = login(client, "aigul").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    secure_client = app.test_client()
    cookie = login(secure_client, "aigul").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_wrong_password_is_refused_with_one_message_for_every_cause(client, make_user, engine):
    make_user("aigul", "editor")
    for name, password in (("aigul", "wrong password"), ("nobody", ACCOUNT_PASSWORD)):
        response = login(client, name, password)
        assert response.status_code == 200
        assert "Wrong login name or password." in text(response)
        assert "wrong password" not in text(response)  # the password is not echoed back
    assert client.get("/admin/").status_code == 302
    failed = audit_entries(engine, "login_failed")
    assert [(e["details"]["login"], e["details"]["reason"]) for e in failed] == [
        ("aigul", "wrong_password"), ("nobody", "unknown_login")]
    assert all(e["details"]["client"] == "127.0.0.1" for e in failed)
    assert "wrong password" not in repr(failed) and ACCOUNT_PASSWORD not in repr(failed)


def test_empty_fields_are_named(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "login": "", "password": ""})
    assert response.status_code == 200
    assert "Enter your login name." in text(response) and "Enter your password." in text(response)


def test_disabled_account_cannot_log_in(client, make_user):
    make_user("aigul", "editor", active=False)
    response = login(client, "aigul")
    assert "This account is disabled." in text(response)
    assert client.get("/admin/").status_code == 302


def test_lockout_after_repeated_failures_refuses_the_right_password(app, client, make_user, engine):
    app.config.update(LOGIN_MAX_FAILED_ATTEMPTS=2, LOGIN_LOCKOUT_MINUTES=15)
    make_user("aigul", "editor")
    assert "Wrong login name or password." in text(login(client, "aigul", "wrong password"))
    locked = login(client, "aigul", "wrong password")
    assert "this account is locked. Try again in 15 minutes." in text(locked)
    refused = login(client, "aigul", ACCOUNT_PASSWORD)
    assert refused.status_code == 200 and "this account is locked" in text(refused)
    assert client.get("/admin/").status_code == 302
    assert [e["details"]["failed_attempts"] for e in audit_entries(engine, "lockout")] == [2]


def test_login_posts_are_rate_limited_per_address(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert login(client, "nobody", "wrong password").status_code == 200
    response = login(client, "nobody", "wrong password")
    assert response.status_code == 429
    assert "Too many attempts from your address in a short time." in text(response)
    assert "Retry-After" in response.headers
    assert client.get("/login").status_code == 200  # only submissions count
    other_address = client.post("/login", data={"csrf_token": csrf_token(client), "login": "x", "password": "y"},
                                environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 200


def test_rate_limit_can_be_turned_off(tmp_path):
    from app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "SECRET_KEY": "test", "RATELIMIT_ENABLED": False, "LOGIN_RATE_LIMIT": "1 per minute"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    client = app.test_client()
    assert [login(client, "nobody", "wrong").status_code for _ in range(3)] == [200, 200, 200]
    app.extensions["engine"].dispose()


def test_posts_without_a_csrf_token_are_refused(client, make_user):
    make_user("aigul", "editor")
    response = client.post("/login", data={"login": "aigul", "password": ACCOUNT_PASSWORD})
    assert response.status_code == 400 and "The form has expired" in text(response)
    response = client.post("/login", data={"csrf_token": "forged", "login": "aigul", "password": ACCOUNT_PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302  # not logged in


def test_logout_needs_a_post_with_its_token(client, make_user, engine):
    make_user("aigul", "editor")
    login(client, "aigul")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    token = csrf_token(client, "/admin/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You have logged out." in text(client.get("/login"))  # the form again, not a redirect
    assert client.get("/admin/").status_code == 302
    assert [e["actor"] for e in audit_entries(engine, "logout")] == ["aigul"]


def test_anonymous_visitors_are_sent_to_login_and_come_back(client, make_user):
    make_user("boss", "admin")
    response = client.get("/admin/users?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users?x%3D1"
    assert "Please log in to see this page." in text(client.get(response.headers["Location"]))
    back = login(client, "boss", next="/admin/users?x%3D1")
    assert back.headers["Location"] == "/admin/users?x=1"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "/\t/evil.example", "javascript:alert(1)", "evil.example", ""])
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("aigul", "editor")
    response = client.post("/login", query_string={"next": target},
                           data={"csrf_token": csrf_token(client), "login": "aigul", "password": ACCOUNT_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_safe_next_keeps_local_paths():
    assert safe_next("/facility/T1?year=2025#lines") == "/facility/T1?year=2025#lines"
    assert safe_next("/") == "/"
    assert safe_next("///evil.example") is None and safe_next(None) is None


def test_a_disabled_account_is_logged_out_at_its_next_request(client, make_user, engine):
    user = make_user("aigul", "editor")
    login(client, "aigul")
    assert client.get("/admin/").status_code == 200
    with engine.begin() as connection:
        accounts.set_active(connection, user.id, False, actor="test")
    assert client.get("/admin/").status_code == 302


def test_wrong_role_gets_a_403_page(client, make_user):
    make_user("aigul", "editor")
    login(client, "aigul")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Access denied" in text(response) and '<html lang="' in text(response)


def test_roles_required_needs_known_roles():
    with pytest.raises(ValueError):
        roles_required()
    with pytest.raises(ValueError):
        roles_required("root")
    assert roles_required("editor", "admin")(lambda: None).required_roles == {"editor", "admin"}


def test_logged_in_user_visiting_login_goes_to_the_workspace(client, make_user):
    make_user("aigul", "editor")
    login(client, "aigul")
    assert client.get("/login").headers["Location"] == "/admin/"
