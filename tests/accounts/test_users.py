"""Accounts: hashing, login names, roles, disabling, the lockout arithmetic and the audit trail."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from werkzeug.security import check_password_hash

from accounts import users as accounts
from accounts.users import AccountError, LockoutPolicy, LoginStatus
from core.db import make_engine, upgrade
from core.schema import audit_log, metadata, user_roles, users

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
POLICY = LockoutPolicy(max_failed_attempts=3, lock_minutes=15)


@pytest.fixture()
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'accounts.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def create(engine, login, *roles, password=PASSWORD, actor="test"):
    with engine.begin() as connection:
        return accounts.create_user(connection, login, password, display_name=login.title(),
                                    roles=roles, actor=actor, now=T0)


def attempt(engine, login, password, minutes=0.0, policy=POLICY):
    with engine.begin() as connection:
        return accounts.authenticate(connection, login, password, policy=policy, client="10.0.0.7",
                                     now=T0 + dt.timedelta(minutes=minutes))


def audit_entries(engine, action=None):
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if action:
        query = query.where(audit_log.c.action == action)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def stored_row(engine, user_id):
    with engine.connect() as connection:
        return connection.execute(sa.select(users).where(users.c.id == user_id)).one()


def test_migrations_create_exactly_the_declared_account_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "user" in repr(d)] == []


def test_a_new_account_stores_a_salted_hash_and_a_normalized_login(engine):
    user = create(engine, "  Aigul.N@akimat ", "editor", "moderator")
    other = create(engine, "bolat", "editor")
    row, other_row = stored_row(engine, user.id), stored_row(engine, other.id)
    assert user.login == "aigul.n@akimat"
    assert user.roles == frozenset({"editor", "moderator"}) and user.sorted_roles == ["editor", "moderator"]
    assert user.is_active and user.created_at == "2026-03-01T09:00:00+00:00"
    assert PASSWORD not in row.password_hash
    assert row.password_hash.startswith("scrypt:") and check_password_hash(row.password_hash, PASSWORD)
    assert row.password_hash != other_row.password_hash  # same password, different salt
    assert accounts.find_user(engine.connect(), "AIGUL.N@AKIMAT").id == user.id


def test_login_names_are_unique_whatever_the_case(engine):
    create(engine, "Aigul")
    with pytest.raises(AccountError) as caught:
        create(engine, " aigul ")
    assert caught.value.code == "login_taken"
    assert caught.value.message() == "The login name aigul is already taken."


@pytest.mark.parametrize("login, code", [
    ("", "login_required"), ("   ", "login_required"), ("has space", "login_characters"),
    ("cli:root", "login_characters"), ("x" * 101, "login_too_long"),
])
def test_bad_login_names_are_refused(engine, login, code):
    with pytest.raises(AccountError) as caught:
        create(engine, login)
    assert caught.value.code == code


def test_password_policy_needs_ten_characters(engine):
    with pytest.raises(AccountError) as caught:
        create(engine, "short", password="123456789")
    assert caught.value.message() == "The password must have at least 10 characters."
    assert create(engine, "exact", password="1234567890").login == "exact"
    with engine.connect() as connection:
        assert accounts.count_users(connection) == 1
    with pytest.raises(AccountError, match="at most 200"):
        create(engine, "novel", password="x" * 201)


def test_unknown_roles_are_refused(engine):
    with pytest.raises(AccountError, match="superuser is not a role; the roles are: admin, editor, moderator"):
        create(engine, "aigul", "superuser")


def test_the_database_refuses_an_unknown_role_too(engine):
    user = create(engine, "aigul")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(user_roles.insert().values(user_id=user.id, role="root"))


def test_right_password_logs_in_resets_failures_and_records_the_login(engine):
    user = create(engine, "aigul", "editor")
    assert attempt(engine, "aigul", "wrong password!").status is LoginStatus.BAD_CREDENTIALS
    assert stored_row(engine, user.id).failed_login_count == 1
    result = attempt(engine, " AIGUL ", PASSWORD, minutes=1)
    assert result.ok and result.user.id == user.id and result.user.roles == {"editor"}
    row = stored_row(engine, user.id)
    assert row.failed_login_count == 0 and row.locked_until is None
    assert row.last_login_at == "2026-03-01T09:01:00+00:00"
    failed, login = audit_entries(engine, "login_failed"), audit_entries(engine, "login")
    assert [(e["actor"], e["details"]) for e in failed] == [
        ("aigul", {"login": "aigul", "reason": "wrong_password", "client": "10.0.0.7", "attempt": 1})]
    assert [(e["actor"], e["target_id"], e["at"]) for e in login] == [
        ("aigul", str(user.id), "2026-03-01T09:01:00+00:00")]


def test_lockout_after_n_failures_holds_even_the_right_password_then_expires(engine):
    user = create(engine, "aigul", "editor")
    assert attempt(engine, "aigul", "wrong 1").status is LoginStatus.BAD_CREDENTIALS
    assert attempt(engine, "aigul", "wrong 2").status is LoginStatus.BAD_CREDENTIALS
    third = attempt(engine, "aigul", "wrong 3", minutes=2)
    assert third.status is LoginStatus.LOCKED
    assert third.locked_until == "2026-03-01T09:17:00+00:00"  # 15 minutes after the third failure
    during = attempt(engine, "aigul", PASSWORD, minutes=10)
    assert during.status is LoginStatus.LOCKED and not during.ok
    assert attempt(engine, "aigul", "wrong 4", minutes=16).locked_until == "2026-03-01T09:17:00+00:00"
    with engine.connect() as connection:
        assert accounts.get_user(connection, user.id).is_locked(T0 + dt.timedelta(minutes=16))
        assert not accounts.get_user(connection, user.id).is_locked(T0 + dt.timedelta(minutes=17))
    assert attempt(engine, "aigul", PASSWORD, minutes=17).ok  # the lock ends on the minute
    lockouts = audit_entries(engine, "lockout")
    assert [(e["actor"], e["details"]["locked_until"], e["details"]["failed_attempts"]) for e in lockouts] == [
        ("aigul", "2026-03-01T09:17:00+00:00", 3)]
    reasons = [e["details"]["reason"] for e in audit_entries(engine, "login_failed")]
    assert reasons == ["wrong_password"] * 3 + ["locked", "locked"]


def test_an_expired_lock_gives_a_fresh_series_of_attempts(engine):
    create(engine, "aigul")
    for _ in range(3):
        attempt(engine, "aigul", "wrong")
    assert attempt(engine, "aigul", "wrong", minutes=20).status is LoginStatus.BAD_CREDENTIALS
    assert attempt(engine, "aigul", "wrong", minutes=20).status is LoginStatus.BAD_CREDENTIALS
    again = attempt(engine, "aigul", "wrong", minutes=21)
    assert again.locked_until == "2026-03-01T09:36:00+00:00"


def test_unknown_login_and_disabled_account(engine):
    user = create(engine, "aigul", "editor")
    unknown = attempt(engine, "nobody", PASSWORD)
    assert unknown.status is LoginStatus.BAD_CREDENTIALS
    with engine.begin() as connection:
        accounts.set_active(connection, user.id, False, actor="test")
    assert attempt(engine, "aigul", "wrong password").status is LoginStatus.BAD_CREDENTIALS
    assert attempt(engine, "aigul", PASSWORD).status is LoginStatus.DISABLED
    entries = audit_entries(engine, "login_failed")
    assert [(e["actor"], e["target_id"], e["details"]["reason"]) for e in entries] == [
        ("anonymous", None, "unknown_login"), ("aigul", str(user.id), "wrong_password"),
        ("aigul", str(user.id), "disabled")]
    assert entries[0]["details"]["login"] == "nobody"


def test_no_password_ever_reaches_the_audit_log(engine):
    user = create(engine, "aigul", "admin")
    attempt(engine, "aigul", "my secret guess")
    attempt(engine, "aigul", PASSWORD)
    with engine.begin() as connection:
        accounts.set_password(connection, user.id, "a brand new password", actor="test")
    text = json.dumps(audit_entries(engine))
    assert "my secret guess" not in text and PASSWORD not in text and "a brand new password" not in text
    assert [e["action"] for e in audit_entries(engine)] == ["user_create", "login_failed", "login", "user_password"]


def test_set_password_checks_the_policy_and_lifts_a_lock(engine):
    user = create(engine, "aigul")
    for _ in range(3):
        attempt(engine, "aigul", "wrong")
    with engine.begin() as connection, pytest.raises(AccountError, match="at least 10"):
        accounts.set_password(connection, user.id, "short", actor="test")
    with engine.begin() as connection:
        accounts.set_password(connection, user.id, "a brand new password", actor="test")
    assert attempt(engine, "aigul", "a brand new password", minutes=1).ok
    assert not attempt(engine, "aigul", PASSWORD, minutes=1).ok


def test_roles_are_replaced_and_audited_with_before_and_after(engine):
    user = create(engine, "aigul", "editor")
    with engine.begin() as connection:
        changed = accounts.set_roles(connection, user.id, ["moderator", "editor"], actor="boss")
        unchanged = accounts.set_roles(connection, user.id, {"editor", "moderator"}, actor="boss")
    assert changed.roles == unchanged.roles == {"editor", "moderator"}
    entries = audit_entries(engine, "user_roles")
    assert [(e["actor"], e["details"]) for e in entries] == [
        ("boss", {"login": "aigul", "before": ["editor"], "after": ["editor", "moderator"]})]


def test_nobody_drops_their_own_admin_role_and_the_last_admin_stays(engine):
    first, second = create(engine, "first", "admin"), create(engine, "second", "admin", "editor")
    with engine.begin() as connection:
        with pytest.raises(AccountError) as own:
            accounts.set_roles(connection, first.id, ["editor"], actor="first", acting_user_id=first.id)
        assert own.value.code == "drop_own_admin"
        assert accounts.set_roles(connection, second.id, ["editor"], actor="first",
                                  acting_user_id=first.id).roles == {"editor"}
        with pytest.raises(AccountError) as last:
            accounts.set_roles(connection, first.id, [], actor="cli:root")
        assert last.value.code == "last_admin"


def test_disabling_refuses_yourself_and_the_last_active_admin(engine):
    admin, editor = create(engine, "boss", "admin"), create(engine, "aigul", "editor")
    spare = create(engine, "spare", "admin")
    with engine.begin() as connection:
        with pytest.raises(AccountError, match="your own account"):
            accounts.set_active(connection, admin.id, False, actor="boss", acting_user_id=admin.id)
        assert not accounts.set_active(connection, editor.id, False, actor="boss", acting_user_id=admin.id).is_active
        assert not accounts.set_active(connection, spare.id, False, actor="boss", acting_user_id=admin.id).is_active
        # A disabled admin does not count: boss is now the last active one.
        with pytest.raises(AccountError, match="At least one active account must keep the admin role"):
            accounts.set_active(connection, admin.id, False, actor="cli:root")
        assert accounts.set_active(connection, editor.id, True, actor="boss").is_active
    assert [(e["action"], e["details"]["login"]) for e in audit_entries(engine) if e["action"].startswith("user_")
            and e["action"] != "user_create"] == [
        ("user_disable", "aigul"), ("user_disable", "spare"), ("user_enable", "aigul")]


def test_unlock_lifts_the_lock_and_is_audited(engine):
    user = create(engine, "aigul")
    for _ in range(3):
        attempt(engine, "aigul", "wrong")
    with engine.begin() as connection:
        unlocked = accounts.unlock(connection, user.id, actor="boss")
        accounts.unlock(connection, user.id, actor="boss")  # nothing left to lift: no entry
    assert unlocked.locked_until is None and unlocked.failed_login_count == 0
    assert [e["actor"] for e in audit_entries(engine, "user_unlock")] == ["boss"]
    assert attempt(engine, "aigul", PASSWORD, minutes=1).ok


def test_a_change_and_its_audit_entry_are_one_transaction(engine):
    with pytest.raises(RuntimeError), engine.begin() as connection:
        accounts.create_user(connection, "aigul", PASSWORD, display_name="Aigul", roles=["editor"], actor="t")
        raise RuntimeError("the request failed after the write")
    with engine.connect() as connection:
        assert accounts.count_users(connection) == 0
    assert audit_entries(engine) == []


def test_changes_to_a_missing_account_are_refused(engine):
    with engine.begin() as connection, pytest.raises(AccountError, match="There is no such account."):
        accounts.set_roles(connection, 42, ["editor"], actor="t")
