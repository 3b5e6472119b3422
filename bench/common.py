"""What every benchmark shares: settings of a run, timing, figures, targets and the report.

A figure is a median of several runs with its baseline measured in the same run, so the ratio
means something even on a noisy machine; a target is a figure checked against the issue's
limit. Figures print as soon as they are measured (a long run shows progress) and are kept
for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import national

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = national.OUT_DIR


@dataclass
class Settings:
    """Sizes and repetitions of one run; ``quick_settings()`` is small enough for development."""

    facilities: int = 50_000
    lines: int = 500_000
    subsets: tuple[int, ...] = (5_000, 50_000)
    large_map_facilities: int = 200_000
    import_runs: dict[int, int] = field(default_factory=lambda: {5_000: 5, 50_000: 5, 500_000: 3})
    draw_runs: int = 5
    naive_build_runs: int = 1
    naive_draw_runs: int = 2
    load_runs: int = 3
    load_seconds: float = 6.0
    load_max_requests: int = 50_000
    load_clients: int = 50
    feedback_seconds: float = 30.0
    feedback_clients: int = 20
    feedback_max_requests: int = 100_000
    quick: bool = False
    profile: bool = False

    @classmethod
    def quick_settings(cls) -> Settings:
        return cls(facilities=5_000, lines=50_000, subsets=(5_000,), large_map_facilities=20_000,
                   import_runs={5_000: 3, 50_000: 2}, draw_runs=3, naive_build_runs=1,
                   naive_draw_runs=1, load_runs=1, load_seconds=3.0, load_max_requests=5_000,
                   feedback_seconds=5.0, quick=True)

    def runs_for(self, lines: int) -> int:
        return self.import_runs.get(lines, 3)


@dataclass
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    runs: int = 1
    baseline: str = ""  # the figure's baseline, by name
    ratio: float | None = None  # value / baseline's value
    note: str = ""


@dataclass
class Target:
    section: str
    name: str
    limit: str
    measured: str
    passed: bool | None  # None: not measured


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB" if value >= 1e6 else f"{value / 1e3:.1f} KB"
    if unit in ("req/s", "rows/s", "submissions/s"):
        return f"{value:,.0f} {unit}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.1f}x"
    return f"{value:g} {unit}"


class Report:
    """Figures, targets and notes of a run, printed as they come."""

    def __init__(self, settings: Settings, log: Callable[[str], None] = print):
        self.settings = settings
        self.figures: list[Figure] = []
        self.targets: list[Target] = []
        self.notes: dict[str, list[str]] = {}
        self.sections_run: list[str] = []
        self.log = log

    def section(self, name: str) -> None:
        self.sections_run.append(name)
        self.log(f"\n== {name}")

    def figure(self, section: str, name: str, value: float | None, unit: str, *, runs: int = 1,
               baseline: Figure | None = None, note: str = "") -> Figure:
        ratio = None
        if baseline is not None and baseline.value and value is not None:
            ratio = value / baseline.value
        figure = Figure(section, name, value, unit, runs, baseline.name if baseline else "", ratio, note)
        self.figures.append(figure)
        extra = f"  ({ratio:.2f}x baseline)" if ratio is not None else ""
        runs_text = f"  [median of {runs}]" if runs > 1 else ""
        self.log(f"  {name:<58} {format_value(value, unit):>14}{extra}{runs_text}"
                 + (f"  -- {note}" if note else ""))
        return figure

    def target(self, section: str, name: str, limit: str, measured: str, passed: bool | None) -> Target:
        target = Target(section, name, limit, measured, passed)
        self.targets.append(target)
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[passed]
        self.log(f"  target: {name}: {measured} (limit {limit}) -> {verdict}")
        return target

    def note(self, section: str, text: str) -> None:
        self.notes.setdefault(section, []).append(text)
        self.log(f"  note: {text}")


def app_config(geography_dir: Path, database: Path) -> dict:
    """Settings of the app under test: the national geography, a bench database, no tiles."""
    return {"DATABASE_URL": f"sqlite:///{database}", "BOUNDARIES_DIR": str(geography_dir),
            "TILES_URL": "", "SECRET_KEY": "bench-not-secret"}


def app_environment(geography_dir: Path, database: Path) -> dict[str, str]:
    """The same settings as ``FLASK_`` environment variables, for gunicorn."""
    return {f"FLASK_{key}": value for key, value in app_config(geography_dir, database).items()}


def bench_app(context, database: Path | None = None):
    """The real app (``create_app``) on the national geography and ``database``."""
    from app import create_app

    return create_app(app_config(context.geography_dir(), database or context.database()))


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Wall-clock seconds of one call, and its result."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def remove_sqlite(path: Path) -> None:
    """Delete an SQLite file with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass
