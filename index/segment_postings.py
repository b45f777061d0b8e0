"""Each segment's posting lists, saved once by the writer and memory-mapped by every reader.

Reading a posting list from Whoosh decodes it block by block, and every block of a positional
field is a pickle holding each posting's positions: at 100,000 passages a common word's list
took half a second to decode, paid by the first query that used the word in every process
(the slow tail of bench/search.py, and most of a cold ``kb search``). Whoosh never changes a
segment once written (deletions are kept apart, per generation), so the writer saves each new
segment's lists once, as docnums (int32, local to the segment) and frequencies (float32), in
``kb_postings_<segment id>.bin`` (:mod:`index.arrays`' file layout): from the lists it kept
while writing the segment (:func:`from_written`), or decoded from Whoosh for a segment it did
not write (:func:`build`). A reader then takes any list as two slices of a mapped file. A
commit only saves the segments it wrote (or merged), so adding a few files to a large index
stays cheap.

The fields kept are those a query reads lists of: the text fields it scores and the facet,
date and kind fields it filters on, and ``src``, whose every list the generation's sort keys
read (:meth:`index.snapshot.Snapshot.browse_key`: one list per document, which from Whoosh
cost a lookup and a block read each, twice per commit). The other per-record fields (``id``,
``doc_id``) are read from Whoosh, a short block per record asked for.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np
from whoosh.codec.base import Segment
from whoosh.reading import SegmentReader

from index import arrays
from index.arrays import Stored
from index.cache import LruCache
from index.internals import PostingLists
from index.postings import DOCNUM, read_segment_postings
from index.schema import FACET_FIELDS, build_schema

#: Fields whose lists are kept per segment.
FIELDS = tuple(dict.fromkeys(
    [name for name, kind in build_schema().items() if kind.scorable]
    + list(FACET_FIELDS.values()) + ["kind", "date", "src"]))
#: Separates the terms of one field in the stored text (never part of an indexed term).
_SEP = "\x00"
_SEP_BYTE = 0
#: Prefix scans kept per segment, and the words they found at most: a query word's indexed forms
#: are found by scanning the words that start like its stem (Snapshot.forms), a Python loop over
#: the term table. A segment never changes and its object is taken over by every later
#: generation that keeps it (see :func:`load`), so a new generation finding the forms of its
#: predecessor's query words again (Snapshot.warm) scans only the segments it adds, where it
#: used to repeat every scan. (A scan finds a few dozen words; the bounds keep a few MB per
#: segment at most.)
_MAX_CACHED_PREFIXES = 5_000
_MAX_CACHED_PREFIX_WORDS = 50_000

_log = logging.getLogger(__name__)


class SegmentPostings:
    """The posting lists of one segment, from its file."""

    def __init__(self, segment_id: str, stored: Stored) -> None:
        self.segment_id = segment_id
        self._arrays = stored.arrays
        self._tables: dict[str, TermTable] = {}
        self._prefixes: LruCache[tuple[str, str, int], tuple[str, ...]] = LruCache(
            _MAX_CACHED_PREFIXES, _MAX_CACHED_PREFIX_WORDS, weigh=lambda words: len(words) + 1)

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment-local docnums, frequencies) of ``term``; empty when the segment lacks it."""
        index = self._table(field).find(term)
        if index is None:
            return _EMPTY
        starts = self._arrays[f"{field}.starts"]
        begin, end = int(starts[index]), int(starts[index + 1])
        return self._arrays[f"{field}.ids"][begin:end], self._arrays[f"{field}.tf"][begin:end]

    def field_lists(self, field: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """All of ``field`` at once: its terms in order, each term's number of postings, and
        every posting's segment-local docnum, the terms' lists one after the other (for what
        reads a whole field, where a lookup per term cost a binary search each)."""
        starts = self._arrays[f"{field}.starts"]
        text = self._arrays[f"{field}.terms"]
        terms = text.tobytes().decode("utf-8").split(_SEP) if len(starts) > 1 else []
        return terms, np.diff(starts), self._arrays[f"{field}.ids"]

    def prefixed(self, field: str, start: str, limit: int) -> tuple[str, ...]:
        """The first ``limit`` terms of ``field`` starting with ``start``, in order (kept for
        the next scan of the same prefix, by this generation or a later one)."""
        key = (field, start, limit)
        found = self._prefixes.get(key)
        if found is None:
            found = tuple(self._table(field).prefixed(start, limit))
            self._prefixes.put(key, found)
        return found

    def _table(self, field: str) -> TermTable:
        found = self._tables.get(field)
        if found is None:
            found = TermTable(self._arrays[f"{field}.terms"])
            self._tables[field] = found  # built again by a racing thread at worst: same value
        return found


class TermTable(Sequence[bytes]):
    """A field's sorted terms, read in place from the mapped file: the ``i``-th term is a slice
    of its bytes, and a term is found by binary search.

    Decoding the whole table into a dict of words cost a first query 25 ms a field at 100,000
    passages (and more with every segment); only the bounds of each term are computed here,
    one pass over the bytes in C, and a lookup reads about twenty terms. The terms are in
    the lexicon's order, which is their UTF-8 bytes' order.
    """

    def __init__(self, text: np.ndarray) -> None:
        self._text = text
        ends = np.append(np.flatnonzero(text == _SEP_BYTE), len(text)) if len(text) \
            else np.zeros(0, dtype=np.int64)
        self._ends = ends
        self._starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, i: int) -> bytes: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...

    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._text[int(self._starts[i]):int(self._ends[i])].tobytes()

    def find(self, term: str) -> int | None:
        """The position of ``term``, or None when the table lacks it."""
        key = term.encode("utf-8")
        at = bisect.bisect_left(self, key)
        return at if at < len(self) and self[at] == key else None

    def prefixed(self, start: str, limit: int) -> list[str]:
        """The first ``limit`` terms starting with ``start``, in order."""
        key = start.encode("utf-8")
        found: list[str] = []
        for at in range(bisect.bisect_left(self, key), len(self)):
            word = self[at]
            if len(found) == limit or not word.startswith(key):
                break
            found.append(word.decode("utf-8"))
        return found


_EMPTY = (np.zeros(0, dtype=DOCNUM), np.zeros(0, dtype=np.float32))


def _identity(sub: SegmentReader) -> dict[str, object]:
    return _segment_identity(sub.segment())


def _segment_identity(segment: Segment) -> dict[str, object]:
    """What ties a file to one segment: its id, its records and the fields kept."""
    return {"segment": segment.segment_id(), "records": int(segment.doc_count_all()),
            "fields": list(FIELDS)}


def load(index_dir: Path, sub: SegmentReader,
         known: dict[str, SegmentPostings] | None = None) -> SegmentPostings | None:
    """The segment's lists from its file; None when it has none (an index written by an
    earlier kb, a segment written on a read-only folder) or the file is rejected.

    :param known: the previous generation's, by segment id: a segment never changes, so its
        lists (and the term tables built on their first use) are taken over as they are.
    """
    if sub.segment() is None:
        return None
    segment_id = sub.segment().segment_id()
    if known and segment_id in known:
        return known[segment_id]
    # Not the payload's CRC: it would read the whole file on every open (see arrays.read).
    stored = arrays.read(arrays.segment_path(index_dir, segment_id), _identity(sub),
                         verify=False)
    return SegmentPostings(segment_id, stored) if stored is not None else None


def build(sub: SegmentReader) -> Stored:
    """Every kept field's lists of one segment, decoded from Whoosh."""
    out = Stored()
    indexed = set(sub.indexed_field_names())
    for field in FIELDS:
        terms: list[str] = []
        ids: list[np.ndarray] = []
        frequencies: list[np.ndarray] = []
        if field in indexed:
            for raw in sub.lexicon(field):
                term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                found_ids, found_tf = read_segment_postings(sub, field, term)
                terms.append(term)
                ids.append(found_ids)
                frequencies.append(found_tf)
        _put(out, field, _SEP.join(terms).encode("utf-8"), [len(i) for i in ids],
             np.concatenate(ids) if ids else _EMPTY[0],
             np.concatenate(frequencies) if frequencies else _EMPTY[1])
    return out


def from_written(lists: Mapping[str, PostingLists]) -> Stored:
    """Every kept field's lists of a segment as its writer kept them while writing it
    (:attr:`index.internals.PostingLists`): what :func:`build` decodes from the segment,
    without reading it back."""
    out = Stored()
    for field in FIELDS:
        written = lists.get(field)
        if written is None:
            _put(out, field, b"", [], _EMPTY[0], _EMPTY[1])
            continue
        _put(out, field, _SEP.encode("utf-8").join(written.terms), written.counts,
             np.frombuffer(written.ids, dtype=np.uint32).astype(DOCNUM),
             np.frombuffer(written.weights, dtype=np.float32))
    return out


def _put(out: Stored, field: str, terms: bytes, counts: list[int], ids: np.ndarray,
         frequencies: np.ndarray) -> None:
    """One field's arrays: its terms joined by the separator, where each term's postings
    start, and the postings' docnums and frequencies."""
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    out.arrays[f"{field}.terms"] = np.frombuffer(terms, dtype=np.uint8)
    out.arrays[f"{field}.starts"] = starts
    out.arrays[f"{field}.ids"] = ids
    out.arrays[f"{field}.tf"] = frequencies


def save_written(index_dir: Path, segment: Segment, lists: Mapping[str, PostingLists]) -> None:
    """Save the lists of a segment just written, from what its writer kept (see
    :func:`from_written`); one it cannot save is logged, and readers read it from Whoosh."""
    _save(index_dir, segment, lambda: from_written(lists))


def save_missing(index_dir: Path, subs: list[SegmentReader],
                 written: Mapping[str, Mapping[str, PostingLists]] | None = None) -> None:
    """Save the lists of each segment that has no valid file yet (the writer's new or merged
    segments): from what its writer kept when ``written`` has them by segment id (see
    :func:`from_written`), else decoded from Whoosh. One it cannot save is logged, and
    readers read it from Whoosh."""
    for sub in subs:
        if sub.segment() is None or load(index_dir, sub) is not None:
            continue
        lists = (written or {}).get(sub.segment().segment_id())
        if lists is not None:
            _save(index_dir, sub.segment(), lambda: from_written(lists))  # noqa: B023
        else:
            _save(index_dir, sub.segment(), lambda: build(sub))  # noqa: B023 - called at once


def _save(index_dir: Path, segment: Segment, make: Callable[[], Stored]) -> None:
    """Write the lists ``make`` gives as ``segment``'s file; a failure is logged, and readers
    then read that segment's lists from Whoosh."""
    try:
        arrays.write(arrays.segment_path(index_dir, segment.segment_id()),
                     _segment_identity(segment), make())
    except OSError as exc:
        _log.warning("could not save the posting lists of %s: %s", segment.segment_id(), exc)
