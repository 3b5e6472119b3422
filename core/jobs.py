"""The task queue (huey) made from the settings, and the settings themselves (no Flask).

Long work (validating an upload, publishing it) runs in a worker process, not in the web
request that asked for it. The queue needs no service by default: huey's SQLite storage, in a
file beside the database. With ``REDIS_URL`` it is Redis instead, which several servers can
share. ``JOBS_IMMEDIATE`` runs every task at once in the process that enqueues it (tests).

Tasks are registered on the instance by the feature that owns them (``budget.web.jobs``); the
worker is ``flask jobs worker`` (``create_consumer``), which runs them inside the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from huey import Huey, PriorityRedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

from core.settings import Setting

QUEUE_NAME = "open-budget-map"

SETTINGS: tuple[Setting, ...] = (
    Setting("JOBS_DATABASE", None, "SQLite file of the task queue (huey). Default: beside the "
            "database file (openbudget-jobs.sqlite3), or in the instance folder."),
    Setting("REDIS_URL", None, "Redis URL of the task queue instead of the SQLite file, e.g. "
            "redis://localhost:6379/0 (needs the redis package: pip install '.[redis]'). "
            "Use it when the web server and the workers run on several machines."),
    Setting("JOBS_WORKERS", 1, "Tasks one `flask jobs worker` runs at the same time (a worker "
            "process each)."),
    Setting("JOBS_MEMORY_LIMIT_MB", 2048, "Memory (address space) each worker process of "
            "`flask jobs worker` may use, in megabytes: a job needing more fails with \"the file "
            "needed more memory than allowed\". 0: no limit."),
    Setting("JOBS_TIME_LIMIT_SECONDS", 1800, "Longest a validation or publication may run, in "
            "seconds: it is then stopped and shown as failed; a worker process that cannot stop "
            "it is replaced. 0: no limit."),
    Setting("JOBS_STALE_MINUTES", 10, "A background job that has shown no sign of life for this "
            "many minutes (its worker was killed, or none is running) is shown as failed, with "
            "\"Try again\"."),
    Setting("JOBS_IMMEDIATE", False, "Run every job at once inside the web request that asks for "
            "it, with no worker (tests only: a large upload then meets the server's timeout)."),
)


def default_database(database_url: str, instance_path: str | Path) -> Path:
    """Beside the SQLite database file (so a test's temporary database has its own queue)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}-jobs.sqlite3")
    return Path(instance_path) / "jobs.sqlite3"


def make_huey(config: Mapping, instance_path: str | Path) -> Huey:
    """The queue the settings describe (results are not kept: jobs write to the database)."""
    if config.get("JOBS_IMMEDIATE"):
        return Huey(QUEUE_NAME, results=False, immediate=True)  # in-memory storage
    if config.get("REDIS_URL"):
        return PriorityRedisHuey(QUEUE_NAME, results=False, url=config["REDIS_URL"])
    path = config.get("JOBS_DATABASE") or default_database(config["DATABASE_URL"], instance_path)
    return SqliteHuey(QUEUE_NAME, results=False, filename=str(path))


def memory_limit_mb(config: Mapping) -> float:
    """Megabytes of address space per worker process (0: no limit)."""
    return max(0.0, float(config.get("JOBS_MEMORY_LIMIT_MB") or 0))


def time_limit_seconds(config: Mapping) -> float:
    """Seconds one job may run (0: no limit)."""
    return max(0.0, float(config.get("JOBS_TIME_LIMIT_SECONDS") or 0))


def stale_seconds(config: Mapping) -> float:
    return float(config.get("JOBS_STALE_MINUTES") or 10) * 60


def heartbeat_seconds(config: Mapping) -> float:
    """How often a running job says it is alive: well within the stale limit."""
    return max(1.0, min(30.0, stale_seconds(config) / 6))
