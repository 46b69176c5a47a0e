"""Small per-process caches of figures computed from the registry.

A value is stored under a key that includes the registry revision read at the time of
the request (``tuoyu.registry.selectors.registry_revision``), so a changed registry is
never answered from the cache: its revision differs. Each process keeps its own few
entries; nothing is shared or needs invalidating across processes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")

_caches: list[RevisionCache[object]] = []


class RevisionCache(Generic[Value]):
    """A thread-safe LRU of at most ``size`` entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()
        _caches.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def revision_caches_clear() -> None:
    """Empty every revision cache of this process (tests; after writing outside the services)."""
    for cache in _caches:
        cache.clear()
