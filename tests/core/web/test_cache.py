"""The per-process cache: least recently used entries go first, builds happen once per key."""

import threading

from core.web.cache import LruCache


def test_builds_once_per_key_and_drops_the_least_recently_used():
    cache, builds = LruCache(2), []

    def build(value):
        return lambda: builds.append(value) or value

    assert cache.get_or_build("a", build("A")) == "A"
    assert cache.get_or_build("a", build("other")) == "A"
    cache.get_or_build("b", build("B"))
    cache.get_or_build("a", build("A2"))  # touch "a": "b" is now the oldest
    cache.get_or_build("c", build("C"))
    assert len(cache) == 2
    assert cache.get_or_build("a", build("A3")) == "A"
    assert cache.get_or_build("b", build("B2")) == "B2"
    assert builds == ["A", "B", "C", "B2"]


def test_threads_share_it_safely():
    cache = LruCache(8)
    results = []

    def worker(n):
        for i in range(200):
            key = (n + i) % 16
            results.append((key, cache.get_or_build(key, lambda key=key: f"value {key}")))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 800 and len(cache) == 8
    assert all(value == f"value {key}" for key, value in results)  # never another key's value
