"""The garbage collector's setting for the two large steps of an ingest: building a batch
(ingest) and writing it (index), both of which hold the whole batch in memory."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: The oldest generation's threshold inside :func:`without_full_collections`: never reached.
_NO_FULL_COLLECTION = 1 << 30


@contextlib.contextmanager
def without_full_collections() -> Iterator[None]:
    """No full garbage collection inside the block; young ones go on.

    A batch keeps every staged page and built document until its change set is written, so
    Python's full collections walk an ever larger heap of objects that are all still in use
    (building bench/ingest.py's corpus, a sixth of the ingest's own CPU time in the parent
    process; writing it, a full collection of about 0.2 s, as the writer's pool grew). What
    the block discards is freed by reference counting, and the few cycles that reach the
    oldest generation are collected once the threshold is back. Nested blocks leave the
    setting to the outermost.
    """
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _NO_FULL_COLLECTION)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)
