"""Where a sheet's XML reaches: its farthest filled cell, found before calamine reads it (no Flask).

calamine makes a sheet one dense grid from its first to its last filled cell, so that extent is
what a sheet costs in memory. ``budget.limits`` refuses a sheet whose extent is beyond the limits;
these scanners find it on the unpacked XML as it streams by, a chunk at a time.
"""

from __future__ import annotations

import re

import numpy as np


class SheetScan:
    """The farthest cell of a sheet's XML as Excel and LibreOffice write it: every cell
    ``<c r="B7" ...>`` with its reference, in double quotes after one space.

    Found with numpy on each chunk. ``exact``: a cell without a value (``<c r="B7" s="1"/>``)
    does not count, as calamine skips it (slower; for a sheet found beyond the limits with them).
    Anything else (a cell without its reference, a prefixed tag, other quoting) marks the sheet
    ``odd``: ``SlowSheetScan`` then reads it tag by tag.
    """

    WINDOW = 40  # bytes after a reference's quote looked at: the reference and its tag's end
    SPACE = np.zeros(256, dtype=bool)
    SPACE[[9, 10, 13, 32]] = True
    TAG_END = SPACE.copy()
    TAG_END[[47, 62]] = True  # after "<c": a space, "/" or ">"

    def __init__(self, exact: bool = False):
        self.exact = exact
        self.rows = self.columns = 0
        self.cells = self.references = 0  # "<c" tags, and references with a column
        self.carry = b"\0\0"
        self.odd = False

    def feed(self, chunk: bytes, final: bool = False) -> None:
        """Tags and attributes starting in [2, end) of the carried bytes and ``chunk``: the carry
        is the two bytes before ``end`` (looked at already) and what follows."""
        if self.odd:
            return
        data = self.carry + chunk
        end = len(data) if final else max(len(data) - self.WINDOW - 8, 2)
        self.carry = data[end - 2:]
        buffer = np.frombuffer(data + b"\0" * (self.WINDOW + 4), dtype=np.uint8)
        region = buffer[2:end]
        opening = np.flatnonzero(region == 60) + 2  # '<'
        cells = opening[(buffer[opening + 1] == 99) & self.TAG_END[buffer[opening + 2]]]
        colons = np.flatnonzero(region == 58) + 2  # ':c' of a prefixed cell tag
        equals = np.flatnonzero(region == 61) + 2
        before, after = buffer[equals - 1], buffer[equals + 1]
        if ((buffer[colons + 1] == 99) & self.TAG_END[buffer[colons + 2]]).any() or (
                self.SPACE[before] | self.SPACE[after] | (after == 39)).any() or (
                (before == 114) & self.SPACE[buffer[equals - 2]] & (buffer[equals - 2] != 32)).any():
            self.odd = True  # quoted or spaced otherwise than Excel does
            return
        self.cells += len(cells)
        found = equals[(before == 114) & (buffer[equals - 2] == 32) & (after == 34)]
        if len(found):
            self._references(buffer, found + 2)

    def _references(self, buffer: np.ndarray, starts: np.ndarray) -> None:
        leading = np.zeros(len(starts), dtype=np.int64)  # letters of the column
        still = np.ones(len(starts), dtype=bool)
        column = np.zeros(len(starts), dtype=np.int64)
        for i in range(4):
            byte = buffer[starts + i].astype(np.int64)
            still &= (byte >= 65) & (byte <= 90)
            leading += still
            column = np.where(still, column * 26 + byte - 64, column)
        digits = np.zeros(len(starts), dtype=np.int64)
        still[:] = True
        row = np.zeros(len(starts), dtype=np.int64)
        for j in range(9):
            byte = buffer[starts + leading + j].astype(np.int64)
            still &= (byte >= 48) & (byte <= 57)
            digits += still
            row = np.where(still, row * 10 + byte - 48, row)
        closing = buffer[starts + leading + digits]
        if ((leading > 3) | (digits > 7) | (digits == 0) | (closing != 34)).any():
            self.odd = True  # a reference beyond XFD9999999, or not a reference at all
            return
        cell = leading > 0
        self.references += int(np.count_nonzero(cell))
        if self.exact:
            cell &= ~self._without_value(buffer, starts + leading + digits)
        if cell.any():
            self.columns = max(self.columns, int(column[cell].max()))
            self.rows = max(self.rows, int(row[cell].max()))

    def _without_value(self, buffer: np.ndarray, quotes: np.ndarray) -> np.ndarray:
        """Whether each cell tag, from its reference's closing quote, ends with "/>" (a tag longer
        than the window counts as having a value)."""
        seen = np.zeros(len(quotes), dtype=bool)
        empty = np.zeros(len(quotes), dtype=bool)
        previous = buffer[quotes]
        for k in range(1, self.WINDOW - 12):
            byte = buffer[quotes + k]
            ends = (byte == 62) & ~seen
            empty |= ends & (previous == 47)
            seen |= ends
            previous = byte
        return empty

    def finish(self) -> None:
        self.feed(b"", final=True)
        if self.cells != self.references:  # a cell without its reference
            self.odd = True


class SlowSheetScan:
    """The farthest filled cell of any sheet XML calamine reads, tag by tag (as calamine places
    cells: a reference when given, else after the previous cell or row)."""

    TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
    REFERENCE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")

    def __init__(self):
        self.rows = self.columns = 0
        self.row = self.column = 0  # calamine's next position, from 0
        self.open_cell: tuple[int, int] | None = None
        self.carry = b""
        self.odd = False

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.carry + chunk
        end = len(data) if final else data.rfind(b"<")
        if end < 0:
            end = len(data)
        self.carry = data[end:]
        for match in self.TAG.finditer(data, 0, end):
            closing, name, attributes = match.group(1), match.group(2), match.group(3)
            self._tag(bool(closing), name, attributes)

    def _tag(self, closing: bool, name: bytes, attributes: bytes) -> None:
        if name == b"row":
            if closing:
                self.row, self.column = self.row + 1, 0
                return
            reference = self.REFERENCE.search(attributes)
            if reference and reference.group(2):
                self.row = int(reference.group(2)) - 1
            if attributes.endswith(b"/"):
                self.row, self.column = self.row + 1, 0
            return
        if closing:
            if self.open_cell is not None:
                self._filled(*self.open_cell)
            self.open_cell = None
            return
        reference = self.REFERENCE.search(attributes)
        row, column = self.row, self.column
        if reference and reference.group(1):
            column = _column_number(reference.group(1).upper()) - 1
            row = int(reference.group(2)) - 1 if reference.group(2) else row
        self.column = column + 1
        self.open_cell = None if attributes.endswith(b"/") else (row, column)

    def _filled(self, row: int, column: int) -> None:
        self.rows, self.columns = max(self.rows, row + 1), max(self.columns, column + 1)

    def finish(self) -> None:
        self.feed(b"", final=True)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters[:8]:  # longer is far beyond any limit anyway
        number = number * 26 + letter - 64
    return number
