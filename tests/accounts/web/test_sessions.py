"""Revocable logins on the web: a copied session cookie dies with each change that ends the
account's sessions; idle and absolute lifetimes; the Secure attribute on HTTPS."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from accounts import sessions
from accounts import users as accounts
from app import create_app
from core.schema import audit_log
from tests.helpers import ACCOUNT_PASSWORD, csrf_token, csrf_token_in, login

PAGE = "/admin/feedback"  # the review's example: the moderation queue


@pytest.fixture(autouse=True)
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def cookie_header(client) -> str:
    """The Cookie header the client sends, as an attacker would copy it from a browser."""
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.request.headers["Cookie"]


def replay(app, header: str, path: str = PAGE):
    """``header`` sent from a fresh client that never logged in (and keeps no cookie jar, which
    would replace the header)."""
    return app.test_client(use_cookies=False).get(path, headers={"Cookie": header})


def refused(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def post(client, path: str, data: dict | None = None, page: str = "/admin/"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})})


def user_id(engine, login_name: str) -> int:
    with engine.connect() as connection:
        return accounts.find_user(connection, login_name).id


@pytest.fixture()
def mira(app, make_user):
    """A moderator signed in, and a copy of her cookie that works until her sessions end."""
    make_user("mira", "moderator")
    client = signed_in(app, "mira")
    header = cookie_header(client)
    assert replay(app, header).status_code == 200  # the copy works while the session lives
    return client, header


def test_a_copied_cookie_dies_at_logout(app, mira):
    client, header = mira
    assert post(client, "/logout").status_code == 302
    assert refused(replay(app, header))


def test_a_cookie_from_before_generations_is_refused(app, client, engine, mira):
    with client.session_transaction() as session:  # what the cookie held before: the id alone
        session["_user_id"] = str(user_id(engine, "mira"))
    assert refused(client.get(PAGE))


def test_a_copied_cookie_dies_when_the_password_changes_on_the_web(app, mira):
    client, header = mira
    response = post(client, "/admin/account/password", {
        "current_password": ACCOUNT_PASSWORD, "password": "a brand new password",
        "password_again": "a brand new password"}, page="/admin/account")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/account"
    assert "Every other session of your account has ended." in text(client.get("/admin/account"))
    assert refused(replay(app, header))
    assert client.get(PAGE).status_code == 200  # the browser that changed it stays signed in


def test_a_wrong_current_password_changes_nothing(app, mira):
    client, header = mira
    response = post(client, "/admin/account/password", {
        "current_password": "not my password", "password": "a brand new password",
        "password_again": "a brand new password"}, page="/admin/account")
    assert response.status_code == 400 and "The current password is wrong." in text(response)
    assert replay(app, header).status_code == 200
    assert login(app.test_client(), "mira").status_code == 302  # the old password still works


def test_a_copied_cookie_dies_when_the_cli_sets_a_password(app, runner, mira):
    _, header = mira
    result = runner.invoke(args=["users", "set-password", "mira", "--password-stdin"],
                           input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert refused(replay(app, header))


def test_a_copied_cookie_dies_when_the_roles_change(app, make_user, engine, mira):
    _, header = mira
    make_user("boss", "admin")
    admin = signed_in(app, "boss")
    response = post(admin, f"/admin/users/{user_id(engine, 'mira')}/roles",
                    {"roles": ["moderator", "editor"]}, page="/admin/users")
    assert response.status_code == 302
    assert refused(replay(app, header))
    assert signed_in(app, "mira").get(PAGE).status_code == 200  # she logs in again with her new roles


def test_an_admin_changing_their_own_roles_stays_signed_in(app, make_user, engine):
    boss = make_user("boss", "admin")
    admin = signed_in(app, "boss")
    header = cookie_header(admin)
    response = post(admin, f"/admin/users/{boss.id}/roles", {"roles": ["admin", "editor"]}, page="/admin/users")
    assert response.status_code == 302
    assert refused(replay(app, header, "/admin/users"))
    assert admin.get("/admin/users").status_code == 200


def test_a_copied_cookie_dies_when_the_account_is_disabled_and_stays_dead_after_enabling(
        app, runner, mira):
    _, header = mira
    assert runner.invoke(args=["users", "disable", "mira"]).exit_code == 0
    assert refused(replay(app, header))
    assert runner.invoke(args=["users", "enable", "mira"]).exit_code == 0
    assert refused(replay(app, header))


def test_log_out_everywhere_ends_every_device(app, engine, mira):
    laptop, header = mira
    phone = signed_in(app, "mira")
    assert "Log out everywhere" in text(laptop.get("/admin/account"))
    response = post(laptop, "/admin/account/logout-everywhere", page="/admin/account")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You have logged out on every device and browser." in text(laptop.get("/login"))
    assert refused(laptop.get(PAGE)) and refused(phone.get(PAGE)) and refused(replay(app, header))
    with engine.connect() as connection:
        entry = connection.execute(sa.select(audit_log).order_by(audit_log.c.id.desc())).mappings().first()
    assert (entry["actor"], entry["action"]) == ("mira", "sessions_ended")


def test_logging_out_on_one_device_ends_the_others(app, mira):
    laptop, _ = mira
    phone = signed_in(app, "mira")
    post(laptop, "/logout")
    response = phone.get(PAGE)
    assert refused(response)
    page = text(phone.get(response.headers["Location"]))
    assert "You were signed out because this account logged out" in page


def test_an_admin_logs_another_account_out_everywhere(app, make_user, engine, mira):
    _, header = mira
    make_user("boss", "admin")
    admin = signed_in(app, "boss")
    page = text(admin.get("/admin/users"))
    target = user_id(engine, "mira")
    assert f'action="/admin/users/{target}/logout-everywhere"' in page
    response = post(admin, f"/admin/users/{target}/logout-everywhere", page="/admin/users")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert refused(replay(app, header))
    assert admin.get("/admin/users").status_code == 200  # the admin's own session goes on
    audit_page = text(admin.get("/admin/audit?action=sessions_ended"))
    assert "Logged out everywhere" in audit_page and "boss" in audit_page
    # the other words in the log too
    assert "Logged in" in text(admin.get("/admin/audit?action=login"))


def test_only_an_admin_logs_another_account_out(app, make_user, engine, mira):
    _, header = mira
    make_user("aigul", "editor")
    editor = signed_in(app, "aigul")
    response = post(editor, f"/admin/users/{user_id(engine, 'mira')}/logout-everywhere")
    assert response.status_code == 403
    assert replay(app, header).status_code == 200


def test_the_cli_logs_an_account_out_everywhere(app, runner, engine, mira):
    _, header = mira
    result = runner.invoke(args=["users", "logout-everywhere", "MIRA", "--user", "akimat:root"])
    assert result.exit_code == 0 and "Every session of mira has ended." in result.output
    assert refused(replay(app, header))
    with engine.connect() as connection:
        entry = connection.execute(sa.select(audit_log).order_by(audit_log.c.id.desc())).mappings().first()
    assert (entry["actor"], entry["action"], entry["details"]["login"]) == ("akimat:root", "sessions_ended", "mira")
    unknown = runner.invoke(args=["users", "logout-everywhere", "nobody"])
    assert unknown.exit_code == 1 and "There is no account 'nobody'." in unknown.output


# ---------------------------------------------------------------- lifetimes

@pytest.fixture()
def clock(monkeypatch):
    """Move the sessions' clock on: ``clock(minutes)`` after the real now."""
    start = accounts.utc_now()

    def move(minutes: float) -> None:
        monkeypatch.setattr(sessions, "now", lambda: start + dt.timedelta(minutes=minutes))

    move(0)
    return move


def test_an_idle_session_ends_with_a_clear_message_and_comes_back_to_the_page(app, clock, mira):
    client, _ = mira
    clock(59)
    assert client.get(PAGE).status_code == 200
    clock(59 + 60)
    response = client.get(f"{PAGE}?status=new")
    assert refused(response)
    assert response.headers["Location"] == "/login?next=/admin/feedback?status%3Dnew"
    page = text(client.get(response.headers["Location"]))
    assert "You were signed out after 60 minutes without activity. Please log in again." in page
    again = login(client, "mira", next="/admin/feedback?status%3Dnew")
    assert again.headers["Location"] == "/admin/feedback?status=new"


def test_the_idle_limit_is_a_setting(app, clock, mira):
    client, _ = mira
    app.config["SESSION_IDLE_MINUTES"] = 5
    clock(6)
    response = client.get(PAGE)
    assert refused(response)
    assert "after 5 minutes without activity" in text(client.get(response.headers["Location"]))


def test_an_active_session_still_ends_after_the_longest_lifetime(app, clock, mira):
    client, _ = mira
    for minutes in range(50, 12 * 60, 50):  # a request every 50 minutes keeps it from idling
        clock(minutes)
        assert client.get(PAGE).status_code == 200, minutes
    clock(12 * 60)
    response = client.get(PAGE)
    assert refused(response)
    page = text(client.get(response.headers["Location"]))
    assert "a session lasts at most 12 hours after logging in" in page


def test_an_expired_session_is_refused_when_its_stored_times_are_old(app, mira):
    client, _ = mira
    with client.session_transaction() as session:
        session["_seen_at"] = accounts.format_time(accounts.utc_now() - dt.timedelta(hours=2))
    assert refused(client.get(PAGE))


def test_a_form_sent_after_expiry_is_offered_again_after_logging_in(app, make_user, engine, clock):
    make_user("boss", "admin")
    target = make_user("aigul", "editor")
    client = signed_in(app, "boss")
    token = csrf_token(client, "/admin/users")
    clock(61)
    response = client.post(f"/admin/users/{target.id}/roles",
                           data={"csrf_token": token, "roles": ["editor", "moderator"]},
                           headers={"Referer": "http://localhost/admin/users"})
    assert response.headers["Location"] == "/login?next=/admin/users"
    with engine.connect() as connection:
        assert accounts.get_user(connection, target.id).roles == {"editor"}  # nothing saved
    after_login = login(client, "boss", next="/admin/users")
    assert after_login.headers["Location"] == "/login/unsent?next=/admin/users"
    page = text(client.get(after_login.headers["Location"]))
    assert f'action="/admin/users/{target.id}/roles"' in page
    assert re.findall(r'<input type="hidden" name="roles" value="(\w+)">', page) == ["editor", "moderator"]
    assert 'href="/admin/users"' in page
    resent = client.post(f"/admin/users/{target.id}/roles",
                         data={"csrf_token": csrf_token_in(page), "roles": ["editor", "moderator"]})
    assert resent.headers["Location"] == "/admin/users"
    with engine.connect() as connection:
        assert accounts.get_user(connection, target.id).roles == {"editor", "moderator"}
    assert client.get("/login/unsent").headers["Location"] == "/admin/"  # offered once


def test_a_password_is_never_kept_for_sending_again(app, make_user, clock):
    make_user("boss", "admin")
    client = signed_in(app, "boss")
    token = csrf_token(client, "/admin/users")
    clock(61)
    client.post("/admin/users", data={"csrf_token": token, "login": "new", "display_name": "New One",
                                      "password": "secret password 1", "password_again": "secret password 1"})
    with client.session_transaction() as session:
        assert session["_unsent_form"]["fields"] == [["login", "new"], ["display_name", "New One"]]
    page = text(client.get(login(client, "boss").headers["Location"]))
    assert "New One" in page and "secret password 1" not in page


# ---------------------------------------------------------------- the Secure attribute

def session_cookie(response) -> str:
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookie


def test_the_cookie_is_secure_on_https_and_not_on_plain_http(app, make_user):
    make_user("mira", "moderator")
    for base_url, secure in (("https://localhost", True), ("http://localhost", False)):
        client = app.test_client()
        form = client.get("/login", base_url=base_url)
        assert ("; Secure" in session_cookie(form)) is secure  # the CSRF token's cookie already
        response = client.post("/login", base_url=base_url, headers={"Referer": f"{base_url}/login"}, data={
            "csrf_token": csrf_token_in(text(form)), "login": "mira", "password": ACCOUNT_PASSWORD})
        assert response.status_code == 302  # on HTTPS Flask-WTF also checks the Referer
        assert ("; Secure" in session_cookie(response)) is secure, base_url


def test_the_setting_makes_it_secure_on_plain_http_too(app, make_user):
    make_user("mira", "moderator")
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "; Secure" in session_cookie(login(app.test_client(), "mira"))


def test_behind_a_trusted_proxy_x_forwarded_proto_makes_it_secure(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "TRUSTED_PROXY_COUNT": 1})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    try:
        client = app.test_client()
        forwarded = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
        plain = app.test_client().get("/login")
        assert "; Secure" in session_cookie(forwarded)
        assert "; Secure" not in session_cookie(plain)
    finally:
        app.extensions["engine"].dispose()


def test_changing_the_password_does_not_extend_the_session(app, clock, mira):
    client, _ = mira
    app.config["SESSION_IDLE_MINUTES"] = 24 * 60  # only the longest lifetime counts here
    clock(11 * 60 + 50)
    response = post(client, "/admin/account/password", {
        "current_password": ACCOUNT_PASSWORD, "password": "a brand new password",
        "password_again": "a brand new password"}, page="/admin/account")
    assert response.headers["Location"] == "/admin/account"
    assert client.get(PAGE).status_code == 200
    clock(12 * 60)
    assert refused(client.get(PAGE))
