"""Small per-process caches for read models and built map parts (cachetools' LRU).

Every key starts with the data version it was built from, so a publication or a rollback
makes the next request build afresh: nothing cached is ever stale, old entries simply age out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

import cachetools
from flask import current_app

T = TypeVar("T")
_MISSING = object()


class LruCache:
    """A cachetools ``LRUCache`` shared by the server's threads, with a lock around it
    (cachetools' caches are not thread-safe by themselves)."""

    def __init__(self, size: int):
        self.size = size
        self._items: cachetools.LRUCache = cachetools.LRUCache(maxsize=size)
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        value = build()  # outside the lock: a slow build must not hold up cached answers
        self.put(key, value)
        return value

    def get(self, key: Hashable):
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


def app_cache(name: str, size: int = 64) -> LruCache:
    """The app's cache called ``name`` (made on first use)."""
    caches = current_app.extensions.setdefault("caches", {})
    if name not in caches:
        caches.setdefault(name, LruCache(size))  # setdefault: two first requests keep one cache
    return caches[name]
