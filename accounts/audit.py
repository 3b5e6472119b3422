"""The audit log: every write says who did what, in the same transaction as the write.

Written with ``record``; read, filtered and paged with ``search`` for the admins' page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from core.schema import audit_log


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def record(connection: sa.Connection, actor: str, action: str, target_type: str | None = None,
           target_id: object = None, details: dict | None = None, at: str | None = None) -> None:
    """Append one entry; call it inside the transaction of the write it describes."""
    connection.execute(audit_log.insert().values(
        at=at or utc_now(), actor=actor, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), details=details or {}))


@dataclass(frozen=True)
class AuditPage:
    """One page of audit entries, newest first, with what a pager needs."""

    entries: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def actions(connection: sa.Connection) -> list[str]:
    """Every action that occurs in the log, for the filter's choices."""
    return list(connection.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars())


def search(connection: sa.Connection, *, action: str | None = None, actor: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None, page: int = 1,
           per_page: int = 50) -> AuditPage:
    """Entries matching every given filter; ``actor`` matches part of the name, any case;
    ``since`` and ``until`` are UTC days, both included."""
    conditions = []
    if action:
        conditions.append(audit_log.c.action == action)
    if actor:
        escaped = actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(sa.func.lower(audit_log.c.actor).like(f"%{escaped}%", escape="\\"))
    if since:
        conditions.append(audit_log.c.at >= since.isoformat())
    if until:  # ISO text sorts as time: before the next day's first second
        conditions.append(audit_log.c.at < (until + dt.timedelta(days=1)).isoformat())
    total = connection.execute(sa.select(sa.func.count()).select_from(audit_log).where(*conditions)).scalar()
    page = min(max(1, page), max(1, -(-total // per_page)))  # past the end: the last page
    rows = connection.execute(sa.select(audit_log).where(*conditions)
                              .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).mappings().all()
    return AuditPage(entries=[dict(row) for row in rows], total=total, page=page, per_page=per_page)
