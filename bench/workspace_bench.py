"""Workspace: a 200,000-row XLSX through the web workspace, from upload to published.

The real app (``create_app``) on the national geography and a fresh database, a real huey
worker on the SQLite queue (threads of this process, ``Jobs.start_in_threads``), and an editor
driving the views through Flask's test client as the page does: POST the file, poll
``progress.json`` until the report is stored, POST "Publish", poll until published. Each web
request must stay far below gunicorn's 30 s worker timeout; the work itself happens in the job.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from bench import generate
from bench.common import OUT_DIR, app_config, remove_sqlite, timed

SECTION = "7. Workspace upload (background jobs)"
ROWS, QUICK_ROWS = 200_000, 20_000
REQUEST_LIMIT = 30.0  # gunicorn's default worker timeout, seconds


def ensure_xlsx(rows: int, log) -> Path:
    """The first ``rows`` lines of the generated national table as one XLSX sheet (kept)."""
    path = OUT_DIR / "data" / f"workspace_{rows}.xlsx"
    if path.is_file():
        return path
    from openpyxl import Workbook

    frame = generate.table(generate.Sizes(max(rows // 10, 1), rows))
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(frame.columns))
    for values in zip(*(frame[c].to_numpy() for c in frame.columns)):
        sheet.append([None if v == "" else v for v in values])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    log(f"  wrote {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    return path


def _wait(client, upload_id: int, stages: set) -> dict:
    while True:
        progress = client.get(f"/admin/uploads/{upload_id}/progress.json").get_json()
        stages.add(progress["stage"])
        if not progress["running"]:
            return progress
        time.sleep(0.25)


def run(context) -> None:
    from accounts import users as accounts
    from app import create_app
    from bench.import_bench import fresh_database
    from tests.helpers import csrf_token, login

    report = context.report
    report.section(SECTION)
    rows = QUICK_ROWS if context.settings.quick else ROWS
    context.geography_dir()  # the generator places facilities in its districts
    xlsx = ensure_xlsx(rows, report.log)
    database = OUT_DIR / "workspace.sqlite3"
    fresh_database(database, context.geography()).dispose()
    remove_sqlite(database.with_name(f"{database.stem}-jobs.sqlite3"))
    app = create_app({**app_config(context.geography_dir(), database),
                      "MAX_CONTENT_LENGTH": 200 * 1024 * 1024, "RATELIMIT_ENABLED": False})
    with app.extensions["engine"].begin() as connection:
        accounts.create_user(connection, "bench-editor", "a long enough bench password", roles=["editor"],
                             actor="bench", display_name="Bench")
    worker = app.extensions["jobs"].start_in_threads()
    try:
        client = app.test_client()
        login(client, "bench-editor", "a long enough bench password")
        content = xlsx.read_bytes()
        started = time.perf_counter()
        upload_seconds, response = timed(lambda: client.post("/admin/upload", data={
            "csrf_token": csrf_token(client, "/admin/upload"), "file": (io.BytesIO(content), xlsx.name)}))
        upload_id = int(re.fullmatch(r"/admin/uploads/(\d+)", response.headers["Location"]).group(1))
        stages: set = set()
        checked = _wait(client, upload_id, stages)
        checked_at = time.perf_counter()
        if checked["status"] != "pending":
            raise RuntimeError(f"the upload did not validate: {checked}")
        publish_seconds, response = timed(lambda: client.post(f"/admin/uploads/{upload_id}/publish", data={
            "csrf_token": csrf_token(client, f"/admin/uploads/{upload_id}")}))
        published = _wait(client, upload_id, stages)
        done_at = time.perf_counter()
        if published["status"] != "published":
            raise RuntimeError(f"the upload was not published: {published}")
    finally:
        worker.stop(graceful=True)
        app.extensions["engine"].dispose()

    name = f"{rows:,} rows XLSX ({len(content) / 1e6:.1f} MB)"
    report.figure(SECTION, f"{name}: upload request (store, queue, redirect)", upload_seconds, "s")
    report.figure(SECTION, f"{name}: upload to report stored (read, validate, preview)",
                  checked_at - started, "s")
    report.figure(SECTION, f"{name}: publish request (mark, queue, redirect)", publish_seconds, "s")
    report.figure(SECTION, f"{name}: publish pressed to published", done_at - checked_at - publish_seconds, "s")
    report.figure(SECTION, f"{name}: upload to published, in all", done_at - started, "s")
    report.note(SECTION, "stages seen while polling: " + ", ".join(sorted(s for s in stages if s)))
    slowest = max(upload_seconds, publish_seconds)
    report.target(SECTION, "every workspace request below gunicorn's timeout", f"< {REQUEST_LIMIT:.0f} s",
                  f"{slowest:.2f} s", slowest < REQUEST_LIMIT)
