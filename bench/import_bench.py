"""Import: parse + validate + join + store a budget CSV through the real code path.

Also the same 50,000 rows uploaded as XLSX (saved by LibreOffice Calc) against CSV: reading and
validating each, as an upload's dry run does; the target is XLSX within 2x of CSV.

The app's path is ``budget.publish.import_budget_file`` (the CLI and the web upload both call it)
into a fresh database with the schema and the national districts, as a first publication. Its
floor, measured in the same run and interleaved with it so both see the same noise: pandas
reading the same file (all text) plus a bare ``sqlite3`` ``executemany`` of the same rows into
a table with no index, in one transaction, with the app's journal settings (WAL, synchronous
NORMAL). The floor does no checking at all, so "3x the floor" leaves the app twice the floor's
time for validation, the spatial join, typed columns, indexes and versioning.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from bench.common import OUT_DIR, Report, median, remove_sqlite, timed
from budget import publish as uploads
from budget.reader import read_budget_file
from budget.validation import validate_table
from core.db import make_engine, upgrade
from geo.boundaries import Geography

SECTION = "1. Import"
TARGET_RATIO = 3.0
XLSX_LINES = 50_000  # the same rows as CSV and as XLSX (as LibreOffice Calc saves them)
XLSX_TARGET_RATIO = 2.0
XLSX_RUNS = 3
WORK_DIR = OUT_DIR / "work"


def fresh_database(path: Path, geography: Geography) -> sa.Engine:
    """An empty app database at ``path``: schema and districts, nothing published."""
    remove_sqlite(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as connection:
        uploads.sync_districts(connection, geography.district_records())
    return engine


def import_file(engine: sa.Engine, path: Path, geography: Geography) -> uploads.ImportResult:
    """The app's import of ``path`` (read from disk included), failing loudly on any error."""
    result = uploads.import_budget_file(engine, path.read_bytes(), path.name, geography.districts,
                                        actor="bench", kind="import")
    if not result.ok:
        shown = "; ".join(f"row {p.row} {p.column}: {p.message()}" for p in result.validated.errors[:5])
        raise RuntimeError(f"{path.name} did not validate: {shown}")
    return result


def build_database(path: Path, csv_path: Path, geography: Geography) -> float:
    """A database at ``path`` holding ``csv_path`` published; returns the import's seconds."""
    engine = fresh_database(path, geography)
    try:
        seconds, _ = timed(lambda: import_file(engine, csv_path, geography))
    finally:
        engine.dispose()
    return seconds


def bare_table_statements(width: int) -> tuple[str, str]:
    """CREATE and INSERT (with ``?`` parameters) for a table of ``width`` text columns and no
    index, written by SQLAlchemy's SQLite compiler rather than pasted together."""
    table = sa.Table("lines", sa.MetaData(), *(sa.Column(f"c{i}", sa.Text) for i in range(width)))
    dialect = sqlite_dialect.dialect(paramstyle="qmark")
    return str(CreateTable(table).compile(dialect=dialect)), str(table.insert().compile(dialect=dialect))


def floor_once(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Seconds of pandas reading the file, and of a bare executemany of its rows."""
    remove_sqlite(db_path)
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    read = time.perf_counter() - start
    start = time.perf_counter()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    create, insert = bare_table_statements(frame.shape[1])
    connection.execute(create)
    with connection:
        connection.executemany(insert, frame.itertuples(index=False, name=None))
    connection.close()
    store = time.perf_counter() - start
    remove_sqlite(db_path)
    return read, store


def phases_once(csv_path: Path, db_path: Path, geography: Geography) -> dict[str, float]:
    """One import split into its steps (the same functions ``import_budget_file`` calls)."""
    engine = fresh_database(db_path, geography)
    content = csv_path.read_bytes()
    times = {}
    times["read"], raw = timed(lambda: read_budget_file(content, csv_path.name))
    times["validate and place"], validated = timed(lambda: validate_table(raw, geography.districts))
    with engine.begin() as connection:
        times["publish"], _ = timed(lambda: uploads.publish(
            connection, validated, actor="bench", file_name=csv_path.name,
            sha256=uploads.sha256_of(content)))
    engine.dispose()
    remove_sqlite(db_path)
    return times


def profile_once(csv_path: Path, db_path: Path, geography: Geography, out: Path) -> Path:
    """A pyinstrument profile of one import, as text (``--profile``)."""
    from pyinstrument import Profiler

    engine = fresh_database(db_path, geography)
    profiler = Profiler(interval=0.002)
    profiler.start()
    import_file(engine, csv_path, geography)
    profiler.stop()
    engine.dispose()
    remove_sqlite(db_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    return out


def xlsx_of(csv_path: Path) -> Path:
    """``csv_path`` opened and saved as XLSX by Debian's LibreOffice Calc (made once, kept beside
    it): the workbook an official's office suite writes, BINs turned into numbers included."""
    target = csv_path.with_suffix(".xlsx")
    if target.is_file():
        return target
    soffice = shutil.which("soffice")
    if soffice is None:
        raise RuntimeError("LibreOffice Calc is missing: run scripts/install-browser.sh (make bench does)")
    with tempfile.TemporaryDirectory(prefix="bench-soffice-") as work:
        out = Path(work) / "out"
        subprocess.run([soffice, f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
                        "--headless", "--norestore", "--infilter=Text - txt - csv (StarCalc):44,34,76,1",
                        "--convert-to", "xlsx", "--outdir", str(out), str(csv_path)],
                       check=True, capture_output=True, timeout=1800)
        shutil.move(out / f"{csv_path.stem}.xlsx", target)
    return target


def dry_run_once(path: Path, geography: Geography) -> tuple[float, float]:
    """Seconds of reading ``path``, and of reading and validating it (an upload's dry run)."""
    content = path.read_bytes()
    start = time.perf_counter()
    raw = read_budget_file(content, path.name)
    read = time.perf_counter() - start
    validated = validate_table(raw, geography.districts)
    total = time.perf_counter() - start
    if not validated.ok:
        shown = "; ".join(f"row {p.row} {p.column}: {p.message()}" for p in validated.errors[:5])
        raise RuntimeError(f"{path.name} did not validate: {shown}")
    return read, total


def xlsx_against_csv(context, csv_path: Path) -> None:
    """The same rows uploaded as XLSX and as CSV: read + validate (dry run), interleaved runs."""
    report: Report = context.report
    geography = context.geography()
    started = time.perf_counter()
    xlsx_path = xlsx_of(csv_path)
    if time.perf_counter() - started > 1:
        report.log(f"  {xlsx_path.name} saved by LibreOffice Calc in {time.perf_counter() - started:.0f} s")
    times: dict[str, list[tuple[float, float]]] = {"csv": [], "xlsx": []}
    for _ in range(XLSX_RUNS):
        for kind, path in (("csv", csv_path), ("xlsx", xlsx_path)):
            times[kind].append(dry_run_once(path, geography))
    figures = {}
    for kind, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        reads, totals = zip(*times[kind])
        figures[kind] = report.figure(
            SECTION, f"{XLSX_LINES:,} lines as {kind.upper()} ({path.stat().st_size / 1e6:.0f} MB): read + validate",
            median(totals), "s", runs=XLSX_RUNS, baseline=figures.get("csv"),
            note=f"read {median(reads):.2f} s")
    ratio = figures["xlsx"].ratio
    report.target(SECTION, f"XLSX upload at most {XLSX_TARGET_RATIO:g}x the same rows as CSV",
                  f"<= {XLSX_TARGET_RATIO:g}x",
                  f"{ratio:.2f}x ({figures['xlsx'].value:.1f} s vs {figures['csv'].value:.1f} s)",
                  ratio <= XLSX_TARGET_RATIO)


def run(context) -> None:
    """Every size: the import and its floor, interleaved, median of the runs; the ratio."""
    report: Report = context.report
    report.section(SECTION)
    geography = context.geography()
    files = context.files()
    largest = max(files)
    db_path, floor_path = WORK_DIR / "import.sqlite3", WORK_DIR / "floor.sqlite3"
    for lines, csv_path in files.items():
        runs = context.settings.runs_for(lines)
        imports, floors, reads, stores = [], [], [], []
        for run_number in range(runs):
            engine = fresh_database(db_path, geography)
            seconds, result = timed(lambda: import_file(engine, csv_path, geography))
            engine.dispose()
            imports.append(seconds)
            if lines == context.settings.lines and run_number == runs - 1:
                context.adopt_database("national", db_path)  # the map and load scenarios use it
            read, store = floor_once(csv_path, floor_path)
            reads.append(read)
            stores.append(store)
            floors.append(read + store)
        size = f"{lines:,} lines ({csv_path.stat().st_size / 1e6:.0f} MB, " \
               f"{len(result.validated.facilities):,} facilities)"
        floor = report.figure(SECTION, f"{size}: floor (pandas read + bare executemany)",
                              median(floors), "s", runs=runs,
                              note=f"read {median(reads):.2f} s + store {median(stores):.2f} s")
        app = report.figure(SECTION, f"{size}: import_budget_file", median(imports), "s", runs=runs,
                            baseline=floor, note=f"{lines / median(imports):,.0f} lines/s")
        if lines == largest:
            report.target(SECTION, f"import of {lines:,} lines at most {TARGET_RATIO:g}x the floor",
                          f"<= {TARGET_RATIO:g}x", f"{app.ratio:.2f}x ({app.value:.1f} s vs {floor.value:.1f} s)",
                          app.ratio <= TARGET_RATIO)
    if XLSX_LINES in files:
        xlsx_against_csv(context, files[XLSX_LINES])
    phases = phases_once(files[largest], db_path, geography)
    report.note(SECTION, f"{largest:,} lines, one run split into steps: " + ", ".join(
        f"{name} {seconds:.2f} s" for name, seconds in phases.items()))
    if context.settings.profile:
        path = profile_once(files[largest], db_path, geography, OUT_DIR / "profiles" / f"import_{largest}.txt")
        report.log(f"  profile written to {path}")
    remove_sqlite(db_path)
