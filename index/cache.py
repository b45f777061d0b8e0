"""A small thread-safe LRU cache with a size budget, for the per-generation caches.

A searcher lives as long as its generation, which on a server may be days; every cache keyed by
what users type must therefore forget, or one client sending unique words grows the process
without bound (the audit measured 0.45 KB per unique query word).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``max_items`` entries and ``max_weight`` total weight; least recently used go
    first. ``weigh`` gives an entry's weight (1 each by default)."""

    def __init__(self, max_items: int, max_weight: int | None = None,
                 weigh: Callable[[V], int] | None = None) -> None:
        self.max_items = max_items
        self.max_weight = max_weight
        self._weigh = weigh or (lambda _value: 1)
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    @property
    def weight(self) -> int:
        return self._weight

    def keys(self) -> list[K]:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def items(self) -> list[tuple[K, V]]:
        """The entries, least recently used first (reading them does not count as a use)."""
        with self._lock:
            return [(key, value) for key, (value, _) in self._entries.items()]

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        weight = self._weigh(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= old[1]
            self._entries[key] = (value, weight)
            self._weight += weight
            while self._entries and (
                    len(self._entries) > self.max_items
                    or (self.max_weight is not None and self._weight > self.max_weight)):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._weight -= dropped
