"""accounts.sessions: the cookie's key, the lifetimes, and which changes end every session."""

import datetime as dt

import pytest
import sqlalchemy as sa

from accounts import sessions
from accounts import users as accounts
from core.schema import audit_log
from tests.helpers import ACCOUNT_PASSWORD

LOGGED_IN = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.timezone.utc)
POLICY = sessions.SessionPolicy(idle_minutes=60, max_hours=12)


def generation(engine, user_id: int) -> int:
    with engine.connect() as connection:
        return accounts.get_user(connection, user_id).session_generation


def last_audit(engine) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(audit_log).order_by(audit_log.c.id.desc())).mappings().first())


def test_the_key_names_the_account_and_its_generation():
    user = accounts.User(id=7, login="a", display_name="A", roles=frozenset(), is_active=True,
                         created_at="", failed_login_count=0, locked_until=None, last_login_at=None,
                         session_generation=3)
    assert sessions.session_key(user) == "7:3"
    assert sessions.parse_session_key("7:3") == (7, 3)
    for stale_or_forged in ("7", "", None, "7:", ":3", "7:x", "7:3:1", "-7:3", "7: 3"):
        assert sessions.parse_session_key(stale_or_forged) is None, stale_or_forged


def at(minutes: float) -> dt.datetime:
    return LOGGED_IN + dt.timedelta(minutes=minutes)


def stamp(moment: dt.datetime) -> str:
    return accounts.format_time(moment)


def test_idle_and_absolute_lifetimes():
    signed_in = stamp(LOGGED_IN)
    assert sessions.expiry(signed_in, signed_in, POLICY, at(59)) is None
    assert sessions.expiry(signed_in, signed_in, POLICY, at(60)) is sessions.Expiry.IDLE
    # used 10 minutes ago: alive, until 12 hours after logging in, however active
    assert sessions.expiry(signed_in, stamp(at(700)), POLICY, at(710)) is None
    assert sessions.expiry(signed_in, stamp(at(715)), POLICY, at(720)) is sessions.Expiry.ABSOLUTE
    with pytest.raises(ValueError):
        sessions.expiry("yesterday", signed_in, POLICY, at(1))


def test_each_change_of_the_account_raises_its_generation(engine, make_user):
    boss = make_user("boss", "admin")
    aigul = make_user("aigul", "editor")
    assert generation(engine, aigul.id) == 0
    steps = [
        lambda c: accounts.set_password(c, aigul.id, "another long password", actor="boss"),
        lambda c: accounts.set_roles(c, aigul.id, ["editor", "moderator"], actor="boss", acting_user_id=boss.id),
        lambda c: accounts.set_active(c, aigul.id, False, actor="boss", acting_user_id=boss.id),
        lambda c: accounts.set_active(c, aigul.id, True, actor="boss", acting_user_id=boss.id),
        lambda c: accounts.record_logout(c, accounts.get_user(c, aigul.id)),
        lambda c: sessions.logout_everywhere(c, aigul.id, actor="boss", client="10.0.0.1"),
    ]
    for expected, step in enumerate(steps, start=1):
        with engine.begin() as connection:
            step(connection)
        assert generation(engine, aigul.id) == expected
    assert generation(engine, boss.id) == 0  # nobody else's sessions end


def test_changes_that_change_nothing_end_no_session(engine, make_user):
    boss = make_user("boss", "admin")
    aigul = make_user("aigul", "editor")
    with engine.begin() as connection:
        accounts.set_roles(connection, aigul.id, ["editor"], actor="boss", acting_user_id=boss.id)
        accounts.set_active(connection, aigul.id, True, actor="boss", acting_user_id=boss.id)
        accounts.unlock(connection, aigul.id, actor="boss")
    assert generation(engine, aigul.id) == 0


def test_the_current_account_needs_the_current_generation(engine, make_user):
    aigul = make_user("aigul", "editor")
    key = sessions.session_key(aigul)
    with engine.connect() as connection:
        assert sessions.current_account(connection, key).login == "aigul"
        assert sessions.current_account(connection, str(aigul.id)) is None  # a cookie from before
        assert sessions.current_account(connection, "999:0") is None
    with engine.begin() as connection:
        sessions.logout_everywhere(connection, aigul.id, actor="aigul")
    with engine.connect() as connection:
        assert sessions.current_account(connection, key) is None
        assert sessions.current_account(connection, f"{aigul.id}:1").login == "aigul"
    with engine.begin() as connection:
        accounts.set_active(connection, aigul.id, False, actor="test")
    with engine.connect() as connection:
        assert sessions.current_account(connection, f"{aigul.id}:2") is None  # disabled


def test_logging_out_everywhere_is_audited(engine, make_user):
    aigul = make_user("aigul", "editor")
    with engine.begin() as connection:
        sessions.logout_everywhere(connection, aigul.id, actor="boss", client="10.0.0.1")
    entry = last_audit(engine)
    assert (entry["actor"], entry["action"], entry["target_id"]) == ("boss", "sessions_ended", str(aigul.id))
    assert entry["details"] == {"login": "aigul", "client": "10.0.0.1"}
    with pytest.raises(accounts.AccountError) as refused, engine.begin() as connection:
        sessions.logout_everywhere(connection, 999, actor="boss")
    assert refused.value.code == "no_such_user"


def test_changing_ones_own_password_needs_the_current_one(engine, make_user):
    aigul = make_user("aigul", "editor")
    with pytest.raises(accounts.AccountError) as refused, engine.begin() as connection:
        sessions.change_own_password(connection, aigul.id, "not my password", "brand new password")
    assert refused.value.code == "wrong_current_password"
    with pytest.raises(accounts.AccountError) as short, engine.begin() as connection:
        sessions.change_own_password(connection, aigul.id, ACCOUNT_PASSWORD, "short")
    assert short.value.code == "password_too_short"
    assert generation(engine, aigul.id) == 0
    with engine.begin() as connection:
        changed = sessions.change_own_password(connection, aigul.id, ACCOUNT_PASSWORD, "brand new password")
    assert changed.session_generation == 1
    entry = last_audit(engine)
    assert (entry["actor"], entry["action"]) == ("aigul", "user_password")
    with engine.begin() as connection:
        assert accounts.authenticate(connection, "aigul", "brand new password").ok
        assert not accounts.authenticate(connection, "aigul", ACCOUNT_PASSWORD).ok
