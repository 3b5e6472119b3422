"""A real worker (``flask jobs worker``, a subprocess) on the SQLite queue: an upload goes from
validating to published through the web views; a worker killed with SIGKILL in the middle of a
publication leaves the published data as it was, and the upload shows as failed with "Try again".
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from app import create_app
from budget import jobs as upload_jobs
from budget import pending
from core.db import write_transaction
from core.schema import budget_lines, versions
from tests.budget.web.test_workspace import CHANGED_ROW, post, text, upload, upload_id_of
from tests.helpers import GOOD_ROWS, PROJECT_DIR, budget_csv, login

# Inside the publication's transaction (risk flags are stored in it), tell the test, then hang.
HANGING_WORKER = """
import pathlib, sys, time
from risk import store
marker = pathlib.Path(sys.argv[1])
def hang(*args, **kwargs):
    marker.write_text("in the transaction")
    time.sleep(3600)
store.record_flags = hang
from flask.cli import main
sys.argv = ["flask", "--app", "app", "jobs", "worker"]
main()
"""


@pytest.fixture()
def queued_app(tmp_path):
    """The app with a real SQLite queue (no JOBS_IMMEDIATE), and how to start its workers."""
    database = f"sqlite:///{tmp_path / 'queued.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": "test", "TILES_URL": ""})
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    env = {**os.environ, "FLASK_DATABASE_URL": database, "FLASK_SECRET_KEY": "test",
           "FLASK_TILES_URL": ""}
    workers = []

    def start(*command):
        process = subprocess.Popen(command or [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"],
                                   cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        workers.append(process)
        return process

    app.start_worker = start
    yield app
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stderr.close()
    app.extensions["engine"].dispose()


@pytest.fixture()
def editor(queued_app, make_user):
    client = queued_app.test_client()
    make_user("aigul", "editor")
    assert login(client, "aigul").status_code == 302
    return client


@pytest.fixture()
def make_user(queued_app):
    from accounts import users as accounts

    def make(login: str, *roles: str):
        with queued_app.extensions["engine"].begin() as connection:
            accounts.create_user(connection, login, "a long enough password", roles=roles, actor="test",
                                 display_name=login.title())
    return make


def wait_until_done(client, upload_id: int, polls: int = 600) -> dict:
    """Poll the progress JSON as the page does, until the work is no longer running."""
    for _ in range(polls):
        progress = client.get(f"/admin/uploads/{upload_id}/progress.json").get_json()
        if not progress["running"]:
            return progress
        time.sleep(0.1)
    raise AssertionError(f"still running: {progress}")


def counts(app) -> tuple[int, int]:
    with app.extensions["engine"].connect() as connection:
        return tuple(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                     for t in (versions, budget_lines))


def test_a_worker_validates_then_publishes_an_upload(queued_app, editor):
    upload_id = upload_id_of(upload(editor, budget_csv(*GOOD_ROWS)))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))  # no worker yet: it waits
    assert "Checking the file" in page and "Waiting for the background worker" in page

    queued_app.start_worker()
    assert wait_until_done(editor, upload_id)["status"] == "pending"
    assert "What publishing changes" in text(editor.get(f"/admin/uploads/{upload_id}"))

    response = post(editor, f"/admin/uploads/{upload_id}/publish")
    assert response.headers["Location"] == f"/admin/uploads/{upload_id}"
    done = wait_until_done(editor, upload_id)
    assert done["status"] == "published" and done["next"] == f"/admin/uploads/{upload_id}/published"
    response = editor.get(done["next"])
    assert response.headers["Location"] == "/admin/versions"
    assert "Published as version 1. It is now on the public map." in text(editor.get("/admin/versions"))
    assert counts(queued_app) == (1, 3)


def test_a_worker_killed_in_the_publication_leaves_the_data_unchanged(queued_app, editor, tmp_path):
    engine, districts = queued_app.extensions["engine"], queued_app.extensions["geography"].districts
    assert pending.publish(engine, pending.create(engine, budget_csv(*GOOD_ROWS), "a.csv", districts,
                                                  actor="aigul"), districts, actor="aigul").version_id == 1
    token = upload_jobs.new_token()
    second = pending.store(engine, budget_csv(CHANGED_ROW), "b.csv", actor="aigul", token=token)
    assert upload_jobs.run_validation(engine, second, token, districts) == "pending"
    before = counts(queued_app)

    marker = tmp_path / "inside"
    hanging = queued_app.start_worker(sys.executable, "-c", HANGING_WORKER, str(marker))
    post(editor, f"/admin/uploads/{second}/publish")
    for _ in range(600):
        if marker.exists():
            break
        assert hanging.poll() is None, hanging.stderr.read().decode()
        time.sleep(0.1)
    assert marker.exists()
    os.kill(hanging.pid, signal.SIGKILL)  # mid-transaction: version and lines written, not committed
    hanging.wait()

    assert counts(queued_app) == before
    assert editor.get(f"/admin/uploads/{second}/progress.json").get_json()["status"] == "publishing"
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=11)  # its heartbeat has gone stale
    with write_transaction(engine) as connection:
        assert upload_jobs.fail_stale(connection, stale_after=600, now=later) == 1
    page = text(editor.get(f"/admin/uploads/{second}"))
    assert "The publication failed" in page and "stopped answering" in page and ">Try again<" in page
    assert "Nothing was published" in page and "Traceback" not in page

    post(editor, f"/admin/uploads/{second}/retry")
    huey = queued_app.extensions["jobs"].huey  # the queued attempt, run here as a worker would
    huey.execute(huey.dequeue())
    assert wait_until_done(editor, second)["status"] == "published"
    assert counts(queued_app)[0] == before[0] + 1
    with engine.connect() as connection:
        assert pending.get(connection, second)["published_version_id"] == before[0] + 1
