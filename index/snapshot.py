"""What one open searcher knows, cached as numpy arrays for as long as its generation lives.

Counting facets over the whole result set, grouping passages by document and BM25 scoring are
done here with numpy over whole posting lists: Whoosh's own matchers work hit by hit in
Python (and ``groupedby`` scores every hit), which costs tens of milliseconds per query at
100,000 passages. A result set is a boolean mask over docnums.

Grouping rests on one fact: a document's records are written together, the document record
first, and Whoosh keeps the records of one segment in order through merges; so a passage
belongs to the nearest document record before it.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader, SegmentReader
from whoosh.searching import Searcher

from index import arrays, segment_postings
from index.analysis import MAX_WORD_CHARS, analysis_key, stem
from index.arrays import Stored
from index.cache import LruCache
from index.postings import DOCNUM, field_lengths, read_postings
from index.records import load
from index.schema import DOCUMENT, FACET_FIELDS, PASSAGE, build_schema
from index.segment_postings import SegmentPostings
from index.spelling import Speller, group_bounds, vocabulary_order

#: The fields BM25 scores, whose lengths every generation keeps.
SCORED_FIELDS = tuple(name for name, kind in build_schema().items() if kind.scorable)
#: The per-generation arrays kept as cached properties (see :meth:`Snapshot.stored`).
_ARRAY_PROPERTIES = ("passages", "doc_starts", "group_of", "browse_key", "newest_key")

#: Posting entries kept in the cache (least recently used go first) at the least: 40 MB, at
#: 8 bytes an entry (an int32 docnum and a float32 frequency).
_MIN_CACHED_POSTINGS = 5_000_000
#: ... and per record of the generation, so the budget grows with the corpus: the 240 queries
#: of bench/search.py read 1.8M entries at 100,000 passages, 3 times that at 300,000, where a
#: fixed 5M budget evicted lists the next queries read again (p95 158 ms, issue #10).
_CACHED_POSTINGS_PER_RECORD = 40
#: Terms whose postings are kept, however short (a term nobody has is one entry too).
_MAX_CACHED_TERMS = 50_000
#: Query words whose indexed forms are kept.
_MAX_CACHED_FORMS = 20_000
#: Indexed words kept grouped by stem, for finding the forms of the next query word.
_MAX_CACHED_STEM_WORDS = 300_000
#: Most indexed words examined when looking for the forms of one stem.
_VARIANT_SCAN = 5000
#: Phrases whose matching docnums are kept, and their docnums per record of the generation:
#: Whoosh reads a phrase's positions from its posting lists on every run, so a phrase asked
#: again would otherwise read them again (issue #10: no posting re-reads in steady state).
_MAX_CACHED_PHRASES = 2_000
#: Stored records of hits kept parsed: a hit shown again is not read, decompressed and parsed
#: from Whoosh's stored fields again (about a fifth of a warm query's time at 100,000
#: passages); about 3.5 KB each as Python objects (28 MB at most). A page shows up to 30
#: records (10 hits, 2 more each), and an LRU cache smaller than the records a cycle of
#: queries shows keeps none of them for the next cycle: bench/search.py's 200 queries show
#: 5,166, so at 4,000 every warm query read its hits again (4 ms a query at 300,000 passages).
_MAX_CACHED_RECORDS = 8_000
_CACHED_PHRASE_DOCS_PER_RECORD = 4
#: Posting entries a new generation reads again from its predecessor's cache before it serves.
_WARM_POSTINGS = 2_000_000
#: Query words whose forms a new generation looks up again before it serves.
_WARM_WORDS = 500

_log = logging.getLogger(__name__)
_EMPTY_POSTINGS = (np.zeros(0, dtype=DOCNUM), np.zeros(0, dtype=np.float32))
#: Fields whose lists come from the segments' files when every segment has one.
SEGMENT_FIELDS = frozenset(segment_postings.FIELDS)


@dataclass(frozen=True)
class ScoreTerm:
    """One query word for BM25: the indexed forms that share its stem count as one term.

    ``typed`` (the word as the user wrote it) earns ``typed_bonus`` extra frequency, so the
    exact form ranks a little above its relatives.
    """

    field: str
    forms: tuple[str, ...]
    typed: str = ""
    typed_bonus: float = 0.0
    #: What the term's BM25 counts for: below 1 for a glossary form the user did not type.
    weight: float = 1.0


@dataclass(frozen=True)
class FacetTable:
    """(docnum, value code) pairs of one facet, for counting with bincount.

    When every passage of each document has the same values (type, year, language and site
    always; sessions and topics usually), ``group_docs``/``group_codes`` hold the same pairs
    per document, so grouped counts touch thousands of documents instead of every passage.
    """

    values: list[str]
    docs: np.ndarray
    codes: np.ndarray
    group_docs: np.ndarray | None = None
    group_codes: np.ndarray | None = None


@dataclass(frozen=True)
class FacetRuns:
    """A facet table's pairs grouped into runs, one per (value, document).

    The pairs are ordered by value, then docnum, and a document's records are one run of
    docnums, so the pairs of one document with one value are adjacent. A document then counts
    for a value when any pair of its run is in scope: from the pairs in scope when they are
    few, or from the runs with every pair out of scope when those are fewer (a query whose
    word is in most passages), never by finding the document of every pair in scope.
    """

    #: The table's docnums as index integers (an int32 index is converted on every use).
    docs: np.ndarray
    #: Each pair's run.
    run_of: np.ndarray
    #: Each run's value code and number of pairs.
    codes: np.ndarray
    sizes: np.ndarray
    #: Runs (documents) per value code, over the whole table.
    per_code: np.ndarray

    @classmethod
    def build(cls, table: FacetTable, group_of: np.ndarray) -> FacetRuns:
        owners, codes = group_of[table.docs], table.codes
        first = np.ones(len(codes), dtype=bool)
        first[1:] = (owners[1:] != owners[:-1]) | (codes[1:] != codes[:-1])
        starts = np.flatnonzero(first)
        run_codes = codes[starts]
        return cls(table.docs.astype(np.intp), (np.cumsum(first) - 1).astype(np.intp),
                   run_codes, np.diff(np.append(starts, len(codes))),
                   np.bincount(run_codes, minlength=len(table.values)))

    def documents_per_value(self, scope: np.ndarray) -> np.ndarray:
        """Documents per value code with at least one pair whose docnum is in ``scope``."""
        chosen = scope[self.docs]
        inside = np.flatnonzero(chosen)
        width = len(self.per_code)
        if 2 * len(inside) <= len(chosen):
            runs = self.run_of[inside]  # ascending: a run's pairs in scope are adjacent
            if len(runs):
                runs = runs[np.append(True, runs[1:] != runs[:-1])]
            return np.bincount(self.codes[runs], minlength=width)
        runs = self.run_of[np.flatnonzero(~chosen)]
        if not len(runs):
            return self.per_code
        ends = np.append(np.flatnonzero(runs[1:] != runs[:-1]), len(runs) - 1)
        outside = runs[ends]
        counted = np.diff(np.append(-1, ends))  # pairs out of scope in each of those runs
        missed = outside[counted == self.sizes[outside]]
        return self.per_code - np.bincount(self.codes[missed], minlength=width)


class Snapshot:
    """Posting arrays, facet tables, document groups and sort keys of one generation.

    Given ``stored`` (the generation's arrays from :mod:`index.arrays`), it starts with every
    array its first query needs; else each is built from Whoosh on first use.
    """

    def __init__(self, searcher: Searcher, stored: Stored | None = None,
                 segments: list[SegmentPostings] | None = None) -> None:
        """:param segments: each segment's posting lists from its file, in the reader's order
        (see index.segment_postings); None reads every list from Whoosh."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self._segments = [(found, offset, _deleted(sub)) for found, (sub, offset)
                          in zip(segments, self.reader.leaf_readers(), strict=True)] \
            if segments is not None else None
        #: Whether every list from the segments' files is a view of one file (nothing to keep).
        self._views = self._segments is not None and len(self._segments) == 1 \
            and self._segments[0][2] is None
        self._postings: LruCache[tuple[str, str], tuple[np.ndarray, np.ndarray]] = LruCache(
            _MAX_CACHED_TERMS, posting_budget(self.size), weigh=lambda found: len(found[0]) + 1)
        self._phrases: LruCache[tuple[str, tuple[str, ...]], np.ndarray] = LruCache(
            _MAX_CACHED_PHRASES, max(_MIN_CACHED_POSTINGS // 10,
                                     _CACHED_PHRASE_DOCS_PER_RECORD * self.size),
            weigh=lambda docs: len(docs) + 1)
        self._records: LruCache[int, dict[str, Any]] = LruCache(_MAX_CACHED_RECORDS)
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._norms: dict[tuple[str, float, float], np.ndarray] = {}
        self._variants: LruCache[tuple[str, str], tuple[str, ...]] = LruCache(
            _MAX_CACHED_FORMS)
        self._stem_groups: LruCache[tuple[str, str, str], dict[str, list[str]]] = LruCache(
            _MAX_CACHED_FORMS, _MAX_CACHED_STEM_WORDS,
            weigh=lambda groups: 1 + sum(len(words) for words in groups.values()))
        self._lock = threading.Lock()
        #: facet -> its table's (value, document) runs (see :meth:`facet_runs`).
        self._runs: dict[str, FacetRuns] = {}
        self._stored_vocabulary: tuple[np.ndarray, np.ndarray] | None = None
        if stored is not None:
            self._adopt(stored)

    # -- the generation's arrays, stored and restored ------------------------------------------
    def stored(self) -> Stored:
        """Every per-generation array (built now where not yet), for :func:`index.arrays.save`."""
        out = Stored(facts={"analysis_keys": list(self.analysis_keys), "averages": {},
                            "facets": {}})
        for name in _ARRAY_PROPERTIES:
            out.arrays[name] = getattr(self, name)
        for name in SCORED_FIELDS:
            lengths, average = self.lengths(name)
            out.arrays[f"lengths.{name}"] = lengths
            out.facts["averages"][name] = average
        for facet, table in self._facet_tables.items():
            out.facts["facets"][facet] = {"values": table.values,
                                          "grouped": table.group_docs is not None}
            out.arrays[f"facet.{facet}.docs"] = table.docs
            out.arrays[f"facet.{facet}.codes"] = table.codes
            if table.group_docs is not None and table.group_codes is not None:
                out.arrays[f"facet.{facet}.group_docs"] = table.group_docs
                out.arrays[f"facet.{facet}.group_codes"] = table.group_codes
        words = sorted(self.vocabulary(), key=lambda pair: vocabulary_order(pair[0]))
        out.arrays["vocabulary.text"] = np.frombuffer(
            "\n".join(word for word, _ in words).encode("utf-8"), dtype=np.uint8)
        out.arrays["vocabulary.df"] = np.array([n for _, n in words], dtype=np.int32)
        out.arrays["vocabulary.bounds"] = np.array(group_bounds([w for w, _ in words]),
                                                   dtype=np.int64)
        return out

    @property
    def has_stored_vocabulary(self) -> bool:
        return self._stored_vocabulary is not None

    def speller(self) -> Speller:
        """"Did you mean"'s speller over :meth:`vocabulary` (quickest from the file, whose
        words are kept in the order the speller groups them)."""
        if self._stored_vocabulary is not None:
            text, frequencies = self._stored_vocabulary
            words = text.tobytes().decode("utf-8").split("\n") if len(text) else []
            return Speller.from_sorted(words, frequencies.tolist(),
                                       self._vocabulary_bounds.tolist())
        return Speller(self.vocabulary())

    def vocabulary(self) -> list[tuple[str, int]]:
        """(indexed body word, passages holding it): what "did you mean" respells from.

        From the generation's file when it has one; else from the segments' posting files
        (:func:`segment_vocabulary`, what a commit saves); else read from the term dictionary,
        which takes a second at 100,000 passages (call it where no other thread uses this
        snapshot's reader, or with a reader of its own: see KbIndex._vocabulary).
        """
        if self._stored_vocabulary is not None:
            text, frequencies = self._stored_vocabulary
            words = text.tobytes().decode("utf-8").split("\n") if len(text) else []
            return list(zip(words, (int(n) for n in frequencies), strict=True))
        if self._segments is not None:
            return segment_vocabulary([found for found, _, _ in self._segments])
        return read_vocabulary(self.reader)

    def _adopt(self, stored: Stored) -> None:
        """Take ``stored``'s arrays as this generation's (they fill the cached properties)."""
        arrays, facts = stored.arrays, stored.facts
        for name in _ARRAY_PROPERTIES:
            self.__dict__[name] = arrays[name]
        self.__dict__["analysis_keys"] = tuple(facts["analysis_keys"])
        for name, average in facts["averages"].items():
            self._lengths[name] = (arrays[f"lengths.{name}"], float(average))
        tables = {}
        for facet, about in facts["facets"].items():
            grouped = (arrays[f"facet.{facet}.group_docs"], arrays[f"facet.{facet}.group_codes"]) \
                if about["grouped"] else (None, None)
            tables[facet] = FacetTable(list(about["values"]), arrays[f"facet.{facet}.docs"],
                                       arrays[f"facet.{facet}.codes"], *grouped)
        self.__dict__["_facet_tables"] = tables
        self._stored_vocabulary = (arrays["vocabulary.text"], arrays["vocabulary.df"])
        self._vocabulary_bounds = arrays["vocabulary.bounds"]

    # -- posting lists ----------------------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, term frequencies) of a term.

        From the segments' files, a one-segment generation without deletions gives views of
        the file; any other joins or filters the parts, which is kept like a list read from
        Whoosh (a common word's list is joined once per generation, not on every query:
        twice a query, a millisecond each, for a word in most of 300,000 passages)."""
        joined = self._segments is not None and field in SEGMENT_FIELDS
        if joined and self._views:
            return self._segment_postings(field, term)
        key = (field, term)
        found = self._postings.get(key)
        if found is None:
            found = self._segment_postings(field, term) if joined else \
                read_postings(self.reader, field, term)
            self._postings.put(key, found)
        return found

    def _segment_postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """A list from the segments' mapped files: a view of the file when the generation is
        one segment without deletions (as after a full ingest), else the parts joined."""
        assert self._segments is not None
        ids_parts, tf_parts = [], []
        for found, offset, deleted in self._segments:
            ids, tf = found.get(field, term)
            if deleted is not None and len(ids):
                keep = ~deleted[ids]
                ids, tf = ids[keep], tf[keep]
            if len(ids):
                ids_parts.append(ids + offset if offset else ids)
                tf_parts.append(tf)
        if not ids_parts:
            return _EMPTY_POSTINGS
        if len(ids_parts) == 1:
            return ids_parts[0], tf_parts[0]
        return np.concatenate(ids_parts), np.concatenate(tf_parts)

    def warm(self, previous: Snapshot) -> None:
        """Read again, on this generation, the posting lists ``previous`` read from Whoosh
        last (most recent first, up to :data:`_WARM_POSTINGS` entries; docnums change from one
        generation to the next, so they are read, not copied), look up the forms of its
        last :data:`_WARM_WORDS` query words, and take over the records it had read that this
        generation holds unchanged (:meth:`keep_records`)."""
        chosen, budget = [], _WARM_POSTINGS
        for key, found in reversed(previous._postings.items()):
            budget -= len(found[0]) + 1
            if budget < 0:
                break
            chosen.append(key)
        for field, term in reversed(chosen):  # least recent first: the LRU order carries over
            self.postings(field, term)
        # The indexed forms of the last query words, found by scanning the term dictionary
        # (slower the more segments a generation has).
        for field, word in previous._variants.keys()[-_WARM_WORDS:]:
            self.forms(field, word)
        self.keep_records(previous)

    def keep_records(self, previous: Snapshot) -> int:
        """Take over the parsed records ``previous`` kept (in their order of use) of the
        records this generation holds unchanged: those of the leading segments both
        generations have at the same docnums, unless this generation deleted them (a segment
        never changes; an ingest adds segments after the others, deletes records, and now
        and then merges segments, which renumbers what follows). A page of hits then reads
        no records the previous generation had read. Returns how many were taken (those
        this snapshot holds already are left as they are)."""
        kept, deleted = 0, set[int]()
        for (old, old_offset), (sub, offset) in zip(previous.reader.leaf_readers(),
                                                    self.reader.leaf_readers(), strict=False):
            if sub.segment() is None or old.segment() is None \
                    or sub.segment().segment_id() != old.segment().segment_id() \
                    or offset != old_offset:
                break
            if sub.has_deletions():
                deleted.update(offset + n for n in sub.deleted_docs_set)
            kept = offset + sub.doc_count_all()
        taken = 0
        for number, found in previous._records.items():
            if number < kept and number not in deleted and number not in self._records:
                self._records.put(number, found)
                taken += 1
        return taken

    def take_warm(self, early: Snapshot) -> None:
        """Take over the posting lists, word forms and records ``early`` (a snapshot of the
        same searcher, see :func:`warm_early`) has read, as they are."""
        if early.searcher is not self.searcher:
            raise ValueError("the early snapshot is of another searcher")
        self._postings, self._variants, self._stem_groups, self._records = \
            early._postings, early._variants, early._stem_groups, early._records

    def empty(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool)

    def mask(self, docnums: Iterable[int] | np.ndarray) -> np.ndarray:
        mask = self.empty()
        ids = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, np.int64)
        mask[ids] = True
        return mask

    def union(self, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
        mask = self.empty()
        for field, term in pairs:
            mask[self.postings(field, term)[0]] = True
        return mask

    def phrase(self, field: str, words: tuple[str, ...]) -> np.ndarray:
        """Docnums where ``words`` (indexed forms) occur in a row in ``field``: Whoosh's
        ``Phrase`` query, the one query that reads positions, kept for the next time."""
        key = (field, words)
        found = self._phrases.get(key)
        if found is None:
            found = np.fromiter(self.searcher.docs_for_query(wq.Phrase(field, list(words))),
                                dtype=DOCNUM)
            self._phrases.put(key, found)
        return found

    def record(self, number: int) -> dict[str, Any]:
        """The stored record of docnum ``number`` as kb wrote it (index.records), kept for the
        next time it is a hit: callers read it and never change it."""
        found = self._records.get(number)
        if found is None:
            found = load(self.searcher.stored_fields(number))
            self._records.put(number, found)
        return found

    def terms(self, field: str) -> list[str]:
        if field not in self.reader.indexed_field_names():
            return []
        return list(self.reader.field_terms(field))

    @cached_property
    def passages(self) -> np.ndarray:
        """Every live passage: the universe an empty or purely negative query starts from."""
        return self.union([("kind", PASSAGE)])

    @cached_property
    def passage_count(self) -> int:
        return int(self.passages.sum())

    @cached_property
    def analysis_keys(self) -> tuple[str, ...]:
        """Analysis keys of the languages present, English first (see index.analysis)."""
        keys = {analysis_key(lang) for lang in self.terms("language")} or {"en"}
        return tuple(sorted(keys, key=lambda k: (k != "en", k)))

    def forms(self, field: str, word: str) -> tuple[str, ...]:
        """Indexed words of ``field`` sharing ``word``'s stem in a language present.

        Snowball stems share their first letters with every word they come from ("happi" for
        "happy", "happiness"), so scanning the words that start like the stem finds them all.
        """
        if len(word) > MAX_WORD_CHARS:
            return ()  # never indexed (see index.analysis)
        key = (field, word)
        found = self._variants.get(key)
        if found is None:
            forms = {word} if self.reader.doc_frequency(field, word) else set()
            for language in self.analysis_keys:
                target = stem(word, language)
                start = target[:max(3, len(target) - 1)] if len(target) > 3 else target
                forms.update(self._stems(field, start, language).get(target, ()))
            found = tuple(sorted(forms))
            self._variants.put(key, found)
        return found

    def _stems(self, field: str, start: str, language: str) -> dict[str, list[str]]:
        """stem -> indexed words of ``field`` starting with ``start`` (the first
        :data:`_VARIANT_SCAN`), kept for the next word whose stem starts alike."""
        key = (field, start, language)
        found = self._stem_groups.get(key)
        if found is None:
            found = {}
            for text in self._prefixed(field, start):
                found.setdefault(stem(text, language), []).append(text)
            self._stem_groups.put(key, found)
        return found

    def _prefixed(self, field: str, start: str) -> list[str]:
        """The first :data:`_VARIANT_SCAN` indexed words of ``field`` starting with ``start``,
        in order: from the segments' sorted term tables where they have them (Whoosh merges
        the term iterators of several segments in Python, a tenth of a second a word at
        100,000 passages after a few re-ingests), else from Whoosh."""
        if self._segments is not None and field in SEGMENT_FIELDS:
            words: set[str] = set()
            for found, _, _ in self._segments:
                words.update(found.prefixed(field, start, _VARIANT_SCAN))
            return sorted(words)[:_VARIANT_SCAN]
        return [term.decode("utf-8") if isinstance(term, bytes) else term
                for term in itertools.islice(self.reader.expand_prefix(field, start),
                                             _VARIANT_SCAN)]

    # -- scoring ----------------------------------------------------------------------------
    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Every docnum's length in ``field``, and the average over passages."""
        found = self._lengths.get(field)
        if found is None:
            lengths = field_lengths(self.reader, field)
            average = float(lengths[self.passages].mean()) if self.passage_count else 1.0
            found = (lengths, average or 1.0)
            with self._lock:
                self._lengths[field] = found
        return found

    def term_frequencies(self, term: ScoreTerm) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, summed frequencies of the term's forms)."""
        parts = [self.postings(term.field, form) for form in term.forms]
        parts = [(ids, tf * (1.0 + term.typed_bonus) if form == term.typed else tf)
                 for form, (ids, tf) in zip(term.forms, parts, strict=True) if len(ids)]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if len(parts) == 1:
            return parts[0]
        dense = np.zeros(self.size, dtype=np.float32)
        for ids, tf in parts:
            dense[ids] += tf
        ids = np.flatnonzero(dense)
        return ids, dense[ids]

    def bm25(self, terms: Iterable[ScoreTerm], k1: float, b: float) -> np.ndarray:
        """BM25 per docnum, with passage-only statistics.

        N and the average length count passages only (the index also holds document,
        manifest and meta records), and idf is the Robertson-Sparck Jones form. A term's
        frequency is the sum over its forms: the score a stemmed index would give.

        Each term's part is computed in float64 as ``weight * idf * tf * (k1 + 1) / (tf +
        norm)`` and added to the float32 scores; the steps run in place on one array, with
        the length normalisation per docnum computed once per generation (:meth:`norms`), so
        a word in most passages costs a few passes over its list rather than a dozen.
        """
        scores = np.zeros(self.size, dtype=np.float32)
        total = max(1, self.passage_count)
        first = True
        for term in terms:
            ids, tf = self.term_frequencies(term)
            if not len(ids):
                continue
            df = len(ids)
            idf = np.log(1.0 + (total - df + 0.5) / (df + 0.5))
            at = ids.astype(np.intp, copy=False)  # indexing converts int32 docnums each time
            part = np.multiply(tf, term.weight * idf, dtype=np.float64)
            part *= k1 + 1.0
            part /= tf + self.norms(term.field, k1, b)[at]
            if first:
                # The same float32 as 0 + part, without reading the zeros; cast first, as the
                # assignment would (a casting scatter is slower than a cast and a scatter).
                scores[at] = part.astype(np.float32)
                first = False
            else:
                scores[at] += part
        return scores

    def ready(self, k1: float, b: float) -> None:
        """Build now what a query would otherwise build on its first use in this generation:
        the passage count, every facet's (value, document) runs that grouped counting reads
        (:meth:`facet_runs`) and each scored field's BM25 length normalisation under ``k1`` and
        ``b`` (:meth:`norms`). What a server calls on a new generation before it serves it,
        so that its first query costs what a warm one does (issue #10)."""
        _ = self.passage_count
        for facet, table in self._facet_tables.items():
            if table.values and table.group_docs is None:
                self.facet_runs(facet)
        for name in SCORED_FIELDS:
            self.norms(name, k1, b)

    def norms(self, field: str, k1: float, b: float) -> np.ndarray:
        """Every docnum's BM25 length normalisation in ``field``, ``k1 * (1 - b + b * length /
        average)`` (float32, as computed per posting before), kept for the generation."""
        key = (field, k1, b)
        found = self._norms.get(key)
        if found is None:
            lengths, average = self.lengths(field)
            found = k1 * (1.0 - b + b * lengths / average)
            with self._lock:
                self._norms[key] = found
        return found

    # -- documents ------------------------------------------------------------------------
    @cached_property
    def doc_starts(self) -> np.ndarray:
        return np.sort(self.postings("kind", DOCUMENT)[0])

    @cached_property
    def group_of(self) -> np.ndarray:
        """docnum -> ordinal of its document (index into ``doc_starts``); -1 before the first."""
        marks = np.full(self.size, -1, dtype=np.int64)
        marks[self.doc_starts] = np.arange(len(self.doc_starts))
        return np.maximum.accumulate(marks) if self.size else marks

    def groups_in(self, mask: np.ndarray) -> np.ndarray:
        """Boolean per document ordinal: does any docnum of ``mask`` belong to it.

        A document's records are one run of docnums, from its start to the next one's, so
        this is an OR over each run (one sequential pass, a quarter of the time of scattering
        every masked docnum's group at 300,000 passages); records before the first document
        belong to none."""
        starts = self.doc_starts
        if not len(starts):
            return np.zeros(0, dtype=bool)
        return np.logical_or.reduceat(mask, starts)

    def count_groups(self, mask: np.ndarray) -> int:
        return int(self.groups_in(mask).sum())

    # -- facets ---------------------------------------------------------------------------
    def facet_table(self, facet: str) -> FacetTable:
        return self._facet_tables[facet]

    @cached_property
    def _facet_tables(self) -> dict[str, FacetTable]:
        tables = {}
        for facet, field in FACET_FIELDS.items():
            values = self.terms(field)
            if not values:
                empty = np.zeros(0, np.int64)
                tables[facet] = FacetTable(values, empty, empty)
                continue
            postings = [self.postings(field, v)[0] for v in values]
            docs = np.concatenate(postings)
            codes = np.concatenate([np.full(len(d), i, dtype=np.int64)
                                    for i, d in enumerate(postings)])
            tables[facet] = FacetTable(values, docs, codes, *self._per_document(docs, codes,
                                                                                len(values)))
        return tables

    def _per_document(self, docs: np.ndarray, codes: np.ndarray,
                      width: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(document ordinals, codes) if every passage of a document has the same values."""
        groups = self.group_of[docs]
        if not len(groups) or groups.min() < 0:
            return None, None
        keys, counts = np.unique(groups * width + codes, return_counts=True)
        group_docs, group_codes = keys // width, keys % width
        passages = np.bincount(self.group_of[self.passages], minlength=len(self.doc_starts))
        if not np.array_equal(counts, passages[group_docs]):
            return None, None
        return group_docs, group_codes

    def facet_runs(self, facet: str) -> FacetRuns:
        """A facet table's pairs as (value, document) runs, for counting documents per value
        (see :class:`FacetRuns`); built on first use, kept for the generation (a race builds
        the same arrays)."""
        found = self._runs.get(facet)
        if found is None:
            found = self._runs[facet] = FacetRuns.build(self._facet_tables[facet],
                                                        self.group_of)
        return found

    def facet_mask(self, facet: str, values: Iterable[str]) -> np.ndarray:
        return self.union((FACET_FIELDS[facet], v) for v in values)

    # -- ordering -------------------------------------------------------------------------
    @cached_property
    def browse_key(self) -> np.ndarray:
        """docnum -> key ordering passages oldest first, then by source and position.

        Undated passages sort after dated ones in both directions.
        """
        return self._order_key(newest_first=False)

    @cached_property
    def newest_key(self) -> np.ndarray:
        return self._order_key(newest_first=True)

    def _order_key(self, *, newest_first: bool) -> np.ndarray:
        date_rank = self._ranks("date", reverse=newest_first, missing=None)
        return (date_rank << 42) | (self._source_rank << 22) | np.arange(self.size,
                                                                        dtype=np.int64)

    @cached_property
    def _source_rank(self) -> np.ndarray:
        """docnum -> its source's rank in source order (0 without one): both sort keys'."""
        return self._ranks("src", reverse=False, missing=0)

    def _ranks(self, field: str, *, reverse: bool, missing: int | None) -> np.ndarray:
        """docnum -> the rank of its value of ``field`` (one per record, as date and src
        have) among the field's values in order; ``missing`` (None: after the last) for a
        record without one.

        From the segments' files, every list at once: a lookup per value cost a commit two
        binary searches per document (one list per source), about two fifths of the time its
        arrays took on bench/ingest.py's index.
        """
        parts = self._field_parts(field)
        values = sorted(set().union(*(terms for terms, _, _ in parts)) if parts is not None
                        else self.terms(field), reverse=reverse)
        ranks = np.full(self.size, len(values) if missing is None else missing, dtype=np.int64)
        if parts is None:
            for rank, value in enumerate(values):
                ranks[self.postings(field, value)[0]] = rank
            return ranks
        rank_of = {value: rank for rank, value in enumerate(values)}
        for terms, counts, docnums in parts:
            found = np.fromiter(map(rank_of.__getitem__, terms), dtype=np.int64,
                                count=len(terms))
            ranks[docnums] = np.repeat(found, counts)
        return ranks

    def _field_parts(self, field: str) -> list[tuple[list[str], np.ndarray, np.ndarray]] | None:
        """Each segment's (terms, postings per term, live postings' docnums in the
        generation) of ``field``, from the segments' files; a deleted record's postings are
        left out (its term stays, as Whoosh's term list keeps it). None without the files."""
        if self._segments is None or field not in SEGMENT_FIELDS:
            return None
        parts = []
        for found, offset, deleted in self._segments:
            terms, counts, docnums = found.field_lists(field)
            if deleted is not None and len(docnums):
                keep = ~deleted[docnums]
                term_of = np.repeat(np.arange(len(counts)), counts)
                counts = np.bincount(term_of[keep], minlength=len(counts))
                docnums = docnums[keep]
            parts.append((terms, counts, docnums + offset if offset else docnums))
        return parts


def _deleted(sub: SegmentReader) -> np.ndarray | None:
    """The segment's deleted records as a mask over its docnums, or None when it has none."""
    if not sub.has_deletions():
        return None
    mask = np.zeros(sub.doc_count_all(), dtype=bool)
    mask[np.fromiter(sub.deleted_docs_set, dtype=np.int64)] = True
    return mask


def posting_budget(records: int) -> int:
    """Posting entries the cache of a generation of ``records`` records may hold."""
    return max(_MIN_CACHED_POSTINGS, _CACHED_POSTINGS_PER_RECORD * records)


def read_vocabulary(reader: IndexReader) -> list[tuple[str, int]]:
    """(word, document frequency) of every indexed body word, from the term dictionary."""
    if "body" not in reader.indexed_field_names():
        return []
    return [(term.decode("utf-8") if isinstance(term, bytes) else term, info.doc_frequency())
            for term, info in reader.iter_field("body")]


def segment_vocabulary(segments: list[SegmentPostings]) -> list[tuple[str, int]]:
    """What :func:`read_vocabulary` reads, from the segments' files: a word's document
    frequency is its postings in every segment, deleted records' too, as Whoosh counts it
    (reading the term dictionary cost a commit half of its arrays' time). In the lexicon's
    order: a string's order is its UTF-8 bytes' order."""
    if len(segments) == 1:
        terms, counts, _ = segments[0].field_lists("body")
        return list(zip(terms, counts.tolist(), strict=True))
    total: dict[str, int] = {}
    for found in segments:
        terms, counts, _ = found.field_lists("body")
        for term, count in zip(terms, counts.tolist(), strict=True):
            total[term] = total.get(term, 0) + count
    return sorted(total.items())


def saved(index_dir: Path, reader: IndexReader) -> bool:
    """Whether the writer has saved the generation's arrays and every segment's posting
    lists (it does so right after its commit, which makes the generation visible first)."""
    return arrays.path_for(index_dir, int(reader.generation())).exists() and all(
        arrays.segment_path(index_dir, sub.segment().segment_id()).exists()
        for sub, _ in reader.leaf_readers() if sub.segment() is not None)


def _segment_lists(index_dir: Path, searcher: Searcher, base: Snapshot | None
                   ) -> list[segment_postings.SegmentPostings] | None:
    """Every segment's saved posting lists for ``searcher``, those ``base`` mapped already
    taken over (a segment never changes); None when a segment has no valid file yet."""
    known = {found.segment_id: found for found, _, _ in base._segments} \
        if base is not None and base._segments is not None else None
    found = [segment_postings.load(index_dir, sub, known)
             for sub, _ in searcher.reader().leaf_readers()]
    return [f for f in found if f is not None] if all(f is not None for f in found) else None


def warm_early(index_dir: Path, searcher: Searcher, previous: Snapshot) -> Snapshot | None:
    """A snapshot of ``searcher``'s generation holding what ``previous``'s last queries read
    (:meth:`Snapshot.warm`), before the generation's arrays are saved; None until every segment's
    posting lists are (or when the generation has none).

    A writer publishes its generation, then saves its new segments' posting lists, then builds
    and saves the generation's arrays, which takes seconds at 100,000 passages; a server that
    read the lists again only once the arrays were saved did it while the first query after the
    ingest was already waiting (issue #10). Reading them from the segments' files needs no
    arrays, so it is done here in the meantime, and :func:`prepare` takes the lists over.
    """
    if previous._segments is None:
        return None
    segments = _segment_lists(index_dir, searcher, previous)
    if segments is None:
        return None
    early = Snapshot(searcher, None, segments)
    early.warm(previous)
    return early


def prepare(index_dir: Path, searcher: Searcher, previous: Snapshot | None = None,
            early: Snapshot | None = None) -> Snapshot:
    """The snapshot of ``searcher``'s generation, ready for its first query.

    Its arrays come from the generation's file (:mod:`index.arrays`); when that is missing or
    rejected they are built from Whoosh and saved for the next process (a read-only index
    folder just goes without). With ``previous`` (the generation being replaced), the posting
    lists its last queries read are read again on the new generation, so the first queries
    after an ingest find them cached, as they were before it; ``early`` (from
    :func:`warm_early` on the same searcher) has read them already, and they are taken over.
    """
    if early is not None and early.searcher is not searcher:
        raise ValueError("the early snapshot is of another searcher")
    stored = arrays.load(index_dir, searcher.reader())
    segments = _segment_lists(index_dir, searcher, early if early is not None else previous)
    try:
        snap = Snapshot(searcher, stored, segments)
    except (KeyError, TypeError, ValueError) as exc:
        # A file whose format number was not bumped when its contents changed.
        _log.warning("the arrays saved in %s lack %s; rebuilding them from the index",
                     index_dir, exc)
        stored, snap = None, Snapshot(searcher)
    if stored is None:
        built = snap.stored()
        try:
            arrays.save(index_dir, searcher.reader(), built)
        except OSError as exc:
            _log.warning("could not save the generation's arrays in %s: %s", index_dir, exc)
    if early is not None:
        snap.take_warm(early)
        if previous is not None:
            snap.keep_records(previous)  # those its queries read since
    elif previous is not None:
        snap.warm(previous)
    return snap
