"""KbIndex: the read side of the index, answering kb's records with kb's records.

One KbIndex holds one Whoosh searcher (and its :class:`Snapshot`) at a time and serialises the
calls on it with a lock, because Whoosh readers share file handles; the searches are a few
milliseconds, so callers on several threads hardly wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from index.analysis import analysis_key, analyze, fold, is_stop
from index.errors import KbIndexError
from index.expansion import Lookup, expand
from index.facets import FacetCounter
from index.highlight import Highlighter
from index.lock import read_owner
from index.matching import Matched, Matcher, missing_value_note, resolve_value
from index.query import Filter, Group, Node, Word, parse, positive_nodes, render
from index.records import (
    document_from,
    document_key,
    load,
    manifest_from,
    passage_from,
    passage_key,
)
from index.schema import SESSIONS_AND_MENTIONS
from index.snapshot import ScoreTerm, Snapshot, prepare, read_vocabulary, saved, warm_early
from index.spelling import MAX_WORD_CHARS, MIN_WORD_CHARS, Speller
from index.store import folder_stamp, folder_state, open_newest_complete
from kb.glossary import Glossary
from kb.model import (
    LANGUAGES,
    MAX_MORE_PER_DOCUMENT,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    SORTS,
    Document,
    Hit,
    Passage,
    SearchRequest,
    SearchResult,
)

_log = logging.getLogger(__name__)
_MAX_RESPELLED = 3
#: Longest a request waits for the follower to prepare a new generation (see KbIndex.sync)
#: before it answers from the one it has, with a warning.
_SYNC_WAIT = 60.0
#: A ``name:value`` pair as typed: neither side is a word to respell.
_FIELDED = re.compile(r"(?<![^\s(])([^\s():\"]+):([^\s()\"]*)")


@dataclass(frozen=True)
class Ranking:
    """Ranking parameters, chosen by measurement with bench/ranking.py."""

    k1: float = 2.0
    b: float = 0.75
    #: Extra term frequency for the form the user typed, beside the other forms of its stem
    #: (exact forms rank a little higher).
    exact: float = 0.3


DEFAULT_RANKING = Ranking()


class KbIndex:
    """An open index. Use :func:`open_index`; close it (or use ``with``) when done."""

    def __init__(self, index_dir: Path, ranking: Ranking = DEFAULT_RANKING) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking
        #: The folder's stamp when the generation served was chosen (see :meth:`changed`).
        self._seen = folder_stamp(self.index_dir)
        self._ix, self._searcher = open_newest_complete(self.index_dir)
        self._lock = threading.RLock()
        #: The index folder as it was when its newest generation last did not open whole.
        self._passed_over = folder_state(self.index_dir) \
            if self.generation != self._ix.latest_generation() else None
        self._snap = prepare(self.index_dir, self._searcher)
        self._refreshing = threading.Lock()
        #: A generation committed whose writer is still saving its arrays, opened, with the
        #: posting lists the last queries read already read again (see :meth:`_refresh`).
        self._early: tuple[Any, Searcher, Snapshot] | None = None
        self._stop = threading.Event()
        self._follower: threading.Thread | None = None
        #: Wakes the follower for a pass at once (a request found the folder changed).
        self._wake = threading.Event()
        #: The follower's passes started and finished, for requests waiting for one.
        self._passes = threading.Condition()
        self._started = self._finished = 0
        self._duplicates: dict[str, list[str]] | None = None
        #: (generation, its speller), built on the first "did you mean" of a generation.
        self._speller: tuple[int, Speller] | None = None
        self._speller_lock = threading.Lock()
        #: The glossary queries are read through, searchable (see :meth:`use_glossary`).
        self._glossary: tuple[str, Lookup | None] = ("", None)

    def use_glossary(self, glossary: Glossary) -> None:
        """Read queries through ``glossary`` from now on (rebuilt only when it changed)."""
        if glossary.digest != self._glossary[0]:
            self._glossary = (glossary.digest, Lookup.build(glossary) if glossary else None)

    @property
    def glossary(self) -> Lookup | None:
        return self._glossary[1]

    def __enter__(self) -> KbIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def generation(self) -> int:
        return int(self._searcher.reader().generation())

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._passes:
            self._passes.notify_all()
        if self._follower is not None and self._follower is not threading.current_thread():
            self._follower.join()
        with self._lock:
            self._drop_early()
            self._searcher.close()
            self._ix.close()

    def changed(self) -> bool:
        """Whether a writer may have committed since this index last looked: the folder's
        modification time moved (one ``stat``), or it changed too recently to tell."""
        stamp = folder_stamp(self.index_dir)
        return stamp is None or stamp != self._seen

    def sync(self, force: bool = False) -> None:
        """Answer from the newest complete generation from now on: what a request calls before
        it reads, so that no request answers from an older generation than one already
        served (by this process or another). Cheap when nothing changed (one ``stat``).

        With a follower running (:meth:`follow`), the follower prepares the new generation and
        the request waits for its pass, so the work is done once, in the background, and
        usually before any request asks; without one, the calling thread refreshes.

        :param force: look even if the folder's time did not move (a table of contents
            rewritten in place leaves it as it was).
        """
        if not self.changed() and (not force or self._up_to_date()):
            return
        follower = self._follower
        if follower is None or not follower.is_alive():
            self.refresh()
            return
        with self._passes:
            wanted = self._started + 1  # a pass that starts after this request looked
            self._wake.set()
            if not self._passes.wait_for(
                    lambda: self._finished >= wanted or self._stop.is_set(), _SYNC_WAIT):
                _log.warning("index %s: no new generation prepared within %.0f s; still "
                             "answering from generation %d", self.index_dir, _SYNC_WAIT,
                             self.generation)

    def _up_to_date(self) -> bool:
        with self._lock:
            return bool(self._searcher.up_to_date())

    def refresh(self) -> bool:
        """Move to the latest complete generation if a writer committed since; True if it did.

        The new generation is prepared first (its arrays mapped, the posting lists the last
        queries used read again: :func:`index.snapshot.prepare`) while searches go on against
        the old one; only then does it take the old one's place, so no query waits for it. A
        new generation that does not open whole is passed over (once, with a warning): this
        one keeps answering until a complete one is committed.
        """
        with self._refreshing:
            # Taken first: a commit after this point moves the stamp again.
            stamp = folder_stamp(self.index_dir)
            try:
                return self._refresh()
            finally:
                self._seen = stamp

    def _refresh(self) -> bool:
        """:meth:`refresh`, its caller holding ``_refreshing``."""
        with self._lock:
            if self._searcher.up_to_date():
                return False
            previous = self._snap
        # One scan of the folder: it tells whether a generation passed over has changed since.
        state = folder_state(self.index_dir)
        if state == self._passed_over:
            return False
        early = self._early
        if early is not None and _still_newest(early[0], early[1]):
            ix, searcher = early[0], early[1]  # its writer may still be saving it
        else:
            self._drop_early()
            early = None
            # A fresh searcher rather than Searcher.refresh(): the latter reuses segment readers
            # and can keep serving documents that the new commit only deleted.
            try:
                ix, searcher = open_newest_complete(self.index_dir)
            except KbIndexError as exc:
                _log.warning("index %s: %s; still answering from generation %d",
                             self.index_dir, exc, self.generation)
                self._passed_over = state
                return False
            if searcher.reader().generation() == self.generation:
                searcher.close()
                self._passed_over = state
                return False
        if not saved(self.index_dir, searcher.reader()) and _writing(self.index_dir):
            # Committed, but its writer is still saving its files: serve the last complete
            # generation until it is done, rather than build what it is about to save. A
            # follower reads the lists the last queries read again meanwhile, as soon as the
            # segments' lists are saved (index.snapshot.warm_early), and keeps the searcher.
            if early is not None:
                return False  # kept, read early already
            warmed = None
            try:
                if threading.current_thread() is self._follower:
                    warmed = warm_early(self.index_dir, searcher, previous)
            finally:
                if warmed is None:
                    searcher.close()
            if warmed is not None:
                self._early = (ix, searcher, warmed)
            return False
        self._early = None
        try:
            snap = prepare(self.index_dir, searcher, previous,
                           early[2] if early is not None else None)
            # Built now rather than by the first query: its facet runs and BM25 norms ...
            snap.ready(self.ranking.k1, self.ranking.b)
            # ... "did you mean", if the old generation needed it, and the copies every hit
            # lists (read once per generation).
            speller = snap.speller() \
                if self._speller is not None and snap.has_stored_vocabulary else None
            duplicates = _read_duplicates(snap, searcher)
        except BaseException:
            searcher.close()
            raise
        with self._lock:
            old, self._searcher, self._ix, self._snap = self._searcher, searcher, ix, snap
            self._duplicates = duplicates
            old.close()
        if speller is not None:
            with self._speller_lock:
                self._speller = (int(searcher.reader().generation()), speller)
        return True

    def _drop_early(self) -> None:
        """Close the searcher of a generation read early that will not be served."""
        early, self._early = self._early, None
        if early is not None:
            early[1].close()

    def follow(self, interval: float) -> None:
        """Look every ``interval`` seconds (one ``stat`` of the folder), in a background
        thread, for a new generation and prepare it (:meth:`refresh`), so that a server's
        requests do not pay for a new ingest; a request that finds the folder changed before
        the thread has looked wakes it and waits for it (:meth:`sync`). The thread ends with
        :meth:`close`; calling this again does nothing."""
        with self._refreshing:
            if self._follower is not None:
                return
            self._follower = threading.Thread(target=self._follow, args=(interval,),
                                              name="kb-index-follow", daemon=True)
            self._follower.start()

    def _follow(self, interval: float) -> None:
        try:
            # What the first queries would build: as for each new generation (see _refresh).
            self._snap.ready(self.ranking.k1, self.ranking.b)
        except Exception:  # noqa: BLE001 - the queries build it then, or report what is wrong
            _log.exception("could not prepare the index's generation for its first queries")
        while not self._stop.is_set():
            woken = self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._passes:
                self._started += 1
            try:
                if woken or self.changed():
                    self.refresh()
            except Exception:  # noqa: BLE001 - a damaged commit must not end the follower
                _log.exception("could not open the index's new generation; serving the last one")
            finally:
                with self._passes:
                    self._finished += 1
                    self._passes.notify_all()

    # -- search -----------------------------------------------------------------------------
    def search(self, request: SearchRequest,
               labels: Mapping[str, Callable[[str], str]] | None = None) -> SearchResult:
        """Answer ``request``; ``labels`` maps a facet to a function labelling its values
        (kb.search.Library passes the registries'), else the values label themselves."""
        with self._lock:
            search = _Search(self, request, labels)
            result = search.run()
            unknown = search.unknown_words()
        if unknown:
            # Outside the lock: building the vocabulary and respelling are the slow parts.
            result.suggestion = respell(request.query, unknown, self._vocabulary())
        return result

    def match_words(self, query: str) -> frozenset[str]:
        """The indexed (folded) words ``query`` matches and marks: every form of each word's
        stem, phrase words, prefix expansions; never the words of a NOT. The document page
        marks these, so it agrees with the search that led to it."""
        with self._lock:
            root = expand(parse(query).root, self.glossary, self._snap.analysis_keys).root
            matched = Matcher(self._snap, self.ranking.exact).run(root)
            return frozenset(matched.highlight_words)

    def _vocabulary(self) -> Speller:
        """The speller, built on first use after each refresh: from the vocabulary the
        generation's file holds, else from a reader of its own (its own file handles), so
        searches never wait for it."""
        with self._speller_lock:
            snap = self._snap
            generation = int(snap.reader.generation())
            if self._speller is not None and self._speller[0] == generation:
                return self._speller[1]
            if snap.has_stored_vocabulary:
                speller = snap.speller()
            else:
                reader = self._ix.reader()
                try:
                    generation = int(reader.generation())
                    speller = Speller(read_vocabulary(reader))
                finally:
                    reader.close()
            self._speller = (generation, speller)
            return speller

    # -- records ----------------------------------------------------------------------------
    def document(self, doc_id: str) -> Document | None:
        with self._lock:
            stored = self._searcher.document(id=document_key(doc_id))
            if stored is None:
                return None
            doc = document_from(load(stored))
            ids = self._snap.postings("doc_id", doc_id)[0]
            numbers = [int(n) for n in ids[self._snap.passages[ids]]]
            passages = [passage_from(load(self._searcher.stored_fields(n))) for n in numbers]
            doc.passages = sorted(passages, key=lambda p: p.position)
            doc.duplicates = self.duplicates().get(doc_id, [])
            return doc

    def passage(self, passage_id: str) -> Passage | None:
        with self._lock:
            stored = self._searcher.document(id=passage_key(passage_id))
            return passage_from(load(stored)) if stored else None

    def duplicates(self) -> dict[str, list[str]]:
        """doc_id -> sources of the files collapsed into it."""
        with self._lock:
            if self._duplicates is None:
                self._duplicates = _read_duplicates(self._snap, self._searcher)
            return self._duplicates

    def similar(self, passage_id: str, limit: int = 10) -> list[Hit]:
        """Passages of other documents that share this passage's most telling words."""
        with self._lock:
            numbers = self._snap.postings("id", passage_key(passage_id))[0]
            if not len(numbers):
                return []
            data = load(self._searcher.stored_fields(int(numbers[0])))
            key = analysis_key(data.get("language", "und"))
            counts = Counter(analyze(f"{data.get('heading', '')} {data['text']}", key))
            frequency = self._snap.reader.doc_frequency
            total = self._snap.passage_count + 1
            scored = sorted(((n * math.log(total / df), t) for t, n in counts.items()
                             if (df := frequency("body", t)) > 1), reverse=True)[:20]
            if not scored:
                return []
            allowed = self._snap.passages.copy()
            allowed[self._snap.postings("doc_id", data["doc_id"])[0]] = False
            words = [t for _, t in scored]
            allowed &= self._snap.union(("body", w) for w in words)
            scores = self._snap.bm25([ScoreTerm("body", (w,)) for w in words],
                                     self.ranking.k1, self.ranking.b)
            top = top_k(allowed, scores, max(1, min(limit, MAX_PAGE_SIZE)),
                        self._snap.browse_key)
            # All twenty words rank, but only the distinctive ones are marked: those weighing at
            # least half as much as the most telling word, not the filler a small corpus
            # cannot tell apart by frequency ("one", "way", "us").
            marker = Highlighter({t for weight, t in scored if weight >= scored[0][0] / 2})
            return [self._hit(n, s, marker) for s, n in top]

    def counts(self) -> dict[str, Any]:
        """Size and time of the open generation, without counting facets or searching.

        Both counts are the lengths of one posting list each (``kind:document`` and
        ``kind:passage``), which the generation's snapshot keeps once read: a health check that
        calls this every second costs two array lengths and the index's modification time, where
        :meth:`stats` counts every facet value over every passage.
        """
        with self._lock:
            modified = dt.datetime.fromtimestamp(self._ix.last_modified(), tz=dt.UTC)
            return {
                "documents": len(self._snap.doc_starts),
                "passages": self._snap.passage_count,
                "generation": self.generation,
                "last_modified": modified.isoformat(timespec="seconds"),
            }

    def stats(self) -> dict[str, Any]:
        """:meth:`counts` and the document count of every facet value."""
        with self._lock:
            counter = FacetCounter(self._snap, grouped=True)
            facets = counter.count_all(self._snap.passages, {}, {})
            return {
                **self.counts(),
                "facets": {name: {v.value: v.count for v in values}
                           for name, values in facets.items()},
            }

    # -- helpers for _Search ----------------------------------------------------------------
    def _hit(self, number: int, score: float, marker: Highlighter) -> Hit:
        data = self._snap.record(number)
        return Hit(
            doc_id=data["doc_id"], passage_id=data["passage_id"], source=data["source"],
            title=data["title"], type=data["type"], date=data["date"],
            sessions=list(data.get("sessions", [])), topics=list(data.get("topics", [])),
            mentions=list(data.get("mentions", [])),
            score=round(float(score), 4),
            snippet=marker.snippet(data["text"], heading=data.get("heading", ""),
                                   title=data["title"]),
            speaker=data.get("speaker", ""), heading=data.get("heading", ""),
            start=data.get("start"), language=data.get("language", "und"),
            position=data.get("position", 0),
            also_at=list(self.duplicates().get(data["doc_id"], [])),
            recording_url=data.get("recording_url", ""),
        )


def open_index(index_dir: Path) -> KbIndex:
    """Open the index at ``index_dir`` for reading.

    :raises IndexMissing: nothing has been ingested there yet.
    """
    return KbIndex(Path(index_dir))


class _Search:
    """One request's journey: parse, match, count, rank, group, page, render."""

    def __init__(self, index: KbIndex, request: SearchRequest,
                 labels: Mapping[str, Callable[[str], str]] | None) -> None:
        self.ix = index
        self.labels = labels
        self.snap = index._snap
        self.request = request
        self.notes: list[str] = []
        self.page_size = max(1, min(int(request.page_size), MAX_PAGE_SIZE))
        self.page = max(1, min(int(request.page), MAX_PAGE))
        if int(request.page) > MAX_PAGE:
            self.notes.append(f"Page {request.page} does not exist; showing page {MAX_PAGE}.")
        self.more = max(0, min(int(request.more_per_document), MAX_MORE_PER_DOCUMENT))
        self.grouped = request.group != "flat"
        self.root: Node | None = None
        self.also_searched: list[str] = []
        self.read_as: dict[str, str] = {}
        self.sort = request.sort if request.sort in SORTS else "relevance"
        if self.sort != request.sort:
            self.notes.append(f"Unknown sort '{request.sort}'; sorted by relevance.")

    def match(self) -> tuple[Matcher, Matched, np.ndarray]:
        """The query's matcher, what it matched, and the passages left once every selected
        filter is applied (also used by :mod:`index.scan`)."""
        parsed = parse(self.request.query)
        self.notes += parsed.notes
        self.tables = {"session": SESSIONS_AND_MENTIONS} if self.request.include_mentions \
            else {}
        self.selected = self._selected(self.tables)
        matcher = Matcher(self.snap, self.ix.ranking.exact,
                          _searched_languages(parsed.root, self.selected))
        self.matcher = matcher
        expansion = expand(parsed.root, self.ix.glossary, matcher.keys or self.snap.analysis_keys,
                           self.request.expand)
        self.also_searched = expansion.also
        self.read_as = expansion.read_as
        matched = matcher.run(expansion.root)
        self.notes += matcher.notes
        self.root = parsed.root
        self.is_stop = matcher.is_stop
        self.selections = FacetCounter(self.snap, self.grouped, self.labels, self.tables) \
            .selection_masks(self.selected)
        docs = matched.docs.copy()
        for chosen in self.selections.values():
            docs &= chosen
        return matcher, matched, docs

    def run(self) -> SearchResult:
        _, matched, docs = self.match()
        counter = FacetCounter(self.snap, self.grouped, self.labels, self.tables)
        groups = self.snap.groups_in(docs) if self.grouped else None
        total = int(groups.sum()) if groups is not None else int(docs.sum())
        facets = counter.count_all(matched.docs, self.selections, self.selected, docs, groups)
        scores = self.snap.bm25(matched.score_terms, self.ix.ranking.k1, self.ix.ranking.b) \
            if matched.score_terms and self.sort == "relevance" else None
        hits = self._page(docs, scores, Highlighter(matched.highlight_words))
        return SearchResult(
            query=self.request.query, total=total, hits=hits, facets=facets,
            understood=render(self.root, self.is_stop), suggestion="", notes=self.notes,
            page=self.page, page_size=self.page_size,
            unit="documents" if self.grouped else "passages", also_searched=self.also_searched,
        )

    def _selected(self, tables: Mapping[str, str]) -> dict[str, list[str]]:
        """Selected facet values as index values (a typed "French" finds "fr")."""
        selected: dict[str, list[str]] = {}
        for facet, values in self.request.filters().items():
            known = self.snap.facet_table(tables.get(facet, facet)).values
            chosen: list[str] = []
            for value in values:
                text = str(value).strip()
                found = [text] if text in known else resolve_value(facet, text, known)
                if not found:
                    self.notes.append(missing_value_note(facet, text))
                chosen += found or [text]
            selected[facet] = list(dict.fromkeys(chosen))
        return selected

    def _ranked(self, candidates: np.ndarray, scores: np.ndarray | None,
                limit: int) -> list[tuple[float, int]]:
        """The ``limit`` best of ``candidates`` (docnums, ascending) in the page's order."""
        if scores is not None:
            return best_of(candidates, scores[candidates], limit, self.snap.browse_key)
        # Browsing (no words to rank by) lists newest first, as sorting by date does.
        key = self.snap.browse_key if self.sort == "date-asc" else self.snap.newest_key
        return [(0.0, n) for _, n in best_of(candidates, -key[candidates], limit, key)]

    def _page(self, docs: np.ndarray, scores: np.ndarray | None,
              marker: Highlighter) -> list[Hit]:
        candidates = np.flatnonzero(docs)
        count = len(candidates)
        if not count:
            return []
        first = (self.page - 1) * self.page_size
        if not self.grouped:
            ranked = self._ranked(candidates, scores, first + self.page_size)[first:]
            return [self.ix._hit(n, s, marker) for s, n in ranked]
        wanted = first + self.page_size
        limit = wanted * 2
        while True:
            ranked = self._ranked(candidates, scores, limit)
            groups: dict[int, list[tuple[float, int]]] = {}
            group_of = self.snap.group_of
            for score, number in ranked:
                groups.setdefault(int(group_of[number]), []).append((score, number))
            if len(groups) >= wanted or len(ranked) >= count:
                break
            limit *= 4
        shown = list(groups.items())[first:wanted]
        further = self._members([group for group, _ in shown], docs, scores) if self.more \
            else {}
        hits = []
        for group, members in shown:
            score, number = members[0]
            hit = self.ix._hit(number, score, marker)
            hit.more = [self.ix._hit(n, s, marker)
                        for s, n in further.get(group, [])[1:1 + self.more]]
            hits.append(hit)
        return hits

    def _members(self, groups: list[int], docs: np.ndarray, scores: np.ndarray | None
                 ) -> dict[int, list[tuple[float, int]]]:
        """The best ``1 + more`` matching passages of each of ``groups`` (documents), ranked
        as the page ranks them but over each document alone, so how many further passages a
        hit shows never depends on how many other documents the page holds.

        A document's records are one run of docnums (see index.snapshot): the runs of the
        page's documents are read together and ranked in one sort, by document, then as
        :func:`best_of` ranks, instead of a ranking (and a mask over the whole index) per hit.
        """
        starts = self.snap.doc_starts
        chosen = np.array(groups, dtype=np.intp)
        begins = starts[chosen].astype(np.intp)
        ends = np.where(chosen + 1 < len(starts), starts[np.minimum(chosen + 1, len(starts) - 1)],
                        len(docs)).astype(np.intp)
        sizes = ends - begins
        # Every docnum of those runs, and the position in ``groups`` of its document.
        owner = np.repeat(np.arange(len(groups)), sizes)
        numbers = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes) \
            + np.repeat(begins, sizes)
        keep = docs[numbers]
        numbers, owner = numbers[keep], owner[keep]
        if scores is not None:
            values, tiebreak = scores[numbers], self.snap.browse_key
        else:
            tiebreak = self.snap.browse_key if self.sort == "date-asc" else self.snap.newest_key
            values = -tiebreak[numbers]
        order = np.lexsort((tiebreak[numbers], -values, owner))
        # Each document's first 1 + more in that order (its rank: position less its first).
        owners = owner[order]
        rank = np.arange(len(order)) - np.searchsorted(owners, owners)
        ranked: dict[int, list[tuple[float, int]]] = {}
        for i in order[rank <= self.more]:
            ranked.setdefault(groups[owner[i]], []).append(
                (float(values[i]) if scores is not None else 0.0, int(numbers[i])))
        return ranked

    def unknown_words(self) -> list[str]:
        """Typed words worth respelling: no form of them in the index (a known word, or one
        whose stem is known, is never respelled), not stop words, not names, not acronyms
        typed in capitals, not field names or their values, at most three (see
        index.spelling for the bounds on each)."""
        typed = self.request.query
        fielded = {part.lower() for pair in _FIELDED.findall(typed) for part in pair} \
            if ":" in typed else set()
        unknown = [node.text for node in positive_nodes(self.root)
                   if isinstance(node, Word) and node.field != "speaker"
                   and MIN_WORD_CHARS <= len(node.text) <= MAX_WORD_CHARS
                   and not node.text.isupper() and node.text.lower() not in fielded
                   and node.text not in self.read_as
                   and not _is_stop_anywhere(fold(node.text))
                   and not self._known(node)]
        return list(dict.fromkeys(unknown))[:_MAX_RESPELLED]

    def _known(self, node: Word) -> bool:
        term = self.matcher.word_term(node)
        return term is None or bool(term.forms)


def _read_duplicates(snap: Snapshot, searcher: Searcher) -> dict[str, list[str]]:
    """doc_id -> sources of the files collapsed into it, in one generation."""
    found: dict[str, list[str]] = {}
    for doc_id in snap.terms("dup_of"):
        for number in snap.postings("dup_of", doc_id)[0]:
            entry = manifest_from(load(searcher.stored_fields(number)))
            found.setdefault(doc_id, []).append(entry.source)
    return {k: sorted(v) for k, v in found.items()}


def _still_newest(ix: Any, searcher: Searcher) -> bool:
    """Whether ``searcher``'s generation is still the newest committed."""
    try:
        return bool(searcher.reader().generation() == ix.latest_generation())
    except Exception:  # noqa: BLE001 - the folder changed under it: open it again
        return False


def _writing(index_dir: Path) -> bool:
    """Whether a live writer holds the index's lock."""
    owner = read_owner(index_dir)
    return owner is not None and owner.is_alive()


def _searched_languages(root: Node | None, selected: Mapping[str, list[str]]) -> tuple[str, ...]:
    """The languages a search is restricted to: the language facet's selection, or a
    ``lang:`` filter required at the top of the query; () for all of them."""
    chosen = list(selected.get("language", []))
    if isinstance(root, Group):
        chosen += [n.value for n in root.all_of if isinstance(n, Filter) and n.facet == "language"]
    elif isinstance(root, Filter) and root.facet == "language":
        chosen.append(root.value)
    codes = {label.lower(): code for code, label in LANGUAGES.items()}
    return tuple(codes.get(value.lower(), value.lower()) for value in chosen)


def respell(query: str, words: list[str], speller: Speller) -> str:
    """``query`` with each of ``words`` replaced by its respelling, or "" if none has one."""
    changed = False
    for typed in words:
        found = speller.suggest(fold(typed), _is_stop_anywhere)
        if found:
            query = _replace_word(query, typed, found)
            changed = True
    return query if changed else ""


def _is_stop_anywhere(word: str) -> bool:
    """Stop words are never indexed, so their absence is no typo to respell."""
    return any(is_stop(word, analysis_key(code)) for code in LANGUAGES)


def top_k(docs: np.ndarray, scores: np.ndarray, limit: int,
          tiebreak: np.ndarray) -> list[tuple[float, int]]:
    """The ``limit`` best (score, docnum) of the masked docnums, best first.

    Equal scores are ordered by ``tiebreak`` (Snapshot.browse_key: date, source, position),
    never by docnum, which changes when segments merge: two identical ingests give the same
    order, and the ties at the cut are chosen the same way.
    """
    candidates = np.flatnonzero(docs)
    return best_of(candidates, scores[candidates], limit, tiebreak)


def best_of(candidates: np.ndarray, values: np.ndarray, limit: int,
            tiebreak: np.ndarray) -> list[tuple[float, int]]:
    """:func:`top_k` given the candidate docnums and their scores (``values[i]`` is
    ``candidates[i]``'s): what a caller that has the candidates already, or only a few of
    them (one document's passages), ranks without a mask over the whole index."""
    if not len(candidates) or limit <= 0:
        return []
    if limit < len(candidates):
        cut = -np.partition(-values, limit - 1)[limit - 1]
        keep = values >= cut
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((tiebreak[candidates], -values))[:limit]
    return [(float(values[i]), int(candidates[i])) for i in order]


def _replace_word(query: str, old: str, new: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, query, count=1)
