"""Run the benchmarks: ``python -m bench.run [--quick] [--only import,map,load,feedback]``.

``make bench`` runs them all at full size and rewrites ``docs/benchmarks.md``. A partial or
quick run writes its report to ``bench/out/benchmarks-partial.md`` instead, so the document
always holds a complete run. Scenarios share one ``Context``: the national geography, the
generated files and the national database are made once per run, when first needed.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import generate, national
from bench import report as report_doc
from bench.common import OUT_DIR, Report, Settings


class Context:
    """What the scenarios share within one run, each made on first use."""

    def __init__(self, settings: Settings, report: Report):
        self.settings = settings
        self.report = report
        self._geography_dir: Path | None = None
        self._geography = None
        self._files: dict[int, Path] | None = None
        self._databases: dict[str, Path] = {}

    def geography_dir(self) -> Path:
        if self._geography_dir is None:
            self._geography_dir = national.write_geography()
        return self._geography_dir

    def geography(self):
        if self._geography is None:
            from geo.boundaries import load_geography

            self._geography = load_geography(self.geography_dir())
        return self._geography

    def files(self) -> dict[int, Path]:
        """{line count: CSV} of the national table and its subsets."""
        if self._files is None:
            self.geography_dir()
            sizes = generate.Sizes(self.settings.facilities, self.settings.lines)
            self._files = generate.ensure_files(sizes=sizes, subsets=self.settings.subsets,
                                                log=self.report.log)
        return self._files

    def adopt_database(self, name: str, path: Path) -> Path:
        """Keep ``path`` (an import the import scenario made anyway) as the ``name`` database."""
        target = OUT_DIR / f"{name}.sqlite3"
        from bench.common import remove_sqlite

        remove_sqlite(target)
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                Path(f"{path}{suffix}").replace(f"{target}{suffix}")
        self._databases[name] = target
        return target

    def database(self, name: str = "national") -> Path:
        """An app database with the full national table ("national") or the large map set
        ("large": one line per facility), published through the real import."""
        if name not in self._databases:
            from bench.import_bench import build_database

            if name == "national":
                csv_path = self.files()[self.settings.lines]
            else:
                count = self.settings.large_map_facilities
                csv_path = generate.ensure_files(sizes=generate.Sizes(count, count), subsets=(),
                                                 log=self.report.log)[count]
            path = OUT_DIR / f"{name}.sqlite3"
            seconds = build_database(path, csv_path, self.geography())
            self.report.log(f"  database {path.name}: {csv_path.name} imported in {seconds:.1f} s")
            self._databases[name] = path
        return self._databases[name]


def _scenarios() -> dict[str, Callable[[Context], None]]:
    from bench import feedback_bench, import_bench, load_bench, map_bench, phone_bench, publish_bench, workspace_bench

    return {"import": import_bench.run, "map": map_bench.run, "load": load_bench.run,
            "feedback": feedback_bench.run, "publish": publish_bench.run, "workspace": workspace_bench.run,
            "phone": phone_bench.run}


ALIASES = {"memory": "load", "serve": "load"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Open Budget Map benchmarks at national scale.")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few runs, for development (report not written to docs/)")
    parser.add_argument("--only", default="",
                        help="comma-separated scenarios: import, map, load (also memory), feedback, publish, workspace, phone")
    parser.add_argument("--profile", action="store_true",
                        help="also write pyinstrument profiles to bench/out/profiles/")
    parser.add_argument("--write", action="store_true",
                        help="write docs/benchmarks.md even for a partial or quick run")
    args = parser.parse_args(argv)
    scenarios = _scenarios()
    chosen = [ALIASES.get(s.strip(), s.strip()) for s in args.only.split(",") if s.strip()] or list(scenarios)
    unknown = sorted(set(chosen) - set(scenarios))
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {sorted(scenarios) + sorted(ALIASES)}")

    from bench import machine

    settings = Settings.quick_settings() if args.quick else Settings()
    settings.profile = args.profile
    report = Report(settings, log=lambda text: print(text, flush=True))
    description = machine.describe()
    print("Open Budget Map benchmarks" + (" (quick)" if args.quick else ""))
    for key, value in description.items():
        print(f"  {key}: {value}")
    context = Context(settings, report)
    started = time.perf_counter()
    for name in scenarios:
        if name in chosen:
            scenarios[name](context)
    seconds = time.perf_counter() - started
    complete = not args.quick and set(chosen) == set(scenarios)
    command = "make bench" if complete else "python -m bench.run " + " ".join(map(shlex.quote, argv or sys.argv[1:]))
    path = report_doc.write(report, description, command, seconds,
                            report_doc.DOC if complete or args.write else OUT_DIR / "benchmarks-partial.md")
    failed = [t for t in report.targets if t.passed is False]
    print(f"\nDone in {seconds / 60:.1f} min; {len(report.targets) - len(failed)} of "
          f"{len(report.targets)} targets met. Report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
