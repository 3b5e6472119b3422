"""What changed between two sets of budget lines: added, removed and changed lines.

Pure functions on plain dicts (no database, no Flask), so the facility page's history and the
officials' upload preview share one definition of "a change". Lines are matched by their key
(``budget.format.LINE_KEY`` unless told otherwise); a line whose key is in both sets and
whose compared fields differ is "changed", with one ``FieldChange`` per differing field.

Missing values compare equal however they arrive: ``None``, ``float('nan')``, ``pandas.NA`` and
the empty string are all "no value" (the validator treats them so in keys, too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.vocabulary import LINE_KEY

# Storage details that say nothing about the line's content: never compared by default.
NOT_COMPARED = frozenset({"id", "version_id", "facility_pk", "source_row"})


class DuplicateLineKey(ValueError):
    """Two lines of one set share a key, so they cannot be matched one to one."""


@dataclass(frozen=True)
class FieldChange:
    """One field of a matched line: its value before and after (``None`` = no value)."""

    field: str
    before: object
    after: object


@dataclass(frozen=True)
class LineChange:
    """A line present on both sides whose compared fields differ."""

    key: tuple
    before: dict
    after: dict
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class LineDiff:
    """The difference between two sets of lines, each list ordered by key."""

    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[LineChange] = field(default_factory=list)
    unchanged: int = 0

    def __bool__(self) -> bool:
        """True when anything was added, removed or changed."""
        return bool(self.added or self.removed or self.changed)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed),
                "changed": len(self.changed), "unchanged": self.unchanged}


def missing(value) -> bool:
    """True for None, NaN, pandas.NA and the empty (or blank) string."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except TypeError:  # pandas.NA refuses to be a bool
        return True


def normalised(value):
    """``value``, or None when it is missing."""
    return None if missing(value) else value


def line_key(line: dict, key: Sequence[str] = LINE_KEY) -> tuple:
    """The values of ``key``'s fields, missing ones as None."""
    return tuple(normalised(line.get(name)) for name in key)


def _sort_key(key: tuple) -> tuple:
    # None sorts first without ever being compared with a value.
    return tuple((value is not None, value) for value in key)


def _index(lines: Iterable[dict], key: Sequence[str], side: str) -> dict[tuple, dict]:
    indexed: dict[tuple, dict] = {}
    for line in lines:
        k = line_key(line, key)
        if k in indexed:
            raise DuplicateLineKey(f"Two {side} lines have the key {dict(zip(key, k))}.")
        indexed[k] = line
    return indexed


def field_changes(before: dict, after: dict, fields: Iterable[str]) -> tuple[FieldChange, ...]:
    """The fields whose values differ (missing values are equal to each other)."""
    changes = []
    for name in fields:
        old, new = normalised(before.get(name)), normalised(after.get(name))
        if old != new:
            changes.append(FieldChange(name, old, new))
    return tuple(changes)


def compared_fields(lines: Iterable[dict], key: Sequence[str] = LINE_KEY,
                    ignore: Iterable[str] = NOT_COMPARED) -> tuple[str, ...]:
    """Every field that appears in ``lines``, except the key and ``ignore``, in first-seen order."""
    skip = set(key) | set(ignore)
    seen: dict[str, None] = {}
    for line in lines:
        for name in line:
            if name not in skip:
                seen.setdefault(name)
    return tuple(seen)


def diff_lines(before: Iterable[dict], after: Iterable[dict], *, key: Sequence[str] = LINE_KEY,
               fields: Sequence[str] | None = None,
               ignore: Iterable[str] = NOT_COMPARED) -> LineDiff:
    """Match ``before`` and ``after`` by ``key`` and say what was added, removed or changed.

    ``fields`` are the fields compared on matched lines, in the order changes are reported;
    by default every field either side has, except the key and ``ignore``. Raises
    ``DuplicateLineKey`` when one side has two lines with the same key.
    """
    old = _index(before, key, "old")
    new = _index(after, key, "new")
    if fields is None:
        fields = compared_fields([*old.values(), *new.values()], key, ignore)
    added = [new[k] for k in sorted(new.keys() - old.keys(), key=_sort_key)]
    removed = [old[k] for k in sorted(old.keys() - new.keys(), key=_sort_key)]
    changed, unchanged = [], 0
    for k in sorted(old.keys() & new.keys(), key=_sort_key):
        changes = field_changes(old[k], new[k], fields)
        if changes:
            changed.append(LineChange(k, old[k], new[k], changes))
        else:
            unchanged += 1
    return LineDiff(added=added, removed=removed, changed=changed, unchanged=unchanged)
