"""The site keeps answering while hostile files are uploaded at the same time (issue 21).

A real deployment in small: gunicorn (2 sync workers) and ``flask jobs worker`` on one SQLite
database. An editor uploads the gap workbook, the workbook bomb, the million-column CSV and a
garbage binary file in parallel, while a resident keeps opening the map data and a facility
page. Every resident request is answered, each upload ends refused with its own words, and the
worker is still running and validates a good file afterwards.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from app import create_app
from tests.budget.test_hostile_files import bomb_workbook, gap_workbook, garbage_csv, million_column_csv
from tests.helpers import ACCOUNT_PASSWORD, GOOD_ROWS, PROJECT_DIR, budget_csv, csrf_token_in

GUNICORN = PROJECT_DIR / ".venv" / "bin" / "gunicorn"
HOSTILE = {  # name: (content, words of the refusal on the upload's page)
    "gap.xlsx": (gap_workbook, "cells as far right as column XFD"),
    "bomb.xlsx": (bomb_workbook, "The workbook unpacks to"),
    "wide.csv": (million_column_csv, "columns; at most 100 can be read"),
    "garbage.csv": (lambda: garbage_csv()[:5 << 20], "it holds binary data"),  # 5 MB: within the upload size
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def deployment(tmp_path):
    database = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    settings = {"DATABASE_URL": database, "SECRET_KEY": "test", "TILES_URL": "", "BABEL_DEFAULT_LOCALE": "en",
                "RATELIMIT_ENABLED": False}
    app = create_app({"TESTING": True, **settings})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    table = tmp_path / "budget.csv"
    table.write_bytes(budget_csv(*GOOD_ROWS))
    assert runner.invoke(args=["budget", "import", str(table), "--yes"]).exit_code == 0
    from accounts import users as accounts
    with app.extensions["engine"].begin() as connection:
        accounts.create_user(connection, "aigul", ACCOUNT_PASSWORD, roles=["editor"], actor="test",
                             display_name="Aigul")
    app.extensions["engine"].dispose()
    env = {**os.environ, **{f"FLASK_{name}": str(value) for name, value in settings.items()}}
    port = free_port()
    processes = [
        subprocess.Popen([str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                          "app:create_app()"], cwd=PROJECT_DIR, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"], cwd=PROJECT_DIR,
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.2)
    yield base, processes[1]
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token_in(session.get(base + "/login", timeout=30).text)
    answer = session.post(base + "/login", data={"csrf_token": token, "login": "aigul",
                                                 "password": ACCOUNT_PASSWORD}, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    return session


def send(session: requests.Session, base: str, name: str, content: bytes) -> int:
    token = csrf_token_in(session.get(base + "/admin/upload", timeout=60).text)
    answer = session.post(base + "/admin/upload", data={"csrf_token": token}, files={"file": (name, content)},
                          allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text[:500]
    return int(re.search(r"/admin/uploads/(\d+)$", answer.headers["Location"]).group(1))


def finished(session: requests.Session, base: str, upload_id: int, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not session.get(f"{base}/admin/uploads/{upload_id}/progress.json", timeout=30).json()["running"]:
            return session.get(f"{base}/admin/uploads/{upload_id}", timeout=30).text
        time.sleep(0.2)
    raise AssertionError(f"upload {upload_id} still running after {seconds} s")


def test_residents_are_answered_while_hostile_files_are_uploaded_in_parallel(deployment):
    base, worker = deployment
    files = {name: make() for name, (make, _) in HOSTILE.items()}
    resident_answers, stop = [], threading.Event()

    def resident():
        with requests.Session() as session:
            while not stop.is_set():
                for path in ("/map/facilities.json?year=2025", "/facility/T1"):
                    try:
                        resident_answers.append((path, session.get(base + path, timeout=15).status_code))
                    except requests.RequestException as problem:
                        resident_answers.append((path, repr(problem)))

    uploads: dict[str, int] = {}

    def official(name):
        uploads[name] = send(signed_in(base), base, name, files[name])

    reader = threading.Thread(target=resident)
    reader.start()
    try:
        officials = [threading.Thread(target=official, args=(name,)) for name in files]
        for thread in officials:
            thread.start()
        for thread in officials:
            thread.join()
        session = signed_in(base)
        pages = {name: finished(session, base, upload_id) for name, upload_id in uploads.items()}
    finally:
        stop.set()
        reader.join()
    assert len(uploads) == len(HOSTILE)
    for name, (_, words) in HOSTILE.items():
        assert "The file has errors, so it cannot be published." in pages[name], name
        assert words in pages[name].replace("\u00a0", " "), name
    assert resident_answers and {answer for _, answer in resident_answers} == {200}, [
        answer for answer in resident_answers if answer[1] != 200][:5]
    assert worker.poll() is None  # the worker survived them all and still validates a good file
    good = send(session, base, "good.csv", budget_csv(*GOOD_ROWS))
    assert "The file has errors" not in finished(session, base, good)
