"""The feedback limit holds across workers: two apps on one database file stand for two
gunicorn workers (each with its own in-memory Flask-Limiter counts), and the database counts
for both. With REDIS_URL, Flask-Limiter's counts are kept there (and in memory while it is down)."""

import pytest
import sqlalchemy as sa

from accounts.web.auth import rate_limit_storage
from app import create_app
from core.schema import feedback
from tests.feedback.web.test_submit import send, text
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token

WORKER_SETTINGS = {"TESTING": True, "SECRET_KEY": "test", "TILES_URL": "", "JOBS_IMMEDIATE": True,
                   "BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture()
def two_workers(tmp_path, geography):
    """Two apps on one database, as two gunicorn workers are; a facility published."""
    from budget.publish import import_budget_file

    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    apps = [create_app({**WORKER_SETTINGS, "DATABASE_URL": database}) for _ in range(2)]
    assert apps[0].test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert import_budget_file(apps[0].extensions["engine"], budget_csv(*GOOD_ROWS), "a.csv", geography.districts,
                              actor="test").ok
    yield apps
    for app in apps:
        app.extensions["engine"].dispose()


def stored_texts(app) -> list[str]:
    with app.extensions["engine"].connect() as connection:
        return list(connection.execute(sa.select(feedback.c.text).order_by(feedback.c.id)).scalars())


def test_the_sixth_submission_in_a_minute_is_refused_whichever_worker_takes_it(two_workers):
    clients = [app.test_client() for app in two_workers]
    tokens = [csrf_token(client, "/facility/T1") for client in clients]
    for n in range(5):  # 5 per minute is the default: alternating, each worker sees only 2 or 3
        assert send(clients[n % 2], tokens[n % 2], text=f"message {n}").status_code == 303
    for worker in (1, 0):  # the 6th, on either worker
        refused = send(clients[worker], tokens[worker], text="the sixth, kept")
        assert refused.status_code == 429
        assert "Too many messages from your connection in a short time" in text(refused)
        assert "the sixth, kept" in text(refused)
    assert stored_texts(two_workers[0]) == [f"message {n}" for n in range(5)]


def test_the_limit_counts_only_the_same_address(two_workers):
    clients = [app.test_client() for app in two_workers]
    tokens = [csrf_token(client, "/facility/T1") for client in clients]
    for n in range(5):
        assert send(clients[n % 2], tokens[n % 2], text=f"message {n}").status_code == 303
    other = clients[1].post("/feedback", data={"csrf_token": tokens[1], "facility_id": "T1", "kind": "question",
                                              "text": "From another address"},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 303


def test_a_repeat_of_an_earlier_item_is_not_refused(two_workers):
    clients = [app.test_client() for app in two_workers]
    tokens = [csrf_token(client, "/facility/T1") for client in clients]
    for n in range(5):
        assert send(clients[n % 2], tokens[n % 2], text=f"message {n}").status_code == 303
    again = send(clients[1], tokens[1], text="message 4")  # a double click: the same tracking code
    assert again.status_code == 303 and again.headers["Location"].endswith("?sent=again")


def test_flask_limiter_counts_in_the_queues_redis_unless_told_otherwise():
    assert rate_limit_storage({"REDIS_URL": "redis://cache:6379/0"}) == "redis://cache:6379/0"
    assert rate_limit_storage({"REDIS_URL": "redis://cache:6379/0",
                               "RATELIMIT_STORAGE_URI": "memcached://cache:11211"}) == "memcached://cache:11211"
    assert rate_limit_storage({"REDIS_URL": None, "RATELIMIT_STORAGE_URI": None}) == "memory://"


def test_with_redis_down_submissions_still_work_and_the_database_limit_holds(tmp_path, geography):
    from budget.publish import import_budget_file

    app = create_app({**WORKER_SETTINGS, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}",
                      "REDIS_URL": "redis://127.0.0.1:1/0"})  # nothing listens there
    assert type(app.extensions["limiter"].storage).__name__ == "RedisStorage"
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert import_budget_file(app.extensions["engine"], budget_csv(*GOOD_ROWS), "a.csv", geography.districts,
                              actor="test").ok
    client = app.test_client()
    token = csrf_token(client, "/facility/T1")
    assert [send(client, token, text=f"message {n}").status_code for n in range(6)] == [303] * 5 + [429]
    assert len(stored_texts(app)) == 5
    app.extensions["engine"].dispose()
