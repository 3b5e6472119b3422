"""Officials' accounts: create, re-role, disable, change passwords, and check a login.

Plain functions on a SQLAlchemy connection, shared by the web pages and the CLI. Each write
records an audit entry in the same transaction (the caller owns the transaction: use
``engine.begin()``). Rules kept here, not in views:

- login names are compared stripped and in lower case;
- a password has at least ``MIN_PASSWORD_LENGTH`` characters and is stored only as a
  werkzeug hash;
- after ``LockoutPolicy.max_failed_attempts`` wrong passwords in a row the account is locked
  for ``LockoutPolicy.lock_minutes``; while locked even the right password is refused, and the
  attempts made during the lock do not extend it (so nobody can keep an account locked forever
  by hammering it; the rate limit on the login form slows that down);
- nobody disables themselves or drops their own admin role, and the last active admin stays;
- a new password, a role change and disabling end every open session of the account (its
  ``session_generation`` goes up; ``accounts.sessions`` has the rest of the session rules).

Errors are ``AccountError`` with a message template marked for translation (see
``data/messages.py`` for why ``data/`` marks instead of translating).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from accounts import audit
from core.errors import N_
from core.schema import ROLES, user_roles, users

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # hashing cost grows with length: refuse novels
MAX_LOGIN_LENGTH = 100
LOGIN_PATTERN = re.compile(r"[\w.@-]+")  # no ':' so a login never looks like "cli:<user>"

ACCOUNT_MESSAGES: dict[str, str] = {
    "login_required": N_("Enter a login name."),
    "login_too_long": N_("A login name has at most %(limit)s characters."),
    "login_characters": N_("A login name may only contain letters, digits and . _ - @"),
    "login_taken": N_("The login name %(login)s is already taken."),
    "name_required": N_("Enter the person's name."),
    "password_too_short": N_("The password must have at least %(limit)s characters."),
    "password_too_long": N_("The password must have at most %(limit)s characters."),
    "unknown_role": N_("%(role)s is not a role; the roles are: %(allowed)s."),
    "no_such_user": N_("There is no such account."),
    "disable_self": N_("You cannot disable your own account."),
    "drop_own_admin": N_("You cannot remove your own admin role."),
    "last_admin": N_("At least one active account must keep the admin role."),
    "wrong_current_password": N_("The current password is wrong."),
}


class AccountError(ValueError):
    """A refused account change; ``message()`` is the English text, ``template`` translates."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(self.message())

    @property
    def template(self) -> str:
        return ACCOUNT_MESSAGES[self.code]

    def message(self) -> str:
        return self.template % self.params


@dataclass(frozen=True)
class LockoutPolicy:
    max_failed_attempts: int = 5
    lock_minutes: int = 15


@dataclass(frozen=True)
class User:
    """An account as pages and commands see it (never with the password hash)."""

    id: int
    login: str
    display_name: str
    roles: frozenset[str]
    is_active: bool
    created_at: str
    failed_login_count: int
    locked_until: str | None
    last_login_at: str | None
    session_generation: int = 0

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and parse_time(self.locked_until) > (now or utc_now())

    @property
    def sorted_roles(self) -> list[str]:
        return [role for role in ROLES if role in self.roles]


class LoginStatus(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"  # unknown login or wrong password: told apart only in the log
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    status: LoginStatus
    user: User | None = None
    locked_until: str | None = None  # set when LOCKED

    @property
    def ok(self) -> bool:
        return self.status is LoginStatus.OK


# ---------------------------------------------------------------- time

def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# ---------------------------------------------------------------- checks

def normalize_login(login: str) -> str:
    """The stored form of a login name: stripped, lower case, checked."""
    normalized = (login or "").strip().lower()
    if not normalized:
        raise AccountError("login_required")
    if len(normalized) > MAX_LOGIN_LENGTH:
        raise AccountError("login_too_long", limit=MAX_LOGIN_LENGTH)
    if not LOGIN_PATTERN.fullmatch(normalized):
        raise AccountError("login_characters")
    return normalized


def check_password_policy(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", limit=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_too_long", limit=MAX_PASSWORD_LENGTH)


def check_roles(roles) -> frozenset[str]:
    chosen = frozenset(roles)
    for role in sorted(chosen):
        if role not in ROLES:
            raise AccountError("unknown_role", role=role, allowed=", ".join(ROLES))
    return chosen


def hash_password(password: str) -> str:
    check_password_policy(password)
    return generate_password_hash(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown logins against, so they take as long as a wrong password."""
    return generate_password_hash("not the password of anybody")


# ---------------------------------------------------------------- reading

def _roles_of(connection: sa.Connection, user_ids: list[int]) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    if user_ids:
        rows = connection.execute(sa.select(user_roles.c.user_id, user_roles.c.role)
                                  .where(user_roles.c.user_id.in_(user_ids)))
        for user_id, role in rows:
            roles[user_id].add(role)
    return roles


def _user_from_row(row, roles: set[str]) -> User:
    return User(id=row.id, login=row.login, display_name=row.display_name, roles=frozenset(roles),
                is_active=bool(row.is_active), created_at=row.created_at,
                failed_login_count=row.failed_login_count, locked_until=row.locked_until,
                last_login_at=row.last_login_at, session_generation=row.session_generation)


_USER_COLUMNS = [c for c in users.c if c.name != "password_hash"]


def get_user(connection: sa.Connection, user_id: int) -> User | None:
    row = connection.execute(sa.select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return None if row is None else _user_from_row(row, _roles_of(connection, [row.id])[row.id])


def find_user(connection: sa.Connection, login: str) -> User | None:
    """The account with this login name (normalized first), or None."""
    try:
        normalized = normalize_login(login)
    except AccountError:
        return None
    row = connection.execute(sa.select(*_USER_COLUMNS).where(users.c.login == normalized)).first()
    return None if row is None else _user_from_row(row, _roles_of(connection, [row.id])[row.id])


def list_users(connection: sa.Connection) -> list[User]:
    rows = connection.execute(sa.select(*_USER_COLUMNS).order_by(users.c.login)).all()
    roles = _roles_of(connection, [row.id for row in rows])
    return [_user_from_row(row, roles[row.id]) for row in rows]


def count_users(connection: sa.Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(users)).scalar()


def _require(connection: sa.Connection, user_id: int) -> User:
    user = get_user(connection, user_id)
    if user is None:
        raise AccountError("no_such_user")
    return user


def _other_active_admins(connection: sa.Connection, user_id: int) -> int:
    query = (sa.select(sa.func.count()).select_from(users.join(user_roles))
             .where(user_roles.c.role == "admin", users.c.is_active, users.c.id != user_id))
    return connection.execute(query).scalar()


# ---------------------------------------------------------------- writing

# Added to an update of an account: every session signed in before it is refused from then on.
END_SESSIONS = {"session_generation": users.c.session_generation + 1}


def create_user(connection: sa.Connection, login: str, password: str, *, display_name: str,
                roles=(), actor: str, now: dt.datetime | None = None) -> User:
    """Add an active account; refuses a taken login, a short password or an unknown role."""
    normalized = normalize_login(login)
    display_name = (display_name or "").strip()[:200]
    if not display_name:
        raise AccountError("name_required")
    chosen = check_roles(roles)
    password_hash = hash_password(password)
    if connection.execute(sa.select(users.c.id).where(users.c.login == normalized)).first():
        raise AccountError("login_taken", login=normalized)
    user_id = connection.execute(users.insert().values(
        login=normalized, display_name=display_name, password_hash=password_hash,
        is_active=True, created_at=format_time(now or utc_now()))).inserted_primary_key[0]
    if chosen:
        connection.execute(user_roles.insert(), [{"user_id": user_id, "role": r} for r in sorted(chosen)])
    audit.record(connection, actor, "user_create", "user", user_id,
                 {"login": normalized, "display_name": display_name, "roles": sorted(chosen)})
    return get_user(connection, user_id)


def set_roles(connection: sa.Connection, user_id: int, roles, *, actor: str,
              acting_user_id: int | None = None) -> User:
    """Replace a user's roles. ``acting_user_id`` is the account making the change, if any."""
    user = _require(connection, user_id)
    chosen = check_roles(roles)
    if user.has_role("admin") and "admin" not in chosen:
        if acting_user_id == user_id:
            raise AccountError("drop_own_admin")
        if user.is_active and not _other_active_admins(connection, user_id):
            raise AccountError("last_admin")
    if chosen == user.roles:
        return user
    connection.execute(user_roles.delete().where(user_roles.c.user_id == user_id))
    connection.execute(users.update().where(users.c.id == user_id).values(**END_SESSIONS))
    if chosen:
        connection.execute(user_roles.insert(), [{"user_id": user_id, "role": r} for r in sorted(chosen)])
    audit.record(connection, actor, "user_roles", "user", user_id,
                 {"login": user.login, "before": user.sorted_roles, "after": sorted(chosen)})
    return _require(connection, user_id)


def set_active(connection: sa.Connection, user_id: int, active: bool, *, actor: str,
               acting_user_id: int | None = None) -> User:
    """Disable an account (it can no longer log in; open sessions end) or enable it again."""
    user = _require(connection, user_id)
    if not active:
        if acting_user_id == user_id:
            raise AccountError("disable_self")
        if user.has_role("admin") and user.is_active and not _other_active_admins(connection, user_id):
            raise AccountError("last_admin")
    if user.is_active == active:
        return user
    connection.execute(users.update().where(users.c.id == user_id).values(is_active=active, **END_SESSIONS))
    audit.record(connection, actor, "user_enable" if active else "user_disable", "user", user_id,
                 {"login": user.login})
    return _require(connection, user_id)


def unlock(connection: sa.Connection, user_id: int, *, actor: str) -> User:
    """Lift a lockout and forget the failed attempts, so an official can try again at once."""
    user = _require(connection, user_id)
    if user.locked_until is None and not user.failed_login_count:
        return user
    connection.execute(users.update().where(users.c.id == user_id).values(
        failed_login_count=0, locked_until=None))
    audit.record(connection, actor, "user_unlock", "user", user_id,
                 {"login": user.login, "locked_until": user.locked_until})
    return _require(connection, user_id)


def set_password(connection: sa.Connection, user_id: int, password: str, *, actor: str) -> None:
    """Give an account a new password (and lift a lockout, end its sessions); never logged."""
    user = _require(connection, user_id)
    connection.execute(users.update().where(users.c.id == user_id).values(
        password_hash=hash_password(password), failed_login_count=0, locked_until=None, **END_SESSIONS))
    audit.record(connection, actor, "user_password", "user", user_id, {"login": user.login})


def check_current_password(connection: sa.Connection, user_id: int, password: str) -> None:
    """Refuse (AccountError) unless ``password`` is the account's: before it changes its own."""
    stored = connection.execute(sa.select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    if stored is None:
        raise AccountError("no_such_user")
    if not check_password_hash(stored, password or ""):
        raise AccountError("wrong_current_password")


# ---------------------------------------------------------------- logging in

def authenticate(connection: sa.Connection, login: str, password: str, *,
                 policy: LockoutPolicy = LockoutPolicy(), client: str | None = None,
                 now: dt.datetime | None = None) -> LoginResult:
    """Check a login attempt, update the failure count or lock, and log the outcome.

    ``client`` (the IP address) goes into the audit entry; the password never does.
    """
    now = now or utc_now()
    attempted = (login or "").strip().lower()[:MAX_LOGIN_LENGTH]
    row = connection.execute(sa.select(users).where(users.c.login == attempted)).first() if attempted else None

    def failed(reason: str, target_id=None, **extra) -> None:
        actor = row.login if row is not None else "anonymous"
        audit.record(connection, actor, "login_failed", "user", target_id,
                     {"login": attempted, "reason": reason, "client": client, **extra},
                     at=format_time(now))

    if row is None:
        check_password_hash(_dummy_hash(), password or "")
        failed("unknown_login")
        return LoginResult(LoginStatus.BAD_CREDENTIALS)
    if row.locked_until and parse_time(row.locked_until) > now:
        failed("locked", row.id, locked_until=row.locked_until)
        return LoginResult(LoginStatus.LOCKED, locked_until=row.locked_until)
    # A lock that has run out gives a fresh series of attempts.
    failures = 0 if row.locked_until else row.failed_login_count
    if not check_password_hash(row.password_hash, password or ""):
        failures += 1
        if failures >= policy.max_failed_attempts:
            locked_until = format_time(now + dt.timedelta(minutes=policy.lock_minutes))
            connection.execute(users.update().where(users.c.id == row.id).values(
                failed_login_count=0, locked_until=locked_until))
            failed("wrong_password", row.id, attempt=failures)
            audit.record(connection, row.login, "lockout", "user", row.id,
                         {"login": row.login, "locked_until": locked_until,
                          "failed_attempts": failures, "client": client}, at=format_time(now))
            return LoginResult(LoginStatus.LOCKED, locked_until=locked_until)
        connection.execute(users.update().where(users.c.id == row.id).values(
            failed_login_count=failures, locked_until=None))
        failed("wrong_password", row.id, attempt=failures)
        return LoginResult(LoginStatus.BAD_CREDENTIALS)
    if not row.is_active:
        failed("disabled", row.id)
        return LoginResult(LoginStatus.DISABLED)
    connection.execute(users.update().where(users.c.id == row.id).values(
        failed_login_count=0, locked_until=None, last_login_at=format_time(now)))
    audit.record(connection, row.login, "login", "user", row.id, {"client": client}, at=format_time(now))
    return LoginResult(LoginStatus.OK, user=get_user(connection, row.id))


def record_logout(connection: sa.Connection, user: User, *, client: str | None = None) -> None:
    """Logging out ends every session of the account: a copied cookie dies with this one."""
    connection.execute(users.update().where(users.c.id == user.id).values(**END_SESSIONS))
    audit.record(connection, user.login, "logout", "user", user.id, {"client": client})
