"""3. Serving under load, and 5. memory: the app under gunicorn with 2 workers on the national data.

The server is the production command of the README (``gunicorn --workers 2 --bind ...
"app:create_app()"``, sync workers) with ``FLASK_BOUNDARIES_DIR`` on the national geography and
``FLASK_DATABASE_URL`` on the bench database. The baseline is ``bench/bare_app.py`` (a fixed
string) under the same command in the same run. The load generator is an aiohttp client in this
process, on loopback, bounded in time and in count, with 50 concurrent clients; it keeps the
responses compressed as sent (no decompression on the client) so it stays light. It shares the
machine's cores with the server, as any loopback test does, equally for the app and the baseline.

After the load, the peak resident memory (``VmHWM`` in ``/proc/<pid>/status``) of each worker.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import OUT_DIR, PROJECT_DIR, Report, app_environment, bench_app, median, remove_sqlite
from core import versions

SECTION = "3. Serving under load"
MEMORY_SECTION = "5. Memory"
LOG_DIR = OUT_DIR / "logs"
GUNICORN = PROJECT_DIR / ".venv" / "bin" / "gunicorn"
TARGET_SHARE = 0.5
FACILITY_TARGET_SHARE = 0.3  # issue 17: the facility page at least 0.3x the bare endpoint
FACILITY_PAGES = 200  # facilities visited again and again (a district's worth), each rendered before
API_LIST = "/api/v1/facilities"


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with ``workers`` sync workers serving ``target`` (the app by default)."""

    def __init__(self, context=None, *, target: str = "app:create_app()", workers: int = 2,
                 database: Path | None = None, copy_database: bool = False, name: str = "app",
                 env: dict[str, str] | None = None):
        self.context, self.target, self.workers, self.name = context, target, workers, name
        self.extra_env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = database
        if context is not None and database is None:
            self.database = context.database("national")
        self.copy = None
        if copy_database and self.database is not None:  # writes must not touch the shared file
            import shutil

            self.copy = OUT_DIR / "work" / f"{name}-copy.sqlite3"
            self.copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.database, self.copy)
            self.database = self.copy
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if self.context is not None:
            env.update(app_environment(self.context.geography_dir(), self.database))
        env.update(self.extra_env)
        self.log_path = LOG_DIR / f"gunicorn-{self.name}.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [str(GUNICORN), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(PROJECT_DIR), self.target],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=30) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer within 120 s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The master's child processes (gunicorn's workers)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # only the master we started; it stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if self.copy is not None:  # a few hundred MB at national size
            remove_sqlite(self.copy)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0])
    return found


# ------------------------------------------------------------------ the load generator


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    bytes: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> str:
        return (f"{self.requests:,} requests in {self.seconds:.1f} s, p50 {self.percentile(50) * 1000:.0f} ms, "
                f"p95 {self.percentile(95) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms, "
                f"errors {self.errors}" + (f" {dict(self.failures)}" if self.failures else "")
                + f", statuses {dict(self.statuses)}")


async def _hammer(url: Callable[[int], str], clients: int, seconds: float, max_requests: int,
                  method: str, body: Callable[[int], dict] | None, headers: dict) -> LoadResult:
    import aiohttp

    latencies: list[float] = []
    statuses: Counter = Counter()
    failures: Counter = Counter()
    state = {"next": 0, "errors": 0, "bytes": 0}
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False,
                                     read_bufsize=2**20,
                                     headers=headers) as session:
        start = time.perf_counter()
        deadline = start + seconds

        async def client() -> None:
            while time.perf_counter() < deadline and state["next"] < max_requests:
                i = state["next"]
                state["next"] += 1
                began = time.perf_counter()
                try:
                    async with session.request(method, url(i), data=body(i) if body else None,
                                               allow_redirects=False) as response:
                        data = await response.read()
                        statuses[response.status] += 1
                        state["bytes"] += len(data)
                        if response.status >= 400:
                            state["errors"] += 1
                except Exception as exc:  # every failure counts; the kind is reported
                    state["errors"] += 1
                    failures[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return LoadResult(len(latencies), elapsed, latencies, state["errors"], statuses, failures, state["bytes"])


def hammer(url: str | Callable[[int], str], clients: int, seconds: float, max_requests: int, *,
           method: str = "GET", body: Callable[[int], dict] | None = None,
           headers: dict | None = None) -> LoadResult:
    """``clients`` concurrent clients sending requests until ``seconds`` or ``max_requests``."""
    url_of = url if callable(url) else (lambda i, u=url: u)
    headers = {"Accept-Encoding": "gzip", "Accept-Language": "en", **(headers or {})}
    return asyncio.run(_hammer(url_of, clients, seconds, max_requests, method, body, headers))


# ------------------------------------------------------------------ the scenario


def _facility_ids(database: Path, count: int = 1000) -> list[str]:
    import sqlite3

    with sqlite3.connect(database) as connection:
        ids = [r[0] for r in connection.execute("SELECT facility_id FROM facilities ORDER BY facility_id")]
    return random.Random(7).sample(ids, min(count, len(ids)))


def _measure(report: Report, name: str, url, settings, server: Server, baseline=None, note: str = ""):
    hammer(url, 4, 2.0, 200)  # warm-up: both workers build their caches
    workers = server.worker_pids()
    runs = []
    server_cpu, client_cpu = sum(map(cpu_seconds, workers)), time.process_time()
    for _ in range(settings.load_runs):
        runs.append(hammer(url, settings.load_clients, settings.load_seconds, settings.load_max_requests))
        report.log(f"  {name}: {runs[-1].summary()}")
    server_cpu = sum(map(cpu_seconds, workers)) - server_cpu
    client_cpu = time.process_time() - client_cpu
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    result = LoadResult(requests, seconds, [], sum(r.errors for r in runs),
                        sum((r.statuses for r in runs), Counter()), sum((r.failures for r in runs), Counter()))
    per_request = server_cpu / max(requests, 1) * 1000
    figure = report.figure(SECTION, f"{name}: throughput", median([r.rate for r in runs]), "req/s",
                           runs=len(runs), baseline=baseline,
                           note=f"{requests:,} requests in {seconds:.0f} s, {settings.load_clients} clients; "
                           f"workers' CPU {per_request:.2f} ms per request; load generator "
                           f"{client_cpu / seconds * 100:.0f}% of a core" + (f"; {note}" if note else ""))
    for p in (50, 95, 99):
        report.figure(SECTION, f"{name}: latency p{p}", median([r.percentile(p) for r in runs]) * 1000, "ms",
                      runs=len(runs))
    report.figure(SECTION, f"{name}: errors", result.errors, "count",
                  note="all runs; " + ", ".join(f"{k}: {v}" for k, v in sorted(
                      {**result.statuses, **result.failures}.items(), key=lambda kv: str(kv[0]))))
    return figure, result


def _measure_facility_pages(report: Report, settings, server: Server, facility_ids: list[str], bare_figure):
    """The facility page as residents meet it: pages rendered before (each worker keeps its rendered
    pages per data version and language, ``core.web.shared_pages``), the target; and first visits,
    each request a facility no worker has rendered yet, for the cost of rendering (no target)."""
    seen, unseen = facility_ids[:FACILITY_PAGES], facility_ids[FACILITY_PAGES:]
    # Each page five times, so both workers have rendered nearly every one (1 in 32 missed).
    hammer(lambda i: f"{server.url}/facility/{seen[i % len(seen)]}", 8, 300.0, 5 * len(seen))
    figure, result = _measure(report, "facility page /facility/<id>, rendered before",
                              lambda i: f"{server.url}/facility/{seen[i % len(seen)]}", settings, server,
                              baseline=bare_figure, note=f"{len(seen)} facilities in turn, each rendered by the "
                              "workers before; no cookie kept: each answer a new session and CSRF token")
    first = hammer(lambda i: f"{server.url}/facility/{unseen[i]}", settings.load_clients,
                   settings.load_seconds * 2, len(unseen))
    report.figure(SECTION, "facility page /facility/<id>, first visit of each", first.rate, "req/s",
                  baseline=bare_figure, note=f"{first.requests:,} facilities rendered once each; {first.summary()}")
    return figure, result


def run(context) -> None:
    report: Report = context.report
    settings = context.settings
    report.section(SECTION)
    database = context.database("national")
    app = bench_app(context, database)
    api_available = any(rule.rule == API_LIST for rule in app.url_map.iter_rules())
    year = published_year(app)
    payload = len(app.test_client().get(f"/map/facilities.json?year={year}",
                                         headers={"Accept-Encoding": "gzip"}).get_data())
    app.extensions["engine"].dispose()
    facility_ids = _facility_ids(database)

    with Server(target="bench.bare_app:app", name="bare", env={"BENCH_PAYLOAD_BYTES": str(payload)}) as bare:
        bare_figure, _ = _measure(report, "bare Flask endpoint (baseline)", bare.url + "/", settings, bare)
        _measure(report, f"bare Flask endpoint, {payload / 1000:.0f} KB of fixed bytes (context)",
                 bare.url + "/payload", settings, bare, baseline=bare_figure,
                 note="as large as the map data: the cost of moving the bytes alone")

    with Server(context, database=database) as server:
        map_figure, map_result = _measure(
            report, "map data /map/facilities.json", f"{server.url}/map/facilities.json?year={year}",
            settings, server, baseline=bare_figure, note="gzip body as the page fetches it")
        facility_figure, facility_result = _measure_facility_pages(report, settings, server, facility_ids,
                                                                   bare_figure)
        api_result = None
        if api_available and _answers(f"{server.url}{API_LIST}"):
            _, api_result = _measure(report, f"API list {API_LIST}", f"{server.url}{API_LIST}", settings,
                                     server, baseline=bare_figure, note="first page, default size")
        else:
            report.log(f"  API list {API_LIST}: not available (no such endpoint in this checkout)")
            report.note(SECTION, f"API list {API_LIST}: not available when measured")
        workers = {pid: memory_kib(pid) for pid in server.worker_pids()}
        master = memory_kib(server.process.pid)

    share = map_figure.value / bare_figure.value
    report.target(SECTION, "map data endpoint at least half the bare endpoint's throughput",
                  f">= {TARGET_SHARE:g}x", f"{share:.2f}x ({map_figure.value:,.0f} vs {bare_figure.value:,.0f} req/s)",
                  share >= TARGET_SHARE)
    facility_share = facility_figure.value / bare_figure.value
    report.target(SECTION, f"facility page (rendered before) at least {FACILITY_TARGET_SHARE:g}x the bare "
                  "endpoint's throughput", f">= {FACILITY_TARGET_SHARE:g}x",
                  f"{facility_share:.2f}x ({facility_figure.value:,.0f} vs {bare_figure.value:,.0f} req/s)",
                  facility_share >= FACILITY_TARGET_SHARE)
    errors = map_result.errors + facility_result.errors + (api_result.errors if api_result else 0)
    report.target(SECTION, "zero errors under load (map data, facility page" + (", API list)" if api_result else ")"),
                  "0", str(errors), errors == 0)

    report.section(MEMORY_SECTION)
    peaks = [m["VmHWM"] for m in workers.values()]
    for pid, m in workers.items():
        report.figure(MEMORY_SECTION, f"gunicorn worker {pid}: peak RSS (VmHWM)", m["VmHWM"] * 1024, "bytes",
                      note=f"RSS after the load {m['VmRSS'] * 1024 / 1e6:.0f} MB")
    report.figure(MEMORY_SECTION, "gunicorn master: peak RSS (VmHWM)", master["VmHWM"] * 1024, "bytes")
    report.note(MEMORY_SECTION, f"after the load test on the national data set; the largest worker peaked at "
                f"{max(peaks) * 1024 / 1e6:.0f} MB (no target in the issue)")


def published_year(app) -> int:
    from core.web import database

    with app.app_context():
        return versions.fiscal_years(database.connection(), database.published_version_id())[-1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status == 200
    except OSError:
        return False
