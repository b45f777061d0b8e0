"""Each segment's posting lists, decoded once by the writer and memory-mapped by every reader.

Reading a posting list from Whoosh decodes it block by block, and every block of a positional
field is a pickle holding each posting's positions: at 100,000 passages a common word's list
took half a second to decode, paid by the first query that used the word in every process
(the slow tail of bench/search.py, and most of a cold ``kb search``). Whoosh never changes a
segment once written (deletions are kept apart, per generation), so the writer decodes each
new segment's lists once, as docnums (int32, local to the segment) and frequencies (float32),
and saves them in ``kb_postings_<segment id>.bin`` (:mod:`index.arrays`' file layout); a reader
then takes any list as two slices of a mapped file. A commit only decodes the segments it
wrote (or merged), so adding a few files to a large index stays cheap.

The fields kept are those a query reads lists of: the text fields it scores and the facet,
date and kind fields it filters on. Per-record fields (``id``, ``doc_id``, ``src``) are read
from Whoosh, where each list is one short block.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from pathlib import Path

import numpy as np
from whoosh.reading import SegmentReader

from index import arrays
from index.arrays import Stored
from index.postings import DOCNUM, read_segment_postings
from index.schema import FACET_FIELDS, build_schema

#: Fields whose lists are kept per segment.
FIELDS = tuple(dict.fromkeys(
    [name for name, kind in build_schema().items() if kind.scorable]
    + list(FACET_FIELDS.values()) + ["kind", "date"]))
#: Separates the terms of one field in the stored text (never part of an indexed term).
_SEP = "\x00"

_log = logging.getLogger(__name__)


class SegmentPostings:
    """The posting lists of one segment, from its file."""

    def __init__(self, segment_id: str, stored: Stored) -> None:
        self.segment_id = segment_id
        self._arrays = stored.arrays
        self._terms: dict[str, dict[str, int]] = {}
        self._word_lists: dict[str, list[str]] = {}

    def get(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment-local docnums, frequencies) of ``term``; empty when the segment lacks it."""
        index = self._lookup(field).get(term)
        if index is None:
            return _EMPTY
        starts = self._arrays[f"{field}.starts"]
        begin, end = int(starts[index]), int(starts[index + 1])
        return self._arrays[f"{field}.ids"][begin:end], self._arrays[f"{field}.tf"][begin:end]

    def prefixed(self, field: str, start: str, limit: int) -> list[str]:
        """The first ``limit`` terms of ``field`` starting with ``start``, in order."""
        words = self._words(field)
        first = bisect.bisect_left(words, start)
        found = []
        for word in itertools.islice(words, first, first + limit):
            if not word.startswith(start):
                break
            found.append(word)
        return found

    def _words(self, field: str) -> list[str]:
        """The field's terms in the lexicon's (sorted) order."""
        found = self._word_lists.get(field)
        if found is None:
            text = self._arrays[f"{field}.terms"]
            found = text.tobytes().decode("utf-8").split(_SEP) if len(text) else []
            self._word_lists[field] = found  # built again by a racing thread at worst: same
        return found

    def _lookup(self, field: str) -> dict[str, int]:
        found = self._terms.get(field)
        if found is None:
            found = {word: i for i, word in enumerate(self._words(field))}
            self._terms[field] = found  # built again by a racing thread at worst: same value
        return found


_EMPTY = (np.zeros(0, dtype=DOCNUM), np.zeros(0, dtype=np.float32))


def _identity(sub: SegmentReader) -> dict[str, object]:
    return {"segment": sub.segment().segment_id(), "records": int(sub.doc_count_all()),
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
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in ids], out=starts[1:])
        out.arrays[f"{field}.terms"] = np.frombuffer(_SEP.join(terms).encode("utf-8"),
                                                     dtype=np.uint8)
        out.arrays[f"{field}.starts"] = starts
        out.arrays[f"{field}.ids"] = np.concatenate(ids) if ids else _EMPTY[0]
        out.arrays[f"{field}.tf"] = np.concatenate(frequencies) if frequencies else _EMPTY[1]
    return out


def save_missing(index_dir: Path, subs: list[SegmentReader]) -> None:
    """Decode and save the lists of each segment that has no valid file yet (the writer's
    new or merged segments); one it cannot save is logged, and readers read it from Whoosh."""
    for sub in subs:
        if sub.segment() is None or load(index_dir, sub) is not None:
            continue
        try:
            arrays.write(arrays.segment_path(index_dir, sub.segment().segment_id()),
                         _identity(sub), build(sub))
        except OSError as exc:
            _log.warning("could not save the posting lists of %s: %s",
                         sub.segment().segment_id(), exc)
