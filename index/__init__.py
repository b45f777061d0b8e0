"""kb's search index: the only package that knows Whoosh.

It takes Documents (in a ChangeSet) and answers SearchRequests; if the engine were ever
swapped, only this package would change.
"""

from __future__ import annotations

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
