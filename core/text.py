"""The one rule for text people send us: normalised (NFKC), and no control characters.

Text is stored and compared in Unicode's compatibility form (NFKC): a fullwidth ``＝`` is ``=``,
``ﬁ`` is ``fi``, a non-breaking space a space, so the duplicate check, the search and the CSV
formula guard (``core.csv_export``) see what a spreadsheet or a reader sees. Three signs that
Kazakh and Russian texts use as they are keep their form (``KEPT``): NFKC would write
``школа №5`` as ``школа No5`` and ``120 м²`` as ``120 м2``. Control characters
(a NUL byte, an escape, the C1 range) have no place in a resident's message or a query: they
are refused, never silently stored or dropped. Tab, line feed and carriage return are text.

``CONTROL_PATTERN`` says the same as a JSON Schema / ECMA-262 ``pattern``, for the API's
OpenAPI document (``opendata.web.parameters``), so the document and the server agree.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab (09), line feed (0A) and carriage return (0D); DEL; the C1 controls.
_CONTROLS = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F"
CONTROL_PATTERN = f"^[^{_CONTROLS}]*$"  # a text without control characters
_CONTROL = re.compile(f"[{_CONTROLS}\ud800-\udfff]")  # and lone surrogates, which no encoder takes


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def without_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


KEPT = "№²³"
_KEPT = re.compile(f"([{KEPT}])")


def normalised(text: str) -> str:
    """``text`` in NFKC, the form it is stored and checked in, the ``KEPT`` signs as they are."""
    if text.isascii():
        return text
    parts = _KEPT.split(text)  # the kept signs at odd positions
    return "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))
