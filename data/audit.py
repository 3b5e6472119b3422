"""The audit log: every write says who did what, in the same transaction as the write."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data.schema import audit_log


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def record(connection: sa.Connection, actor: str, action: str, target_type: str | None = None,
           target_id: object = None, details: dict | None = None, at: str | None = None) -> None:
    """Append one entry; call it inside the transaction of the write it describes."""
    connection.execute(audit_log.insert().values(
        at=at or utc_now(), actor=actor, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), details=details or {}))
