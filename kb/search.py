"""The search API the CLI and the web both call, so that both always agree.

:class:`Library` is an open index plus the registries: the index knows values ("9",
"copyright-training"), the registries know what people call them ("9 · Training the Machines ·
Mar 2024"). It opens the index lazily, is safe to share between threads, and notices a new
ingest by itself (checking at most once a second).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import index
from index import KbIndex, open_index
from kb.model import (
    DOC_TYPES,
    LANGUAGES,
    Document,
    Hit,
    Passage,
    PassageRecord,
    SearchRequest,
    SearchResult,
)
from kb.registry import Registry

#: Seconds between two checks of whether the index moved on.
REFRESH_INTERVAL = 1.0


class Library:
    """An open index plus the registries, so results carry human labels."""

    def __init__(self, index_dir: Path, registry: Registry) -> None:
        self.index_dir = Path(index_dir)
        self.registry = registry
        self._index: KbIndex | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        #: facet -> value -> label, fixed for the registry this library was opened with.
        self._labels: dict[str, Callable[[str], str]] = {
            "session": registry.session_label,
            "topic": registry.topic_label,
            "type": lambda v: DOC_TYPES.get(v, v),
            "language": lambda v: LANGUAGES.get(v, v),
        }

    def _open(self) -> KbIndex:
        """The index, opened on first use and refreshed when a writer committed since.

        :raises IndexMissing: there is no index yet (the message says to run `kb ingest`).
        """
        with self._lock:
            if self._index is None:
                self._index = open_index(self.index_dir)
                self._checked = time.monotonic()
            elif time.monotonic() - self._checked >= REFRESH_INTERVAL:
                self._checked = time.monotonic()
                self._index.refresh()
            return self._index

    def search(self, request: SearchRequest) -> SearchResult:
        return self._open().search(request, self._labels)

    def document(self, doc_id: str) -> Document | None:
        return self._open().document(doc_id)

    def passage(self, passage_id: str) -> Passage | None:
        return self._open().passage(passage_id)

    def passage_record(self, passage_id: str) -> PassageRecord | None:
        return index.passage_record(self._open(), passage_id)

    def scan(self, request: SearchRequest, order: str = "relevance", chunk: int = 500,
             limit: int | None = None) -> index.Scan:
        """Every passage ``request`` matches, read in chunks (see index.scan)."""
        return index.scan(self._open(), request, order, chunk, limit)

    def last_ingest(self) -> dict[str, Any]:
        """What the last ingest added, updated and removed (see index.last_ingest)."""
        return dict(index.last_ingest(self._open()))

    def similar(self, passage_id: str, limit: int = 10) -> list[Hit]:
        return self._open().similar(passage_id, limit)

    def stats(self) -> dict[str, Any]:
        return self._open().stats()

    def refresh(self) -> bool:
        with self._lock:
            self._checked = time.monotonic()
            return self._index.refresh() if self._index is not None else False

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None

    def sessions_overview(self) -> list[dict[str, Any]]:
        """Every registry session with the documents and passages the index holds for it."""
        facets = self._open().stats()["facets"]
        passages = self._passage_counts("session")
        return [
            {**session.to_dict(), "documents": facets["session"].get(str(number), 0),
             "passages": passages.get(str(number), 0)}
            for number, session in self.registry.sessions.items()
        ]

    def topics_overview(self) -> list[dict[str, Any]]:
        """Every registry topic with its documents, overall and per session."""
        index = self._open()
        topics = index.stats()["facets"]["topic"]
        overview = []
        for topic_id, topic in self.registry.topics.items():
            by_session: dict[int, int] = {}
            if topics.get(topic_id):
                result = index.search(SearchRequest(topics=[topic_id], page_size=1))
                by_session = {int(v.value): v.count for v in result.facets.get("session", [])
                              if v.value.isdigit() and v.count}
            overview.append({**topic.to_dict(), "documents": topics.get(topic_id, 0),
                             "by_session": dict(sorted(by_session.items()))})
        return overview

    def _passage_counts(self, facet: str) -> dict[str, int]:
        result = self._open().search(SearchRequest(group="flat", page_size=1))
        return {v.value: v.count for v in result.facets.get(facet, [])}
