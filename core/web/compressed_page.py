"""A page compressed once, with gaps for a few short values that change with every request.

Gzip-compressing a 30-40 KB page costs about as much CPU as Flask's whole handling of a bare
request, so a page that is the same for everybody except a CSRF token must not be compressed
again for each answer. ``CompressedPage`` keeps each piece of text between the gaps as raw
deflate data flushed to a byte boundary (``Z_FULL_FLUSH``: no piece refers back into another),
and an answer writes each gap's value as a deflate *stored* block between them: one valid gzip
stream (RFC 1951, 1952) made without compressing anything.

The gzip trailer's CRC-32 covers the whole text. It is linear over GF(2): appending a fixed
piece B to a text whose CRC is c gives ``L_B(c) ^ crc32(B)``, with ``L_B`` a linear map kept as
its 32 columns (computed once, from ``zlib.crc32(B, start)``). So an answer computes the CRC of
the gap values only, and the pieces' text need not be kept at all: only their deflate data.
"""

from __future__ import annotations

import gzip
import re
import struct
import zlib
from dataclasses import dataclass

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, OS unknown
STORED_MAX = 65535


@dataclass(frozen=True)
class _Piece:
    deflate: bytes  # raw deflate, ending on a byte boundary (the last piece: the final block)
    length: int  # bytes of text
    crc: int  # crc32 of the piece alone
    columns: tuple[int, ...]  # L(1 << i): how a CRC before the piece carries through it


def _piece(text: bytes, last: bool, level: int) -> _Piece:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    deflate = compressor.compress(text) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(text)
    return _Piece(deflate, len(text), crc, tuple(zlib.crc32(text, 1 << i) ^ crc for i in range(32)))


def _carry(crc: int, piece: _Piece) -> int:
    """crc32 of (text with CRC ``crc``) followed by the piece."""
    result = piece.crc
    for i, column in enumerate(piece.columns):
        if crc >> i & 1:
            result ^= column
    return result


def _stored(value: bytes) -> bytes:
    """``value`` as non-final stored deflate blocks (the stream is on a byte boundary before and after)."""
    blocks = []
    for start in range(0, len(value), STORED_MAX):
        chunk = value[start:start + STORED_MAX]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks) or b"\x00\x00\x00\xff\xff"


@dataclass(frozen=True)
class CompressedPage:
    """``gaps[i]`` names the value that goes between ``pieces[i]`` and ``pieces[i + 1]``."""

    pieces: tuple[_Piece, ...]
    gaps: tuple[str, ...]

    @classmethod
    def of(cls, text: str, marks: dict[str, str], level: int = 6) -> CompressedPage:
        """``text`` with every occurrence of each mark (``{name: mark}``) as a gap for that name's value."""
        names = {mark: name for name, mark in marks.items()}
        if not names:
            return cls((_piece(text.encode(), True, level),), ())
        parts = re.split("(" + "|".join(map(re.escape, names)) + ")", text)
        texts, gaps = parts[0::2], tuple(names[mark] for mark in parts[1::2])
        return cls(tuple(_piece(part.encode(), i == len(texts) - 1, level) for i, part in enumerate(texts)), gaps)

    def gzip(self, values: dict[str, str]) -> bytes:
        """The page with ``values`` in its gaps, as a gzip body."""
        body = [GZIP_HEADER, self.pieces[0].deflate]
        crc, length = self.pieces[0].crc, self.pieces[0].length
        for name, piece in zip(self.gaps, self.pieces[1:]):
            value = values[name].encode()
            crc = zlib.crc32(value, crc)
            crc = _carry(crc, piece)
            length += len(value) + piece.length
            body += [_stored(value), piece.deflate]
        body.append(struct.pack("<II", crc, length & 0xFFFFFFFF))
        return b"".join(body)

    def text(self, values: dict[str, str]) -> bytes:
        """The page as plain bytes (for the rare client that takes no gzip)."""
        return gzip.decompress(self.gzip(values))

    @property
    def size(self) -> int:
        return sum(len(piece.deflate) for piece in self.pieces)
