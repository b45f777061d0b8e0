"""Posting lists and field lengths as numpy arrays, read block by block from Whoosh.

Scoring and counting are done with numpy over whole posting lists (see index.snapshot): that
is what keeps a faceted query over 100,000 passages in milliseconds, where Whoosh's matchers
would score hit by hit in Python. Whoosh keeps postings in blocks of ids and weights; reading a
block at a time is the fast path, and any other matcher falls back to the generic loop.
"""

from __future__ import annotations

import numpy as np
from whoosh.matching import Matcher
from whoosh.reading import IndexReader, SegmentReader
from whoosh.util.numeric import byte_to_length

from index.internals import leaf_blocks, length_bytes, length_column, without_deletions

#: Docnums as int32 (Whoosh numbers documents with 32 bits): a cached posting entry then costs
#: 8 bytes with its frequency instead of 12.
DOCNUM = np.int32
_EMPTY_IDS = np.zeros(0, dtype=DOCNUM)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_BYTE_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def read_postings(reader: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted docnums, term frequencies) of one term over every live document."""
    ids_parts, weight_parts = [], []
    for sub, offset in reader.leaf_readers():
        if (field, term) not in sub:
            continue
        deleted, matcher = without_deletions(sub.postings(field, term))
        ids, weights = _read_matcher(matcher)
        if deleted:
            keep = ~np.isin(ids, np.fromiter(deleted, dtype=DOCNUM))
            ids, weights = ids[keep], weights[keep]
        ids_parts.append(ids + offset)
        weight_parts.append(weights)
    if not ids_parts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if len(ids_parts) == 1:
        return ids_parts[0], weight_parts[0]
    return np.concatenate(ids_parts), np.concatenate(weight_parts)


def read_segment_postings(sub: SegmentReader, field: str,
                          term: str) -> tuple[np.ndarray, np.ndarray]:
    """(segment-local docnums, frequencies) of a term in one segment, deleted records
    included: what a segment holds for good (deletions belong to a generation)."""
    if (field, term) not in sub:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return _read_matcher(without_deletions(sub.postings(field, term))[1])


def _read_matcher(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    blocks = leaf_blocks(matcher)
    if blocks is None:
        ids: list[int] = []
        weights: list[float] = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.asarray(ids, dtype=DOCNUM), np.asarray(weights, dtype=np.float32)
    # Whole blocks at a time, decoded with numpy: a block holds delta-encoded ids and weights
    # that are an array, one float for the whole block, or None for all 1.0.
    id_blocks, weight_blocks = [], []
    for raw_ids, raw_weights, count in blocks:
        id_blocks.append(np.cumsum(np.asarray(raw_ids, dtype=DOCNUM), dtype=DOCNUM))
        if raw_weights is None:
            weight_blocks.append(np.ones(count, dtype=np.float32))
        elif isinstance(raw_weights, float):
            weight_blocks.append(np.full(count, raw_weights, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(raw_weights, dtype=np.float32))
    if not id_blocks:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def field_lengths(reader: IndexReader, field: str) -> np.ndarray:
    """Every document's length in ``field`` (Whoosh stores it rounded to one byte)."""
    parts = []
    for sub, _ in reader.leaf_readers():
        count = sub.doc_count_all()
        column = length_column(sub, field)
        if column is None and getattr(sub, "_perdoc", None) is not None:
            # A segment none of whose records has the field: Whoosh's reader gives each one
            # the default, asking the file system for the column again at every call.
            parts.append(np.zeros(count, dtype=np.float32))
        elif column is None:
            parts.append(np.array([sub.doc_field_length(d, field, 0) for d in range(count)],
                                  dtype=np.float32))
        else:
            parts.append(_BYTE_LENGTHS[length_bytes(column, count)])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
