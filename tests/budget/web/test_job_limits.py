"""A real worker (``flask jobs worker``, a subprocess) under JOBS_MEMORY_LIMIT_MB and
JOBS_TIME_LIMIT_SECONDS: a job that eats memory, one that loops and one stuck in a blocking call
each fail their own upload with a clear message on its page, and the worker takes the next job.

The worker below replaces ``budget.pending.validate_stored`` for files of three names with what
a hostile file does to a reader; every other file is validated for real.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from app import create_app
from tests.budget.web.test_workspace import text, upload, upload_id_of
from tests.helpers import GOOD_ROWS, PROJECT_DIR, budget_csv, login

MEMORY_MB = 900

HOSTILE_WORKER = """
import sys, time
import sqlalchemy as sa
from budget import pending
from core.schema import pending_uploads
real = pending.validate_stored
def hostile(engine, upload_id, *args, **kwargs):
    with engine.connect() as connection:
        name = connection.execute(sa.select(pending_uploads.c.file_name)
                                  .where(pending_uploads.c.id == upload_id)).scalar()
    if name == "hungry.csv":  # keeps every row it reads: 64 MB at a time, never freed
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))
    if name == "endless.csv":  # a loop in Python that never ends
        while True:
            pass
    if name == "stuck.csv":  # a call that never returns and cannot be interrupted
        time.sleep(3600)
    return real(engine, upload_id, *args, **kwargs)
pending.validate_stored = hostile
from flask.cli import main
sys.argv = ["flask", "--app", "app", "jobs", "worker"]
main()
"""


@pytest.fixture()
def limited(tmp_path, make_user_in):
    """Start the web app and a worker on one SQLite queue, both with these limits: an editor."""
    apps, workers = [], []

    def start(seconds: float):
        database = f"sqlite:///{tmp_path / 'limited.sqlite3'}"
        settings = {"JOBS_MEMORY_LIMIT_MB": MEMORY_MB, "JOBS_TIME_LIMIT_SECONDS": seconds}
        app = create_app({"TESTING": True, "DATABASE_URL": database, "SECRET_KEY": "test", "TILES_URL": "",
                          "BABEL_DEFAULT_LOCALE": "en", **settings})
        apps.append(app)
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        make_user_in(app, "aigul", "editor")
        client = app.test_client()
        assert login(client, "aigul").status_code == 302
        env = {**os.environ, "FLASK_DATABASE_URL": database, "FLASK_SECRET_KEY": "test", "FLASK_TILES_URL": "",
               **{f"FLASK_{name}": str(value) for name, value in settings.items()}}
        client.worker = subprocess.Popen([sys.executable, "-c", HOSTILE_WORKER], cwd=PROJECT_DIR, env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        workers.append(client.worker)
        return client

    yield start
    for worker in workers:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        worker.stderr.close()
    for app in apps:
        app.extensions["engine"].dispose()


@pytest.fixture()
def make_user_in():
    from accounts import users as accounts

    def make(app, login_name: str, *roles: str):
        with app.extensions["engine"].begin() as connection:
            accounts.create_user(connection, login_name, "a long enough password", roles=roles, actor="test",
                                 display_name=login_name.title())
    return make


def wait_until_done(client, upload_id: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        progress = client.get(f"/admin/uploads/{upload_id}/progress.json").get_json()
        if not progress["running"]:
            return progress
        assert client.worker.poll() is None, client.worker.stderr.read().decode()
        time.sleep(0.1)
    raise AssertionError(f"still running: {progress}")


def good_upload(client, n: int) -> int:
    """A valid file (each one different), which the worker must still validate for real."""
    row = f"N{n};Мектеп {n};Школа {n};school;43,297;68,2518;2025;construction;{1_000_000 + n};"
    return upload_id_of(upload(client, budget_csv(*GOOD_ROWS, row)))


def test_a_job_past_the_memory_limit_fails_with_a_clear_message_and_the_worker_goes_on(limited):
    limited = limited(seconds=120)
    hungry = upload_id_of(upload(limited, budget_csv(*GOOD_ROWS), name="hungry.csv"))
    after = good_upload(limited, 1)  # queued behind it

    failed = wait_until_done(limited, hungry)
    assert (failed["status"], failed["job"], failed["failure"]) == ("failed", "validate", "out_of_memory")
    assert failed["text"].startswith("The file needed more memory than allowed (900 MB)")
    page = text(limited.get(f"/admin/uploads/{hungry}"))
    assert "The check failed" in page and "needed more memory than allowed (900 MB)" in page
    assert ">Try again<" in page and "Traceback" not in page and "MemoryError" not in page

    done = wait_until_done(limited, after)
    assert (done["status"], done["failure"]) == ("pending", None)
    assert "What publishing changes" in text(limited.get(f"/admin/uploads/{after}"))


def test_jobs_past_the_time_limit_fail_and_a_stuck_one_costs_only_its_worker_process(limited):
    limited = limited(seconds=2)
    endless = upload_id_of(upload(limited, budget_csv(*GOOD_ROWS), name="endless.csv"))
    stuck = upload_id_of(upload(limited, budget_csv(*GOOD_ROWS), name="stuck.csv"))
    after = good_upload(limited, 2)

    for upload_id in (endless, stuck):
        failed = wait_until_done(limited, upload_id)
        assert (failed["status"], failed["failure"]) == ("failed", "timed_out"), upload_id
        assert failed["text"].startswith("The work took longer than allowed (0")
        assert "was stopped at the step “Reading the file”" in failed["text"]
    # the stuck job's process was ended and replaced: the next upload is validated all the same
    done = wait_until_done(limited, after)
    assert (done["status"], done["failure"]) == ("pending", None)
    assert limited.worker.poll() is None  # the consumer itself never stopped
