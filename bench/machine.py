"""The machine a run was measured on, gathered by the bench itself (figures mean little without it)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PACKAGES = ("pandas", "numpy", "Flask", "SQLAlchemy", "gunicorn", "folium", "geopandas", "shapely",
            "orjson", "playwright", "aiohttp")


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(key):
                return line.split(":" if ":" in line else "=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def chromium_version(executable: str = CHROMIUM) -> str:
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return done.stdout.strip() or "unknown"


def describe() -> dict[str, str]:
    """CPU, cores, RAM, OS, Python, SQLite, chromium and the main package versions."""
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    try:
        memory = f"{int(mem_kb) / 1024 / 1024:.1f} GiB"
    except ValueError:
        memory = "unknown"
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    packages = []
    for name in PACKAGES:
        try:
            packages.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return {
        "CPU": _first("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": f"{_first('/etc/os-release', 'PRETTY_NAME')} (Linux {platform.release()})",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "Chromium": chromium_version(),
        "packages": ", ".join(packages),
        "load average at start (1/5/15 min)": load,
    }


if __name__ == "__main__":
    for key, value in describe().items():
        print(f"{key}: {value}")
