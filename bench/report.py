"""Write the figures of a run into ``docs/benchmarks.md``.

Only the part between the two markers is generated; what is written around it by hand (how to
read the figures, what was profiled and fixed, before and after) is kept as it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.common import PROJECT_DIR, Report, format_value

DOC = PROJECT_DIR / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:results:begin (written by `make bench`; edit outside these markers) -->"
END = "<!-- bench:results:end -->"
SKELETON = f"""# Benchmarks at national scale

`make bench` measures the application at the size of all of Kazakhstan (224 districts, 50,000
facilities, 500,000 budget lines over ten years) against baselines measured in the same run,
and rewrites the results below. See `bench/README.md` for what each scenario does.

{BEGIN}
{END}
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report, machine: dict[str, str], command: str, seconds: float) -> str:
    lines = [BEGIN, "",
             f"Measured {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} by `{command}` "
             f"in {seconds / 60:.1f} minutes.", "", "### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {_cell(value)} |" for key, value in machine.items()]
    lines += ["", "### Targets", "", "| scenario | target | limit | measured | result |",
              "|---|---|---|---|---|"]
    verdicts = {True: "**pass**", False: "**FAIL**", None: "not measured"}
    lines += [f"| {t.section} | {_cell(t.name)} | {_cell(t.limit)} | {_cell(t.measured)} | {verdicts[t.passed]} |"
              for t in report.targets]
    for section in sorted(report.sections_run, key=lambda name: name.split(".")[0].zfill(3)):
        figures = [f for f in report.figures if f.section == section]
        notes = report.notes.get(section, [])
        lines += ["", f"### {section}", ""]
        if figures:
            lines += ["| figure | value | runs | baseline | ratio | note |", "|---|---|---|---|---|---|"]
            for f in figures:
                ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
                lines.append(f"| {_cell(f.name)} | {format_value(f.value, f.unit)} | {f.runs} | "
                             f"{_cell(f.baseline)} | {ratio} | {_cell(f.note)} |")
        lines += [""] + [f"- {_cell(n)}" for n in notes] if notes else []
    lines += ["", END]
    return "\n".join(lines)


def write(report: Report, machine: dict[str, str], command: str, seconds: float,
          path: Path = DOC) -> Path:
    """Replace the generated part of ``path`` (made from a skeleton if missing)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else SKELETON
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + END + "\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + render(report, machine, command, seconds) + tail, encoding="utf-8")
    return path
