"""The search API the CLI and the web both call, so that both always agree.

:class:`Library` is an open index plus the registries: the index knows values ("9",
"copyright-training"), the registries know what people call them ("9 · Training the Machines ·
Mar 2024"). It opens the index lazily, is safe to share between threads, and notices a new
ingest by itself (checking at most once a second). Given the folder of the registries, it also
notices an edit of ``sessions.toml`` or ``topics.toml`` (same check): a running ``kb serve``
labels, filters and links a session added after each meeting without a restart. A registry
edit that does not parse is logged and the last good registry kept.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import index
from index import KbIndex, mark, open_index
from index import KbIndexError as KbIndexError  # re-exported: web/ reaches index errors here
from kb.facets import DECLARED, value_label
from kb.glossary import GLOSSARY_FILE
from kb.model import (
    Document,
    Hit,
    Passage,
    PassageRecord,
    SearchRequest,
    SearchResult,
)
from kb.registry import SESSIONS_FILE, TOPICS_FILE, Registry, RegistryError, load_registry

#: Seconds between two checks of the registry files, and between two full checks of the index
#: (each request also asks the index whether its folder changed, one ``stat``).
REFRESH_INTERVAL = 1.0
#: Facet value labels kept per registry (a value beyond is labelled again).
_MAX_LABELS = 100_000
#: Seconds between two looks of a following Library's background thread (one ``stat`` each):
#: a writer saves a generation's arrays as the last step of `kb ingest`, and the thread must
#: have prepared it before the first query that comes once the ingest has returned.
FOLLOW_INTERVAL = 0.02

_log = logging.getLogger(__name__)


def mark_words(text: str, words: frozenset[str]) -> str:
    """``text`` HTML-escaped with ``words`` (from :meth:`Library.match_words`) in ``<mark>``,
    exactly as search snippets mark them."""
    return mark(text, words)


class Library:
    """An open index plus the registries, so results carry human labels."""

    def __init__(self, index_dir: Path, registry: Registry,
                 registry_dir: Path | None = None) -> None:
        """:param registry_dir: the folder of sessions.toml and topics.toml, to follow their
        edits; None keeps ``registry`` for good."""
        self.index_dir = Path(index_dir)
        self._registry = registry
        self._registry_dir = Path(registry_dir) if registry_dir is not None else None
        self._registry_stamp = self._stamp()
        self._registry_checked = time.monotonic()
        #: The index generation the registry was last checked with (see :attr:`registry`).
        self._registry_generation: int | None = None
        #: Why the last registry edit was not taken up ("" when it was).
        self.registry_error = ""
        self._index: KbIndex | None = None
        self._lock = threading.Lock()
        # Its own lock: a search asks for labels (so for the registry) while it holds the
        # index's lock, and opening the index takes this Library's lock and then the index's.
        # One lock for both was a deadlock once both once-a-second checks fell due together.
        self._registry_lock = threading.Lock()
        self._checked = 0.0
        #: The registry labels were last given from, and (facet, value) -> label under it.
        self._labelled: tuple[Registry, dict[tuple[str, str], str]] = (registry, {})
        #: facet -> value -> label, from the registry as it is now.
        self._labels: dict[str, Callable[[str], str]] = {
            facet.name: partial(self._label, facet.name) for facet in DECLARED}

    def _label(self, facet: str, value: str) -> str:
        # Hundreds of values per search (a speaker facet), the same ones each time: kept per
        # registry, the one the search began with (``_reading`` checked it for edits).
        registry = self._registry
        if registry is not self._labelled[0] or len(self._labelled[1]) > _MAX_LABELS:
            self._labelled = (registry, {})
        labels = self._labelled[1]
        label = labels.get((facet, value))
        if label is None:
            label = labels[facet, value] = value_label(facet, value, registry)
        return label

    @property
    def registry(self) -> Registry:
        """The registries, reloaded when their files changed: checked at most once a second,
        and whenever the open index has a new generation. A session is added by editing
        sessions.toml and then ingesting its pages, and an ingest can take under a second: the
        new generation is read, labelled and filtered with the registry as its files are now."""
        index = self._index
        generation = index.generation if index is not None else None
        if self._registry_dir is None or (
                generation == self._registry_generation
                and time.monotonic() - self._registry_checked < REFRESH_INTERVAL):
            return self._registry
        with self._registry_lock:
            self._registry_generation = generation
            self._registry_checked = time.monotonic()
            stamp = self._stamp()
            if stamp != self._registry_stamp:
                self._registry_stamp = stamp
                try:
                    self._registry = load_registry(self._registry_dir)
                    self.registry_error = ""
                except RegistryError as exc:
                    self.registry_error = str(exc)
                    _log.warning("registry edit not taken up, keeping the last good one: %s", exc)
        return self._registry

    def _stamp(self) -> tuple[tuple[int, int], ...]:
        if self._registry_dir is None:
            return ()
        stamps = []
        for name in (SESSIONS_FILE, TOPICS_FILE, GLOSSARY_FILE):
            try:
                info = (self._registry_dir / name).stat()
                stamps.append((info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append((0, 0))
        return tuple(stamps)

    def held(self, facet: str) -> set[str]:
        """The values of ``facet`` the index holds (sessions a registry may lack)."""
        return set(self.stats()["facets"].get(facet, {}))

    def _open(self) -> KbIndex:
        """The index, opened on first use, on the newest complete generation (KbIndex.sync:
        one ``stat`` of its folder when nothing changed).

        :raises IndexMissing: there is no index yet (the message says to run `kb ingest`).
        """
        with self._lock:
            if self._index is None:
                self._index = open_index(self.index_dir)
                self._checked = time.monotonic()
                return self._index
            index = self._index
            due = time.monotonic() - self._checked >= REFRESH_INTERVAL
            if due:
                self._checked = time.monotonic()
        index.sync(force=due)
        return index

    def _reading(self) -> KbIndex:
        """The open index, reading queries through the glossary as the registry has it now."""
        index = self._open()
        index.use_glossary(self.registry.glossary)
        return index

    def follow(self, interval: float = FOLLOW_INTERVAL) -> None:
        """Prepare each new ingest's generation in a background thread (KbIndex.follow) instead
        of in the request that first notices it: what a server calls once at start, so that no
        request pays for a new generation. A request still never answers from an older
        generation than the newest complete one: one that comes before the thread has
        prepared it waits for it (KbIndex.sync). Needs the index to exist (IndexMissing
        otherwise)."""
        self._open().follow(interval)

    def search(self, request: SearchRequest) -> SearchResult:
        return self._reading().search(request, self._labels)

    def search_to_last(self, request: SearchRequest) -> SearchResult:
        """Like :meth:`search`, but a page past the end shows the last page, with a note: what
        a person paging (the web's links, ``kb search --page``) means, where the API answers
        the page asked for."""
        result = self.search(request)
        if request.page > result.pages and result.total:
            last = result.pages
            result = self.search(dataclasses.replace(request, page=last))
            result.notes.insert(0, f"Page {request.page} is past the end; showing page {last}.")
        return result

    def document(self, doc_id: str) -> Document | None:
        return self._open().document(doc_id)

    def passage(self, passage_id: str) -> Passage | None:
        return self._open().passage(passage_id)

    def passage_record(self, passage_id: str) -> PassageRecord | None:
        return index.passage_record(self._open(), passage_id)

    def scan(self, request: SearchRequest, order: str = "relevance", chunk: int = 500,
             limit: int | None = None) -> index.Scan:
        """Every passage ``request`` matches, read in chunks (see index.scan)."""
        return index.scan(self._reading(), request, order, chunk, limit)

    def last_ingest(self) -> dict[str, Any]:
        """What the last ingest added, updated and removed (see index.last_ingest)."""
        return dict(index.last_ingest(self._open()))

    def similar(self, passage_id: str, limit: int = 10) -> list[Hit]:
        return self._open().similar(passage_id, limit)

    def stats(self) -> dict[str, Any]:
        return self._open().stats()

    def counts(self) -> dict[str, Any]:
        """Documents, passages, generation and time, without the facet counts of :meth:`stats`."""
        return self._open().counts()

    def match_words(self, query: str) -> frozenset[str]:
        """The indexed words ``query`` matches (see KbIndex.match_words), for :func:`mark_words`."""
        return self._reading().match_words(query)

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
        """Every registry session with the documents and passages the index holds for it, then
        the sessions the index holds that the registry lacks (``registered`` false)."""
        facets = self._open().stats()["facets"]
        passages = self._passage_counts("session")
        registry = self.registry
        rows = [
            {**session.to_dict(), "registered": True,
             "documents": facets["session"].get(str(number), 0),
             "passages": passages.get(str(number), 0)}
            for number, session in registry.sessions.items()
        ]
        for value, count in sorted(facets["session"].items(), key=lambda kv: int(kv[0])):
            if value.isdigit() and int(value) not in registry.sessions:
                rows.append({"number": int(value), "title": registry.session_label(value),
                             "short_title": registry.session_label(value),
                             "label": registry.session_label(value), "start": "", "end": "",
                             "format": "", "symbol": "", "registered": False,
                             "documents": count, "passages": passages.get(value, 0)})
        return rows

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
