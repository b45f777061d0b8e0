"""Every passage a request matches, in a stable order and in chunks: exports, concordances
and feeds read whole result sets, where a search reads one page.

The matched set is a boolean mask (see :mod:`index.snapshot`), so ordering it costs one sort
of integers; the passages themselves are read a chunk at a time, so a caller streaming 100,000
rows holds one chunk of records in memory, never the whole result.

A scan reads through a searcher of its own, opened on the same generation as the mask: a new
ingest committed while a long export streams cannot close it or renumber its documents.
"""

from __future__ import annotations

import weakref
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from index.concordance import Pattern, query_patterns
from index.errors import KbIndexError
from index.matching import Matched
from index.records import LAST_INGEST_ID, load, passage_key
from index.search import KbIndex, _Search
from index.snapshot import Snapshot
from kb.model import SORTS, PassageRecord, SearchRequest

#: Orders a scan can return passages in: the search's own sorts, and newest ingest first.
ORDERS = (*SORTS, "ingest")
#: Passages read from the index at a time.
DEFAULT_CHUNK = 500

_INGEST_KEYS: weakref.WeakKeyDictionary[Snapshot, np.ndarray] = weakref.WeakKeyDictionary()


@dataclass
class Scan:
    """The matched passages of one request: how many, how they matched, and the records."""

    total: int
    notes: list[str]
    #: What to look for in a passage's text to find the query's occurrences (for KWIC).
    patterns: list[Pattern]
    chunks: Generator[list[PassageRecord], None, None] = field(repr=False)
    _reader: _Reader | None = field(default=None, repr=False)

    def records(self) -> Iterator[PassageRecord]:
        for chunk in self.chunks:
            yield from chunk

    def close(self) -> None:
        """Release the scan's searcher without reading the rest (reading to the end, or
        garbage collection of a started scan, releases it too)."""
        self.chunks.close()
        if self._reader is not None:
            self._reader.close()


class _Reader:
    """The scan's own searcher, closed once: by whoever finishes first, or when the scan is
    dropped unread (a generator that never started never runs its ``finally``)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._finalizer = weakref.finalize(self, searcher.close)

    def close(self) -> None:
        self._finalizer()


def scan(ix: KbIndex, request: SearchRequest, order: str = "relevance",
         chunk: int = DEFAULT_CHUNK, limit: int | None = None) -> Scan:
    """The passages ``request`` matches (every filter applied), in ``order``.

    :param limit: read at most this many passages (``total`` still counts them all).
    :raises ValueError: an unknown order.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    with ix._lock:
        searcher = _same_generation_searcher(ix)
        try:
            search = _Search(ix, request, None)
            matcher, matched, docs = search.match()
            numbers, scores = _ordered(ix, docs, matched, order)
            patterns = query_patterns(matcher, search.root)
        except BaseException:
            searcher.close()
            raise
    total = len(numbers)
    if limit is not None:
        numbers = numbers[:max(0, limit)]
    reader = _Reader(searcher)
    return Scan(total, list(search.notes), patterns,
                _chunks(reader, numbers, scores, max(1, chunk)), reader)


def _same_generation_searcher(ix: KbIndex) -> Searcher:
    """A new searcher on the generation ``ix`` serves (refreshed first when one was committed)."""
    for _ in range(5):
        ix.refresh()
        searcher = ix._ix.searcher()
        if searcher.reader().generation() == ix.generation:
            return searcher
        searcher.close()
    raise KbIndexError("The index kept changing while a scan started; try again.")


def _ordered(ix: KbIndex, docs: np.ndarray, matched: Matched,
             order: str) -> tuple[np.ndarray, np.ndarray | None]:
    snap = ix._snap
    candidates = np.flatnonzero(docs)
    if order == "relevance" and matched.score_terms:
        scores = snap.bm25(matched.score_terms, ix.ranking.k1, ix.ranking.b)
        return candidates[np.lexsort((candidates, -scores[candidates]))], scores
    if order == "ingest":
        key = _ingest_key(ix)[candidates] * (snap.size + 1) + _rank(snap.newest_key)[candidates]
    elif order == "date":
        key = snap.newest_key[candidates]
    else:
        key = snap.browse_key[candidates]
    return candidates[np.argsort(key, kind="stable")], None


def _rank(key: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(key), dtype=np.int64)
    ranks[np.argsort(key, kind="stable")] = np.arange(len(key))
    return ranks


def _ingest_key(ix: KbIndex) -> np.ndarray:
    """docnum -> rank of its document's ingest time, newest first (0), for this generation."""
    snap = ix._snap
    found = _INGEST_KEYS.get(snap)
    if found is None:
        starts = snap.doc_starts
        stamps = [load(ix._searcher.stored_fields(int(n))).get("ingested", "") for n in starts]
        distinct = sorted(set(stamps), reverse=True)
        position = {stamp: i for i, stamp in enumerate(distinct)}
        per_document = np.array([position[s] for s in stamps] + [len(distinct)], dtype=np.int64)
        found = per_document[snap.group_of]  # group -1 (before any document) takes the last
        _INGEST_KEYS[snap] = found
    return found


def _chunks(reader: _Reader, numbers: np.ndarray, scores: np.ndarray | None,
            size: int) -> Generator[list[PassageRecord], None, None]:
    try:
        for start in range(0, len(numbers), size):
            part = numbers[start:start + size]
            yield [_record(load(reader.searcher.stored_fields(int(n))),
                           float(scores[n]) if scores is not None else 0.0) for n in part]
    finally:
        reader.close()


def _record(data: dict[str, Any], score: float) -> PassageRecord:
    return PassageRecord(
        doc_id=str(data["doc_id"]), passage_id=str(data["passage_id"]),
        source=str(data.get("source", "")), title=str(data.get("title", "")),
        type=str(data.get("type", "page")), date=str(data.get("date", "")),
        sessions=list(data.get("sessions", [])),
        topics=list(data.get("topics", [])),
        text=str(data.get("text", "")), speaker=str(data.get("speaker", "")),
        heading=str(data.get("heading", "")), start=data.get("start"),
        language=str(data.get("language", "und")),
        position=int(data.get("position", 0)),
        url=str(data.get("url", "")), site=str(data.get("site", "")),
        ingested=str(data.get("ingested", "")), score=round(score, 4),
    )


def last_ingest(ix: KbIndex) -> dict[str, object]:
    """What the last commit added, updated and removed (see index.writer); ``{}`` for an index
    written before kb recorded it."""
    with ix._lock:
        stored = ix._searcher.document(id=LAST_INGEST_ID)
    return load(stored) if stored else {}


def passage_record(ix: KbIndex, passage_id: str) -> PassageRecord | None:
    """One passage with its document's metadata (what a citation needs), from one stored read."""
    with ix._lock:
        stored = ix._searcher.document(id=passage_key(passage_id))
    return _record(load(stored), 0.0) if stored else None
