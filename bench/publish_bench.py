"""Publication modes at national scale: a partial file published onto the national table.

An official's usual file is partial: one district's or one programme's lines of a year. In
update mode (the default) the new version keeps every published line of that year the file does
not mention, so the publication copies them (``budget.apply``); replace mode writes only the
file's lines, as every publication did before the modes existed. Both run here on a copy of the
national database, interleaved, with the same 1,000-line file of its latest year: replace is the
baseline, update's cost over it is the price of never wiping a year by accident. The preview an
editor sees first (``budget.preview.preview_upload``, update mode) is timed too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from bench.common import OUT_DIR, Report, median, remove_sqlite, timed
from budget import preview
from budget import publish as uploads
from budget.apply import REPLACE, UPDATE
from budget.reader import read_budget_file
from budget.validation import validate_table
from core import versions
from core.db import make_engine

SECTION = "6. Publication modes"
PARTIAL_LINES = 1_000
TARGET_RATIO = 4.0  # update at most this many times replace, for the same partial file
WORK_DIR = OUT_DIR / "work"


def partial_file(national_csv: Path, out: Path) -> tuple[Path, int, int]:
    """The first ``PARTIAL_LINES`` lines of the table's latest year, with new paid amounts."""
    frame = pd.read_csv(national_csv, dtype=str, keep_default_na=False)
    year = max(frame["fiscal_year"].astype(int))
    of_year = frame[frame["fiscal_year"].astype(int) == year]
    partial = of_year.head(PARTIAL_LINES).copy()
    partial["amount_paid"] = partial["amount_allocated"]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial.to_csv(out, index=False)
    return out, year, len(of_year)


def copy_database(source: Path, target: Path) -> None:
    remove_sqlite(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def publish_once(national_db: Path, work_db: Path, validated, name: str, mode: str) -> float:
    """Seconds of one publication of ``validated`` in ``mode`` onto a fresh copy of the national data."""
    copy_database(national_db, work_db)
    engine = make_engine(f"sqlite:///{work_db}")
    try:
        seconds, _ = timed(lambda: uploads.publish_validated(
            engine, validated, actor="bench", file_name=name, sha256="bench", mode=mode))
    finally:
        engine.dispose()
    return seconds


def preview_once(national_db: Path, validated) -> float:
    engine = make_engine(f"sqlite:///{national_db}")
    try:
        with engine.connect() as connection, connection.begin():
            base = versions.latest_version_id(connection)
            seconds, _ = timed(lambda: preview.preview_upload(connection, validated, base, UPDATE).summary())
    finally:
        engine.dispose()
    return seconds


def run(context) -> None:
    """Update and replace of the same partial file, interleaved; the preview; the ratio."""
    report: Report = context.report
    report.section(SECTION)
    geography = context.geography()
    national_db = context.database("national")
    path, year, year_lines = partial_file(context.files()[context.settings.lines],
                                          WORK_DIR / "partial.csv")
    validated = validate_table(read_budget_file(path.read_bytes(), path.name), geography.districts)
    if not validated.ok:
        raise RuntimeError(f"{path.name} did not validate: {validated.errors[:3]}")
    work_db = WORK_DIR / "publish.sqlite3"
    runs = 3 if context.settings.quick else 5
    updates, replaces = [], []
    for _ in range(runs):
        updates.append(publish_once(national_db, work_db, validated, path.name, UPDATE))
        replaces.append(publish_once(national_db, work_db, validated, path.name, REPLACE))
    remove_sqlite(work_db)
    what = f"{len(validated.lines):,} lines of {year} onto {context.settings.lines:,} ({year_lines:,} in {year})"
    baseline = report.figure(SECTION, f"{what}: replace mode (writes the file's lines only)",
                             median(replaces), "s", runs=runs)
    update = report.figure(SECTION, f"{what}: update mode (keeps the other {year_lines - len(validated.lines):,})",
                           median(updates), "s", runs=runs, baseline=baseline)
    report.figure(SECTION, f"{what}: the preview in update mode", median(
        [preview_once(national_db, validated) for _ in range(runs)]), "s", runs=runs)
    report.target(SECTION, f"update publication of a partial file at most {TARGET_RATIO:g}x replace",
                  f"<= {TARGET_RATIO:g}x", f"{update.ratio:.2f}x ({update.value:.2f} s vs {baseline.value:.2f} s)",
                  update.ratio <= TARGET_RATIO)
