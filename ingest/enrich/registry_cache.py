"""One compiled matcher per registry content, shared by every document of a run.

Building a matcher compiles the whole registry into regular expressions; doing that per
document would dominate ingest time. The registry's digest identifies its content, so a run
(or a test) that loads an edited registry gets a fresh matcher.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kb.registry import Registry

T = TypeVar("T")
K = TypeVar("K")


def per_registry(build: Callable[[Registry], T]) -> Callable[[Registry], T]:
    """``build`` memoised on the registry digest, keeping only the latest one."""
    cache: dict[str, T] = {}

    def matcher_for(registry: Registry) -> T:
        key = registry.digest
        if not key:
            return build(registry)
        if key not in cache:
            cache.clear()
            cache[key] = build(registry)
        return cache[key]

    matcher_for.__doc__ = f"The {getattr(build, '__name__', 'matcher')} of a registry, built once."
    return matcher_for


def remembered(cache: dict[K, T], key: K, compute: Callable[[K], T], size: int) -> T:
    """``compute(key)``, kept in ``cache`` (emptied once it holds ``size`` entries): what a
    matcher derives from a text its documents repeat (a heading, a passage read again)."""
    found = cache.get(key)
    if found is None:
        if len(cache) >= size:
            cache.clear()
        found = cache[key] = compute(key)
    return found
