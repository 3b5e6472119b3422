"""4. Feedback writes: 20 concurrent clients submitting feedback for 30 s (issue 7).

The real submission path under gunicorn (2 sync workers) on a copy of the national database:
the form POST with its CSRF token, validation, the duplicate check and the insert with its event
and audit entry, in one ``BEGIN IMMEDIATE`` transaction (``core.db.write_transaction``), so the
writers queue for SQLite's lock instead of failing. The per-address rate limit is raised for the
run (every client is 127.0.0.1) but still counted. Afterwards the rows are counted: every
accepted submission (303) must be there, and no answer may be an error or "database is locked".
"""

from __future__ import annotations

SECTION = "4. Feedback writes"


def feature_available(app) -> bool:
    """True once the app has a feedback submission endpoint."""
    return any("feedback" in rule.rule for rule in app.url_map.iter_rules())


RATE_LIMIT_FOR_THE_RUN = "1000000 per minute"
MARK = "Bench feedback"


def session_and_token(url: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser gets them from a facility page."""
    import http.cookiejar
    import re
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url, timeout=60) as response:
        page = response.read().decode("utf-8")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


def stored_rows(database) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM feedback WHERE text LIKE ?", (MARK + " %",)).fetchone()[0]


def measure(context, server) -> None:
    from bench.load_bench import _facility_ids, hammer

    settings, report = context.settings, context.report
    facility_ids = _facility_ids(server.database)
    cookie, token = session_and_token(f"{server.url}/facility/{facility_ids[0]}")
    before = stored_rows(server.database)

    def body(i: int) -> dict:
        return {"csrf_token": token, "facility_id": facility_ids[i % len(facility_ids)], "kind": "complaint",
                "text": f"{MARK} {i}: the roof money was paid, but the roof still leaks.", "rating": str(i % 5 + 1),
                "contact": f"resident{i}@example.kz"}

    result = hammer(f"{server.url}/feedback", settings.feedback_clients, settings.feedback_seconds,
                    settings.feedback_max_requests, method="POST", body=body, headers={"Cookie": cookie})
    rows = stored_rows(server.database) - before
    accepted = result.statuses.get(303, 0)
    lost = accepted - rows
    locked = server.log_path.read_text(encoding="utf-8", errors="replace").count("database is locked")
    report.log(f"  feedback submissions: {result.summary()}; rows stored {rows:,}; lost {lost}; "
               f"'database is locked' in the log {locked}")
    report.figure(SECTION, "feedback submissions: throughput", result.rate, "submissions/s",
                  note=f"{result.requests:,} submissions by {settings.feedback_clients} clients in "
                  f"{result.seconds:.0f} s, real form POST with CSRF, 2 gunicorn workers")
    for p in (50, 95, 99):
        report.figure(SECTION, f"feedback submissions: latency p{p}", result.percentile(p) * 1000, "ms")
    report.figure(SECTION, "feedback submissions: rows stored", rows, "count",
                  note=f"{accepted:,} accepted (303); statuses {dict(result.statuses)}")
    report.target(SECTION, f"{settings.feedback_clients} clients x {settings.feedback_seconds:g} s of feedback: "
                  "zero lost or 'database is locked'", "0 lost, 0 errors",
                  f"{lost} lost, {result.errors} errors, {locked} locked",
                  lost == 0 and result.errors == 0 and locked == 0 and accepted > 0)


def run(context) -> None:
    report = context.report
    report.section(SECTION)
    from bench.load_bench import Server, bench_app

    app = bench_app(context)
    if not feature_available(app):
        report.log("  feedback writes: not measured yet (feature missing)")
        report.note(SECTION, "feedback writes: not measured yet (feature missing)")
        report.target(SECTION, "20 clients x 30 s of feedback: zero lost or 'database is locked'",
                      "0 lost, 0 errors", "not measured yet (feature missing)", None)
        return
    try:
        with Server(context, workers=2, copy_database=True, name="feedback",
                    env={"FLASK_FEEDBACK_RATE_LIMIT": RATE_LIMIT_FOR_THE_RUN}) as server:
            measure(context, server)
    except NotImplementedError:
        report.log("  feedback writes: not measured yet (feature present, scenario not written)")
        report.note(SECTION, "feedback writes: not measured yet (feature present, scenario not written)")
        report.target(SECTION, "20 clients x 30 s of feedback: zero lost or 'database is locked'",
                      "0 lost, 0 errors", "not measured yet", None)
