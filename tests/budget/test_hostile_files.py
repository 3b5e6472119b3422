"""Hostile budget files are refused at once, in bounded memory, with a message saying the limit.

Each file is made here, small on disk: a workbook with one cell at XFD2 and one at A1048576
(calamine would build a grid of 17 billion cells), a CSV with a million columns, a workbook
whose sheet unpacks to more than 1 GB, and random bytes named .csv. Each is read in a child
process whose peak memory it reports (and whose address space is capped, so a regression fails
the test instead of taking the machine).
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest

from budget.limits import MAX_RATIO, ReadLimits, check_xlsx
from budget.reader import read_budget_file
from budget.validation import MORE_LIKE_THIS, WARNINGS_PER_KIND, validate_table
from tests.helpers import HEADER, PROJECT_DIR, budget_csv

PEAK_MB = 300

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>')
SHEET_START = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def workbook(sheet_parts, compresslevel: int = 6) -> bytes:
    """A minimal workbook, written by hand; ``sheet_parts``: the sheet XML, piece by piece."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for part in sheet_parts:
                sheet.write(part.encode("utf-8") if isinstance(part, str) else part)
    return buffer.getvalue()


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def table_rows(rows: list[list[str]], first: int = 1) -> str:
    """Rows of inline-string cells from column A."""
    from budget.limits import column_letters

    return "".join(f'<row r="{n}">' + "".join(inline(f"{column_letters(i + 1)}{n}", value)
                                               for i, value in enumerate(cells) if value) + "</row>"
                   for n, cells in enumerate(rows, start=first))


def gap_workbook() -> bytes:
    return workbook([SHEET_START, '<row r="2">', inline("XFD2", "x"), "</row>",
                     '<row r="1048576">', inline("A1048576", "y"), "</row>", SHEET_END])


def bomb_workbook() -> bytes:
    """A sheet whose XML unpacks to more than 1 GB (1,100 MB of identical rows), a few MB packed.

    Packed once: after a full flush deflate forgets what came before, so every megabyte packs
    to the same bytes, and the archive is written by hand around them (zipfile would pack all
    1,100 MB, a minute).
    """
    block = ('<row r="2">' + inline("A2", "x" * 60) + "</row>") * (1024 * 1024 // 90)
    block = block.encode("utf-8")[:1024 * 1024]  # whole megabytes; the XML need not close
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(SHEET_START.encode()) + first.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty last block
    crc = zlib.crc32(SHEET_START.encode())
    for _ in range(1100):
        crc = zlib.crc32(block, crc)
    size = len(SHEET_START) + 1100 * len(block)
    parts = [(name, text.encode(), None) for name, text in (
        ("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS))]
    parts.append(("xl/worksheets/sheet1.xml", None, (head + packed_block * 1100 + tail, crc, size)))
    return hand_made_zip(parts)


def hand_made_zip(parts) -> bytes:
    """A zip archive of (name, bytes, None) or (name, None, (deflated, crc, size)) entries."""
    out, directory = io.BytesIO(), []
    for name, data, packed in parts:
        if packed is None:
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = (packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))
        deflated, crc, size = packed
        offset = out.tell()
        encoded = name.encode()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(deflated), size)
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + deflated)
        directory.append(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                         + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(directory))
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts),
                                           out.tell() - start, start, 0))
    return out.getvalue()


def million_column_csv() -> bytes:
    return b"a;" * 999_999 + b"a\n" + b"1;" * 999_999 + b"1\n"


def garbage_csv() -> bytes:
    return np.random.default_rng(21).bytes(50 * 1024 * 1024)


CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a regression fails, the host stays
from budget.reader import read_budget_file


def peak_mb():
    # VmHWM belongs to the program started here; ru_maxrss would count the parent's memory
    # copied by the fork before exec.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


path = sys.argv[1]
with open(path, "rb") as handle:
    content = handle.read()
start = time.perf_counter()
raw = read_budget_file(content, path)
print(json.dumps({"codes": [p.code for p in raw.problems], "messages": [p.message() for p in raw.problems],
                  "rows": len(raw.frame), "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb()}))
"""


def read_in_child(path) -> dict:
    """Read ``path`` as the upload's job and the CLI do, in a child process: what it found and
    its peak memory (the child's own high-water mark, interpreter and libraries included)."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize(("name", "make", "largest", "code", "words"), [
    ("gap.xlsx", gap_workbook, 2_000, "sheet_too_wide",
     "The first sheet has cells as far right as column XFD (16\u00a0384 columns); at most 100 columns can be read."),
    ("bomb.xlsx", bomb_workbook, 8 << 20, "sheet_too_large",
     "The workbook unpacks to 1\u00a0100 MB of data; at most 512 MB"),
    ("wide.csv", million_column_csv, 4 << 20, "too_many_columns",
     "The table has 1\u00a0000\u00a0000 columns; at most 100"),
    ("garbage.csv", garbage_csv, 50 << 20, "binary_file", "The file is not a text table: it holds binary data."),
])
def test_a_hostile_file_is_refused_at_once_in_bounded_memory(tmp_path, name, make, largest, code, words):
    path = tmp_path / name
    path.write_bytes(make())
    assert path.stat().st_size <= largest
    found = read_in_child(path)
    assert found["codes"] == [code] and found["rows"] == 0
    assert found["messages"][0].startswith(words), found["messages"]
    assert found["peak_mb"] < PEAK_MB, found


# ---------------------------------------------------------------- each limit, small


def limits(**changed) -> ReadLimits:
    return ReadLimits(**{"max_rows": 20, "max_columns": 12, "max_cell_chars": 50, "max_cells": 200,
                         "max_sheet_bytes": 64 * 1024, **changed})


def rows_of(count: int, width: int = 10) -> list[list[str]]:
    header = HEADER.split(";")[:width]
    line = "T{n};Мектеп;Школа;school;43.297;68.2518;2025;capital_repair;100;50".split(";")[:width]
    return [header] + [[cell.replace("{n}", str(n)) for cell in line] for n in range(count)]


def xlsx_of(rows: list[list[str]]) -> bytes:
    return workbook([SHEET_START, table_rows(rows), SHEET_END])


def csv_of(rows: list[list[str]]) -> bytes:
    return budget_csv(*(";".join(r) for r in rows[1:]), header=";".join(rows[0]))


def problems(content: bytes, name: str, **changed) -> list[tuple[str, str]]:
    raw = read_budget_file(content, name, limits=limits(**changed))
    return [(p.code, p.message()) for p in raw.problems]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_file_just_within_every_limit_reads(kind):
    """20 rows of 10 columns (the limit 20 rows, 200 cells); a legitimate file near the limits."""
    rows = rows_of(20)
    content = xlsx_of(rows) if kind == "xlsx" else csv_of(rows)
    raw = read_budget_file(content, f"t.{kind}", limits=limits())
    assert raw.problems == [] and len(raw.frame) == 20
    assert raw.frame.loc[21, "facility_id"] == "T19"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_one_row_too_many_is_refused_saying_how_many(kind):
    rows = rows_of(21, width=9)
    content = xlsx_of(rows) if kind == "xlsx" else csv_of(rows)
    [(code, message)] = problems(content, f"t.{kind}", max_cells=10_000)
    if kind == "xlsx":
        assert code == "sheet_too_long"
        assert message.startswith("The first sheet has cells as far down as row 22 (21 rows below the "
                                  "header); at most 20 rows can be read in one file.")
    else:
        assert (code, message) == ("table_too_long", "The table has 21 rows; at most 20 can be read in "
                                   "one file. Split it into several files.")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_too_many_cells_is_refused(kind):
    rows = rows_of(20)
    content = xlsx_of(rows) if kind == "xlsx" else csv_of(rows)
    [(code, message)] = problems(content, f"t.{kind}", max_cells=150)
    assert code == "too_many_cells" and "at most 150 cells can be read in one file" in message


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_cell_too_long_is_refused_naming_it(kind):
    rows = rows_of(3)
    rows[2][2] = "ж" * 51
    content = xlsx_of(rows) if kind == "xlsx" else csv_of(rows)
    assert problems(content, f"t.{kind}") == [
        ("cell_too_long", "Cell C3 holds 51 characters; at most 50 can be read in one cell.")]


def test_a_csv_row_wider_than_the_limit_is_refused_on_that_row():
    content = csv_of(rows_of(3)) + b";".join([b"x"] * 13) + b"\r\n"
    assert problems(content, "t.csv") == [("too_many_columns_on_row", "Row 5 has 13 cells; at most 12 columns "
                                           "can be read. Delete the cells beyond the table.")]


def test_a_csv_line_too_long_and_a_csv_too_large_are_refused():
    long_line = csv_of(rows_of(2)) + b"x" * 2000 + b"\r\n"
    assert [c for c, _ in problems(long_line, "t.csv", max_cell_chars=10)] == ["line_too_long"]
    assert [c for c, _ in problems(csv_of(rows_of(2)), "t.csv", max_sheet_bytes=100)] == ["file_too_large"]


def test_an_empty_styled_cell_far_away_does_not_count():
    """calamine skips a cell without a value, as Excel writes for a formatted empty cell."""
    content = workbook([SHEET_START, table_rows(rows_of(3)), '<row r="9"><c r="AMJ9" s="1"/></row>', SHEET_END])
    raw = read_budget_file(content, "t.xlsx", limits=limits())
    assert raw.problems == [] and len(raw.frame) == 3


def test_a_sheet_not_written_as_excel_does_is_scanned_tag_by_tag():
    """Cells without their reference are placed after the previous one, as calamine does."""
    def sheet(cells: int) -> bytes:
        row = "".join('<c t="inlineStr"><is><t>v</t></is></c>' for _ in range(cells))
        return workbook([SHEET_START, table_rows(rows_of(2)), f"<row>{row}</row>", SHEET_END])

    assert [c for c, _ in problems(sheet(13), "t.xlsx")] == ["sheet_too_wide"]
    assert [c for c, _ in problems(sheet(12), "t.xlsx")] == []


def test_a_part_larger_than_its_header_says_is_refused():
    """A forged header that declares a small size does not let the real bytes through."""
    content = bytearray(xlsx_of(rows_of(3)))
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    entry = archive.getinfo("xl/worksheets/sheet1.xml")
    directory = bytes(content).find(b"xl/worksheets/sheet1.xml", content.find(b"PK\x01\x02")) - 46
    assert content[directory:directory + 4] == b"PK\x01\x02"
    uncompressed = int.from_bytes(content[directory + 24:directory + 28], "little")
    assert uncompressed in (entry.file_size, 0xFFFFFFFF)
    content[directory + 24:directory + 28] = (100).to_bytes(4, "little")
    raw = read_budget_file(bytes(content), "t.xlsx", limits=limits())
    assert [p.code for p in raw.problems] == ["unreadable_file"]
    assert "is larger than the archive says" in raw.problems[0].message()


def test_a_workbook_packed_too_tightly_is_refused_before_unpacking():
    content = workbook([SHEET_START, "<row/>" * 1_000_000, SHEET_END], compresslevel=9)
    with pytest.raises(ValueError) as refused:
        check_xlsx(content, ReadLimits())
    assert refused.value.code == "packed_too_tightly" and refused.value.params["limit"] == str(MAX_RATIO)


# ---------------------------------------------------------------- warnings of one kind, capped


def test_warnings_of_one_kind_are_capped_with_one_saying_how_many_more(geography):
    rows = [f"F{n};Мектеп;Школа;school;43,297;68,2518;2025;capital_repair;100;200" for n in range(150)]
    validated = validate_table(read_budget_file(budget_csv(*rows), "t.csv"), geography.districts)
    paid = [p for p in validated.problems if p.code == "paid_above_allocated"]
    assert len(paid) == WARNINGS_PER_KIND and [p.row for p in paid] == list(range(2, 102))
    [more] = [p for p in validated.problems if p.code == MORE_LIKE_THIS]
    assert validated.problems.index(more) == validated.problems.index(paid[-1]) + 1
    assert more.message() == "…and 50 more warnings like this."
    assert validated.warning_count == 150 and validated.ok
