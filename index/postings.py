"""Posting lists and field lengths as numpy arrays, read block by block from Whoosh.

Scoring and counting are done with numpy over whole posting lists (see index.snapshot): that
is what keeps a faceted query over 100,000 passages in milliseconds, where Whoosh's matchers
would score hit by hit in Python. Whoosh keeps postings in blocks of ids and weights; reading a
block at a time is the fast path, and any other matcher falls back to the generic loop.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
_BYTE_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def read_postings(reader: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted docnums, term frequencies) of one term over every live document."""
    ids_parts, weight_parts = [], []
    for sub, offset in reader.leaf_readers():
        if (field, term) not in sub:
            continue
        matcher = sub.postings(field, term)
        deleted = None
        if isinstance(matcher, FilterMatcher):
            deleted, matcher = matcher._ids, matcher.child
        ids, weights = _read_matcher(matcher)
        if deleted:
            keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
            ids, weights = ids[keep], weights[keep]
        ids_parts.append(ids + offset)
        weight_parts.append(weights)
    if not ids_parts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if len(ids_parts) == 1:
        return ids_parts[0], weight_parts[0]
    return np.concatenate(ids_parts), np.concatenate(weight_parts)


def _read_matcher(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        # Whole blocks at a time, decoded with numpy (private Whoosh API, checked by the
        # tests): a block holds delta-encoded ids and weights that are an array, one float
        # for the whole block, or None for all 1.0.
        id_blocks, weight_blocks = [], []
        while matcher.is_active():
            matcher._read_data()
            raw_ids, raw_weights = matcher._data[0], matcher._data[1]
            count = matcher._blocklength
            id_blocks.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))
            if raw_weights is None:
                weight_blocks.append(np.ones(count, dtype=np.float32))
            elif isinstance(raw_weights, float):
                weight_blocks.append(np.full(count, raw_weights, dtype=np.float32))
            else:
                weight_blocks.append(np.asarray(raw_weights, dtype=np.float32))
            matcher._next_block()
        if not id_blocks:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        return np.concatenate(id_blocks), np.concatenate(weight_blocks)
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def field_lengths(reader: IndexReader, field: str) -> np.ndarray:
    """Every document's length in ``field`` (Whoosh stores it rounded to one byte)."""
    parts = []
    for sub, _ in reader.leaf_readers():
        count = sub.doc_count_all()
        perdoc = getattr(sub, "_perdoc", None)
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc else None
        if column is None:
            parts.append(np.array([sub.doc_field_length(d, field, 0) for d in range(count)],
                                  dtype=np.float32))
        else:
            parts.append(_BYTE_LENGTHS[_length_codes(column, count)])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _length_codes(column: Iterable[int], count: int) -> np.ndarray:
    """One length byte per document; the column's bytes in one read where its layout allows.

    Iterating the column costs a Python call per document (about 0.2 s per field at 100,000
    passages, paid by the first query after opening); a one-byte numeric column is a plain run
    of bytes, padded with the default for documents past its end.
    """
    if (isinstance(column, NumericColumn.Reader) and column._fixedlen == 1
            and column._typecode == "B"):
        stored = min(column._count, count)
        codes = np.full(count, column._default, dtype=np.uint8)
        if stored:
            raw = column._dbfile.get(column._basepos, stored)
            codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
        return codes
    return np.frombuffer(array("B", column).tobytes(), dtype=np.uint8)[:count]
