"""Small per-process caches for read models and built map parts.

Every key starts with the data version it was built from, so a publication or a rollback
makes the next request build afresh: nothing cached is ever stale, old entries simply age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


class LruCache:
    """A thread-safe least-recently-used cache (the dev server and gunicorn threads share it)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = build()  # outside the lock: a slow build must not hold up cached answers
        self.put(key, value)
        return value

    def get(self, key: Hashable):
        """The value kept for ``key``, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def app_cache(name: str, size: int = 64) -> LruCache:
    """The app's cache called ``name`` (made on first use)."""
    caches = current_app.extensions.setdefault("caches", {})
    if name not in caches:
        caches.setdefault(name, LruCache(size))  # setdefault: two first requests keep one cache
    return caches[name]
