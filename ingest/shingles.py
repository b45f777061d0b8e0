"""CRC-32 hashes of word shingles, taken from one encoded buffer instead of one string each.

Site signatures (:mod:`ingest.sitewide`) and page fingerprints (:mod:`ingest.dedupe`) hash
every run of 3 and 5 words of a page: the UTF-8 bytes of the words joined by single spaces.
Building that string for each run (a join, an encode, then the hash) cost most of the page
cleaning in the workers. Here the page's words are joined and encoded once, with the byte
offset at which each word starts, so a run's bytes are one slice of that buffer and its hash
is the very same number (hashes are stored in manifests and must never change).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from itertools import accumulate


class Shingles:
    """The words of a text joined by single spaces and encoded once, with word offsets."""

    __slots__ = ("data", "ends", "starts")

    def __init__(self, tokens: list[str]) -> None:
        text = " ".join(tokens)
        self.data = text.encode("utf-8")
        # An all-ASCII text has one byte per character: the words' lengths are their sizes.
        sizes = map(len, tokens) if len(self.data) == len(text) else \
            [len(token.encode("utf-8")) for token in tokens]
        #: Where each word starts in :attr:`data`, then one past the end (+1, as if a space
        #: followed the last word): word i is ``data[starts[i]:starts[i + 1] - 1]``.
        self.starts = [0, *accumulate(size + 1 for size in sizes)]
        #: ``starts[i] - 1``: where a run ending before word i ends, without a subtraction per
        #: hash.
        self.ends = [start - 1 for start in self.starts]

    def __len__(self) -> int:
        return len(self.starts) - 1

    def hashes(self, size: int, first: int = 0, end: int | None = None) -> list[int]:
        """``crc32(" ".join(run).encode("utf-8"))`` of every run of ``size`` words among
        words ``first`` to ``end`` (exclusive), in order."""
        stop = len(self.starts) if end is None else end + 1
        data, crc32 = self.data, zlib.crc32  # a run of words a to b is data[starts[a]:ends[b]]
        return [crc32(data[a:b]) for a, b in zip(
            self.starts[first:max(first, stop - size)], self.ends[first + size:stop], strict=True)]

    def whole(self, first: int, end: int) -> int:
        """The hash of words ``first`` to ``end`` (exclusive, at least one word) as one run."""
        return zlib.crc32(self.data[self.starts[first]:self.ends[end]])


def hex_list(hashes: Iterable[int], sep: str) -> str:
    """Hashes in increasing order, in hex, joined by ``sep``: how manifests store them.

    One ``%`` over a template with a ``%x`` per hash formats them all in one call, without
    the string and the call per hash that a join needs (a page has hundreds of hashes).
    """
    ordered = tuple(sorted(hashes))
    piece = "%x" + sep.replace("%", "%%")
    template = piece * len(ordered)
    return template[:len(template) - len(piece) + 2] % ordered if ordered else ""
