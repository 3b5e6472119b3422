"""Bounds on a budget file, checked before it is read, so a hostile or broken file is refused at
once and in bounded memory (no Flask).

An XLSX is a zip archive: its entries' declared sizes and compression ratios are checked first
(a few bytes each), then the parts python-calamine reads are unpacked here, as a stream, counting
the real bytes (a part larger than its header says is refused), and the first sheet's XML is
scanned for its farthest filled cell. calamine builds the sheet as one dense grid from A1 to that
cell, so a sheet with one cell at XFD2 and one at A1048576 would ask for 17 billion cells: the
scan refuses it before calamine starts. A CSV is checked on its bytes (size, binary data, line
lengths, the header's columns) before it is parsed, and parsed no further than the limits allow.

Each refusal is an ``UnreadableFile`` whose code has a message in ``core.errors`` saying the
limit and what the file has.
"""

from __future__ import annotations

import copy
import io
import posixpath
import struct
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import numpy as np

from budget.sheet_scan import SheetScan, SlowSheetScan

MB = 1024 * 1024
MAX_ZIP_ENTRIES = 1000  # a workbook saved by Excel or LibreOffice has a few dozen
MAX_CENTRAL_DIRECTORY = 4 * MB
MAX_RATIO = 200  # spreadsheet XML packs about 10 times; a bomb packs thousands of times
RATIO_FLOOR = MB  # small parts may pack as tightly as they like
CHUNK = MB
CSV_SAMPLE = 65_536
SAMPLE_CONTROL_SHARE = 0.01  # control characters in a text table's first 64 KB: none, in practice
TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 13))
RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX table that can be read at all (or is beyond the limits)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ReadLimits:
    """What one budget file may hold (``budget.settings`` reads them from the app's settings)."""

    max_rows: int = 1_000_000  # rows below the header
    max_columns: int = 100
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    max_cells: int = 15_000_000  # rows x columns: 500,000 lines of every column of the format
    max_sheet_bytes: int = 512 * MB  # a sheet's XML unpacked, or a CSV file

    def __post_init__(self):
        for name in ("max_rows", "max_columns", "max_cell_chars", "max_cells", "max_sheet_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number above 0, not {value!r}")

    @property
    def max_line_chars(self) -> int:
        """The longest line a CSV within the limits can have (every cell full, quoted)."""
        return self.max_columns * (self.max_cell_chars + 3)


def count(number: int) -> str:
    """A count as officials read it: digits grouped by (non-breaking) spaces, 1 048 576."""
    return f"{number:,}".replace(",", "\u00a0")


def megabytes(size: int) -> str:
    return count(max(1, round(size / MB)))


def column_letters(number: int) -> str:
    """Excel's name of a column: 1 -> A, 28 -> AB, 16384 -> XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- XLSX


def check_xlsx(content: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook beyond ``limits`` before calamine reads it; a broken archive is left to
    calamine, which says why it cannot read it."""
    _check_central_directory(content)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise UnreadableFile("too_many_parts", found=count(len(entries)), limit=count(MAX_ZIP_ENTRIES))
        for entry in entries:
            _check_declared(entry, limits)
        first = _first_sheet(archive, limits)
        sheets = [first] if first else [e.filename for e in entries if _is_sheet(e.filename)]
        for entry in entries:
            if entry.is_dir() or (_is_sheet(entry.filename) and entry.filename not in sheets):
                continue  # calamine never unpacks the other sheets
            if entry.filename in sheets:
                _check_sheet(archive, entry, limits)
            elif not entry.filename.startswith("xl/media/"):
                _unpack(archive, entry, limits)


def _check_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: ReadLimits) -> None:
    """The sheet's farthest cell within the limits: found fast, then (beyond them) again
    without the cells that hold no value, then tag by tag for a sheet not as Excel writes it."""
    for scan in (SheetScan(), SheetScan(exact=True), SlowSheetScan()):
        _unpack(archive, entry, limits, scan.feed)
        scan.finish()
        if scan.odd:
            continue
        if isinstance(scan, SheetScan) and not scan.exact and not within(scan.rows, scan.columns, limits):
            continue
        check_extent(scan.rows, scan.columns, limits)
        return


def within(rows: int, columns: int, limits: ReadLimits) -> bool:
    return (columns <= limits.max_columns and rows - 1 <= limits.max_rows
            and (rows - 1) * columns <= limits.max_cells)


def check_extent(rows: int, columns: int, limits: ReadLimits) -> None:
    """The sheet reaches row ``rows`` and column ``columns`` (its farthest filled cell); the
    header is row 1."""
    if columns > limits.max_columns:
        raise UnreadableFile("sheet_too_wide", column=column_letters(columns), found=count(columns),
                             limit=count(limits.max_columns))
    if rows - 1 > limits.max_rows:
        raise UnreadableFile("sheet_too_long", row=count(rows), found=count(rows - 1),
                             limit=count(limits.max_rows))
    if (rows - 1) * columns > limits.max_cells:  # below the header, as in a CSV
        raise UnreadableFile("too_many_cells", rows=count(rows - 1), columns=count(columns),
                             found=count((rows - 1) * columns), limit=count(limits.max_cells))


def _check_central_directory(content: bytes) -> None:
    """The archive's entry count and directory size from its last record, before Python's
    zipfile makes an object of every entry."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 22 > len(content):
        return
    entries, directory = struct.unpack_from("<HI", content, end + 10)
    if entries == 0xFFFF or entries > MAX_ZIP_ENTRIES or directory > MAX_CENTRAL_DIRECTORY:
        raise UnreadableFile("too_many_parts", found=count(entries) if entries != 0xFFFF else "65\u00a0535+",
                             limit=count(MAX_ZIP_ENTRIES))


def _check_declared(entry: zipfile.ZipInfo, limits: ReadLimits) -> None:
    if entry.file_size > limits.max_sheet_bytes:
        raise UnreadableFile("sheet_too_large", found=megabytes(entry.file_size),
                             limit=megabytes(limits.max_sheet_bytes))
    if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
        raise UnreadableFile("packed_too_tightly", ratio=count(entry.file_size // max(entry.compress_size, 1)),
                             limit=count(MAX_RATIO))


def _unpack(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: ReadLimits, feed=None) -> None:
    """Unpack one part as a stream, refusing it once it is larger than its header said (its
    declared size passed ``_check_declared``) or than the limit."""
    unbounded = copy.copy(entry)
    unbounded.file_size = 1 << 62  # zipfile would stop at the declared size: count the real bytes
    size = 0
    try:
        with archive.open(unbounded) as part:
            while chunk := part.read(CHUNK):
                size += len(chunk)
                if size > limits.max_sheet_bytes:
                    raise UnreadableFile("sheet_too_large", found=f"> {megabytes(limits.max_sheet_bytes)}",
                                         limit=megabytes(limits.max_sheet_bytes))
                if size > entry.file_size:
                    raise UnreadableFile("unreadable_file", detail=f"{entry.filename} is larger than "
                                         "the archive says: the file is damaged or forged")
                if feed is not None:
                    feed(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile("unreadable_file", detail=f"{entry.filename}: {exc}") from exc


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def _first_sheet(archive: zipfile.ZipFile, limits: ReadLimits) -> str | None:
    """The part of the workbook's first sheet, as calamine finds it (None when unclear: then
    every sheet is checked)."""
    names = set(archive.namelist())
    try:
        workbook = _small_xml(archive, "xl/workbook.xml", limits)
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels", limits)
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = next((e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"), None)
    rid = sheet.get(f"{{{RELS_NS}}}id") if sheet is not None else None
    target = next((e.get("Target") for e in rels.iter()
                   if e.tag.rsplit("}", 1)[-1] == "Relationship" and e.get("Id") == rid), None)
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return path if path in names else None


def _small_xml(archive: zipfile.ZipFile, name: str, limits: ReadLimits):
    entry = archive.getinfo(name)
    if entry.file_size > 16 * MB:  # no workbook lists that many sheets: left to the stream checks
        raise KeyError(name)
    parts: list[bytes] = []
    _unpack(archive, entry, limits, parts.append)
    return ElementTree.fromstring(b"".join(parts))


# ---------------------------------------------------------------- CSV


def check_csv_bytes(content: bytes, limits: ReadLimits) -> None:
    """Refuse a CSV beyond ``limits`` or not text at all, before decoding it."""
    if len(content) > limits.max_sheet_bytes:
        raise UnreadableFile("file_too_large", found=megabytes(len(content)),
                             limit=megabytes(limits.max_sheet_bytes))
    sample = content[:CSV_SAMPLE]
    if b"\x00" in content or len(sample.translate(None, TEXT_BYTES)) > SAMPLE_CONTROL_SHARE * len(sample):
        raise UnreadableFile("binary_file")
    _check_lines(content, limits)


def _check_lines(content: bytes, limits: ReadLimits) -> None:
    """Every line within ``max_line_chars`` (in bytes: a UTF-8 letter takes two); the header's
    cells counted on the header line alone."""
    start, number = 0, 0
    longest = limits.max_line_chars * 2
    header_done = False
    for offset in range(0, len(content), 16 * MB):
        block = np.frombuffer(content, dtype=np.uint8, count=min(16 * MB, len(content) - offset), offset=offset)
        ends = np.flatnonzero(block == 10) + offset
        if not header_done and (len(ends) or offset + len(block) >= len(content)):
            header_end = int(ends[0]) if len(ends) else len(content)
            _check_header(content, header_end, limits)
            header_done = True
        if len(ends):
            lengths = np.diff(ends, prepend=start)
            if int(lengths.max()) > longest:
                at = int(lengths.argmax())
                raise UnreadableFile("line_too_long", row=count(number + at + 1), limit=count(limits.max_line_chars))
            start, number = int(ends[-1]) + 1, number + len(ends)
        if (offset + len(block)) - start > longest:
            raise UnreadableFile("line_too_long", row=count(number + 1), limit=count(limits.max_line_chars))


def _check_header(content: bytes, end: int, limits: ReadLimits) -> None:
    """The first line's cells: counted by its separators (';', ',' or tab, the most used)."""
    found = max(content.count(separator, 0, end) for separator in (b";", b",", b"\t")) + 1
    if found <= limits.max_columns:
        return
    if end <= CSV_SAMPLE:  # a separator inside quotes is no cell: count exactly
        import csv

        line = content[:end].decode("utf-8", errors="replace")
        separator = max((";", ",", "\t"), key=line.count)
        found = max((len(row) for row in csv.reader(io.StringIO(line), delimiter=separator)), default=0)
        if found <= limits.max_columns:
            return
    raise UnreadableFile("too_many_columns", found=count(found), limit=count(limits.max_columns))
