"""kb's search index: the only package that knows Whoosh.

It takes Documents (in a ChangeSet) and answers SearchRequests; if the engine were ever
swapped, only this package would change.

Each public name is imported on first use (:mod:`kb.lazy`), so a command pays only for what it
uses: ``kb search`` never loads the writer, the side writer, the scan or the concordance.
Whoosh and numpy are imported here, once, without the parts kb never calls (:mod:`index.lean`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.lean import import_numpy, import_whoosh
from kb.lazy import lazy_exports

if TYPE_CHECKING:
    from index.concordance import Pattern as Pattern
    from index.concordance import occurrences as occurrences
    from index.errors import IndexCorrupt as IndexCorrupt
    from index.errors import IndexLocked as IndexLocked
    from index.errors import IndexMissing as IndexMissing
    from index.errors import KbIndexError as KbIndexError
    from index.highlight import mark as mark
    from index.scan import ORDERS as SCAN_ORDERS
    from index.scan import Scan as Scan
    from index.scan import last_ingest as last_ingest
    from index.scan import passage_record as passage_record
    from index.scan import scan as scan
    from index.search import KbIndex as KbIndex
    from index.search import open_index as open_index
    from index.store import index_exists as index_exists
    from index.store import read_manifest as read_manifest
    from index.store import read_meta as read_meta
    from index.writer import apply_changes as apply_changes

import_numpy()
import_whoosh()

__getattr__ = lazy_exports(__name__, {
    "Pattern": (".concordance", "Pattern"),
    "occurrences": (".concordance", "occurrences"),
    "IndexCorrupt": (".errors", "IndexCorrupt"),
    "IndexLocked": (".errors", "IndexLocked"),
    "IndexMissing": (".errors", "IndexMissing"),
    "KbIndexError": (".errors", "KbIndexError"),
    "mark": (".highlight", "mark"),
    "SCAN_ORDERS": (".scan", "ORDERS"),
    "Scan": (".scan", "Scan"),
    "last_ingest": (".scan", "last_ingest"),
    "passage_record": (".scan", "passage_record"),
    "scan": (".scan", "scan"),
    "KbIndex": (".search", "KbIndex"),
    "open_index": (".search", "open_index"),
    "index_exists": (".store", "index_exists"),
    "read_manifest": (".store", "read_manifest"),
    "read_meta": (".store", "read_meta"),
    "apply_changes": (".writer", "apply_changes"),
})

__all__ = [
    "IndexCorrupt",
    "IndexLocked",
    "IndexMissing",
    "KbIndex",
    "KbIndexError",
    "Pattern",
    "SCAN_ORDERS",
    "Scan",
    "apply_changes",
    "index_exists",
    "mark",
    "last_ingest",
    "occurrences",
    "passage_record",
    "open_index",
    "read_manifest",
    "read_meta",
    "scan",
]
