"""Site-level boilerplate: blocks that recur across documents of one site are not content.

Menus, footers and teasers repeat on every page of a site even when no markup is left to say so.
Each block near the top or bottom of a page gets a signature: the hash of the whole block when
it is short (exact repeats only), else the set of its word-trigram hashes (sampled for long
blocks). A block is boilerplate when enough *other* documents of the same site carry a similar
block (trigram Jaccard >= 0.7): at least two documents in all, and at least a tenth of the site
(three for blocks of under four words, which repeat by chance: "Background", "Thank you.").
Comparing whole blocks, not loose shingles, is what tells a footer with one more link (still
~0.8 similar) from a page title that quotes a session's name (~0.5).

Copies of one page count once, otherwise a clean and a menu-laden copy would erase each other.
Signatures are kept in the manifest (``block_hashes``, one string per block) so a page ingested
later is judged against pages ingested before. Candidate blocks are found through the three
smallest hashes of each signature (a min-hash sketch), so the cost does not grow with the
square of the site.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .readers.base import Block
from .shingles import Shingles, hex_list
from .textutil import normal_words

EDGE_BLOCKS = 30
SIMILAR = 0.7
_SHORT_BLOCK = 8
_TINY_BLOCK = 4
_SHINGLE = 3
_SAMPLE_ABOVE = 40
_SAMPLE_MOD = 2
_LOW_BITS = 0xFFFFFF
_MIN_SHARE = 0.1
_SKETCH = 3
_EXACT = 1 << 40

Signature = frozenset[int]


def block_words(block: Block) -> list[str]:
    """The words a block's signature (and its page's fingerprint) is taken of."""
    return normal_words(block.text)


def block_signature(block: Block, tokens: list[str] | None = None) -> Signature:
    """``tokens``: the block's :func:`block_words`, when already found."""
    if tokens is None:
        tokens = block_words(block)
    return _signature(Shingles(tokens), 0, len(tokens))


def _signature(page: Shingles, first: int, end: int) -> Signature:
    """The signature of the block whose words are words ``first`` to ``end`` of ``page``."""
    count = end - first
    if not count:
        return frozenset()
    if count <= _SHORT_BLOCK:
        return frozenset({_EXACT | page.whole(first, end)})
    hashes = page.hashes(_SHINGLE, first, end)
    if count > _SAMPLE_ABOVE:
        # Sampled before the mask, in one pass: the mask keeps a hash's remainder (the modulus
        # divides 2**24).
        return frozenset({h & _LOW_BITS for h in hashes if h % _SAMPLE_MOD == 0}
                         or {min(h & _LOW_BITS for h in hashes)})
    return frozenset(h & _LOW_BITS for h in hashes)


def document_signatures(blocks: list[Block], tokens: list[list[str]] | None = None,
                        page: Shingles | None = None) -> list[Signature]:
    """A signature per block; blocks in the middle of long documents get none.

    ``tokens``: each block's :func:`block_words`, when already found; ``page``: the
    :class:`Shingles` of all of them one after the other, when already built (for the page's
    fingerprint, see :mod:`ingest.staging`).
    """
    if tokens is None:
        tokens = [block_words(block) for block in blocks]
    if page is None:
        page = Shingles([word for found in tokens for word in found])
    count = len(blocks)
    edge = range(count) if count <= 2 * EDGE_BLOCKS else \
        {*range(EDGE_BLOCKS), *range(count - EDGE_BLOCKS, count)}
    signatures: list[Signature] = []
    first = 0
    for i, found in enumerate(tokens):
        end = first + len(found)
        signatures.append(_signature(page, first, end) if i in edge else frozenset())
        first = end
    return signatures


def dumps(signatures: list[Signature]) -> list[str]:
    """Signatures as manifest strings ("h.h.h" in hex), empty ones left out."""
    return [hex_list(s, ".") for s in signatures if s]


def loads(strings: Iterable[str]) -> list[Signature]:
    signatures = []
    for text in strings:
        try:
            signatures.append(frozenset(int(h, 16) for h in text.split(".") if h))
        except ValueError:
            continue  # a manifest written by another scheme: ignore, do not fail the ingest
    return signatures


@dataclass
class _Site:
    groups: set[str] = field(default_factory=set)
    blocks: list[tuple[str, Signature]] = field(default_factory=list)
    sketch: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


class SiteIndex:
    """The blocks of every document of each site, searchable by similarity."""

    def __init__(self, members: Iterable[tuple[str, str, list[Signature]]]) -> None:
        self._sites: dict[str, _Site] = defaultdict(_Site)
        #: Each indexed signature's sketch (its smallest hashes), kept for :meth:`recurrence`,
        #: which is asked about the very same signatures: sorting each again cost as much as
        #: building the index.
        self._sketches: dict[Signature, list[int]] = {}
        for site, group, signatures in members:
            entry = self._sites[site]
            entry.groups.add(group)
            for signature in signatures:
                if not signature:
                    continue
                index = len(entry.blocks)
                entry.blocks.append((group, signature))
                sketch = self._sketches[signature] = sorted(signature)[:_SKETCH]
                for h in sketch:
                    entry.sketch[h].append(index)

    def threshold(self, site: str, tiny: bool) -> int:
        groups = len(self._sites[site].groups) if site in self._sites else 0
        base = max(2, math.ceil(_MIN_SHARE * groups))
        return max(3, base) if tiny else base

    def recurrence(self, site: str, group: str, signature: Signature,
                   enough: int | None = None) -> int:
        """In how many documents (copies counted once) of ``site`` the block occurs.

        :param enough: stop counting once the block is known to occur in this many: whether
            a block is furniture only asks that, and a menu on every page of a site would
            otherwise compare each page's copy with every other page's (the square of the
            site's size).
        """
        entry = self._sites.get(site)
        if entry is None or not signature:
            return 1
        others: set[str] = set()
        sketch = self._sketches.get(signature)
        for h in sorted(signature)[:_SKETCH] if sketch is None else sketch:
            for index in entry.sketch.get(h, ()):
                other_group, other = entry.blocks[index]
                if other_group == group or other_group in others:
                    continue
                if _jaccard(signature, other) >= SIMILAR:
                    others.add(other_group)
                    if len(others) + 1 == enough:
                        return enough
        return len(others) + 1


def strip_site_boilerplate(blocks: list[Block], signatures: list[Signature], site: str,
                           group: str, index: SiteIndex) -> list[Block]:
    """The blocks that are not site furniture; the page is kept whole if nothing would remain."""
    kept = []
    for block, signature in zip(blocks, signatures, strict=True):
        if signature:
            tiny = len(block.text.split(None, _TINY_BLOCK - 1)) < _TINY_BLOCK  # stops there
            threshold = index.threshold(site, tiny)
            if index.recurrence(site, group, signature, threshold) >= threshold:
                continue
        kept.append(block)
    return kept or blocks


def _jaccard(a: Signature, b: Signature) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if shared else 0.0
