"""Near-duplicate documents: mirror copies, a clean and a menu-laden copy of one page.

A fingerprint is a sample of the document's word 5-shingles (those whose hash is 0 mod 4, at
most the 1,024 smallest). Two documents are copies when they are of similar size (the shorter
has at least half the words of the longer) and nearly all sampled shingles of the shorter occur
in the longer (a clean copy is *contained* in a copy that kept extra furniture); a page and a
much longer document quoting it are not copies. A copy joins a group only as a copy of the
group's canonical document itself, so copies never chain, and what a copy says that its
canonical document does not stays searchable there (:mod:`ingest.copies`). Comparing
bottom-k samples is sound: both sides are cut at the smaller of their two hash thresholds
before counting. The fingerprint string also records word and passage counts, so the
manifest alone can say which copy is the richer one and how many passages a replaced document
had.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain

from kb.model import Document

from .copies import absorb
from .readers.base import Block
from .shingles import Shingles, hex_list
from .textutil import normal_words

SHINGLE = 5
_SAMPLE_MOD = 4
_MAX_HASHES = 1024
_NO_CAP = 0xFFFFFFFF
THRESHOLD = 0.8
#: A copy has at least this share of the words of the document it is a copy of.
MIN_SIZE_RATIO = 0.5
_MIN_SHARED = 3


@dataclass(frozen=True)
class Fingerprint:
    words: int
    passages: int
    cap: int
    hashes: frozenset[int]
    #: ``hashes`` as :meth:`dumps` writes them, when already made: :func:`fingerprint_of`
    #: makes it in the worker that takes the fingerprint, so that the parent's serial
    #: change-set phase does not sort and format every document's hashes.
    hex_hashes: str | None = field(default=None, compare=False, repr=False)

    def dumps(self) -> str:
        body = self.hex_hashes if self.hex_hashes is not None else hex_list(self.hashes, " ")
        return f"v1 {self.words} {self.passages} {self.cap:x} {body}".rstrip()

    @classmethod
    def loads(cls, text: str) -> Fingerprint | None:
        parts = text.split()
        if len(parts) < 4 or parts[0] != "v1":
            return None
        try:
            return cls(int(parts[1]), int(parts[2]), int(parts[3], 16),
                       frozenset(int(h, 16) for h in parts[4:]))
        except ValueError:
            return None


def block_text(blocks: Sequence[Block]) -> str:
    """The text fingerprints are taken of: every block, headings included."""
    return "\n".join(b.text for b in blocks)


def fingerprint(text: str, passages: int = 0) -> Fingerprint:
    return fingerprint_of(normal_words(text), passages)


def fingerprint_of(tokens: list[str], passages: int = 0,
                   page: Shingles | None = None) -> Fingerprint:
    """:func:`fingerprint` of a text whose words (:func:`.normal_words`) are ``tokens``.

    A page's words are its blocks' words one after the other (a line break joins blocks,
    and neither Unicode normalisation nor lower-casing reaches across one), so a page's
    fingerprint is taken from the words its block signatures were taken of. ``page``: the
    :class:`Shingles` of ``tokens``, when already built (the worker builds one per page for
    both)."""
    if page is None:
        page = Shingles(tokens)
    sampled = {h for h in page.hashes(SHINGLE) if h % _SAMPLE_MOD == 0}
    cap = _NO_CAP
    if len(sampled) > _MAX_HASHES:
        kept = sorted(sampled)[:_MAX_HASHES]
        cap, sampled = kept[-1], set(kept)
    return Fingerprint(len(tokens), passages, cap, frozenset(sampled),
                       hex_list(sampled, " "))



def containment(small: Fingerprint, large: Fingerprint) -> float:
    """Share of ``small``'s sampled shingles found in ``large`` (0 when too few to tell)."""
    cap = min(small.cap, large.cap)
    if cap == _NO_CAP:  # neither sample was cut (most pages): every hash counts, set speed
        if len(small.hashes) < _MIN_SHARED:
            return 0.0
        return len(small.hashes & large.hashes) / len(small.hashes)
    mine = [h for h in small.hashes if h <= cap]
    if len(mine) < _MIN_SHARED:
        return 0.0
    shared = sum(1 for h in mine if h in large.hashes)
    return shared / len(mine)


def are_copies(a: Fingerprint, b: Fingerprint) -> bool:
    """Near-duplicates: of similar size, and the shorter nearly all inside the longer.

    Containment alone made a short page a "copy" of any long document quoting it, and through
    such pairs whole chains of different documents collapsed into one; the size rule keeps a
    clean copy and one that kept its menus together, and a page apart from a report.
    """
    small, large = (a, b) if a.words <= b.words else (b, a)
    return small.words >= MIN_SIZE_RATIO * large.words and containment(small, large) >= THRESHOLD


def one_contains_other(a: Fingerprint, b: Fingerprint) -> bool:
    """The shorter one is nearly all inside the longer one: the same page, possibly with its
    menus left in. Right for counting a page once in site statistics, too loose for collapsing
    documents (see :func:`are_copies`)."""
    small, large = (a, b) if a.words <= b.words else (b, a)
    return containment(small, large) >= THRESHOLD


def clusters(prints: dict[str, Fingerprint], focus: Iterable[str],
             related: Callable[[Fingerprint, Fingerprint], bool] = are_copies
             ) -> list[list[str]]:
    """Groups of copies (each of two or more keys) among the documents linked to ``focus``.

    Every member of a group is a copy of the group's canonical member (:func:`richest`)
    itself, never only of another member: within each set of documents linked by copy pairs,
    documents are taken richest first, and each joins the first canonical it is a copy of or
    becomes a canonical. Candidates come from an inverted index of shingle hashes, so the cost
    grows with the number of shared shingles rather than with the square of the corpus.
    """
    focus = set(focus)
    # Only hashes held by two documents or more can link any: most of a page's shingles are
    # its own, so those are found first (by set operations in C, a document at a time: no
    # count, nor a look at each distinct hash in Python) and only they are indexed.
    held: set[int] = set()
    seen_twice: set[int] = set()
    for fp in prints.values():
        seen_twice |= held & fp.hashes
        held |= fp.hashes
    postings: dict[int, list[str]] = defaultdict(list)
    shared_by: dict[str, frozenset[int]] = {}
    for key, fp in prints.items():
        shared_by[key] = shared = fp.hashes & seen_twice
        for h in shared:
            postings[h].append(key)
    links: dict[str, set[str]] = {}

    def copies_of(key: str) -> set[str]:
        if key not in links:
            counts = Counter(chain.from_iterable(postings[h] for h in shared_by[key]))
            counts.pop(key, None)
            links[key] = {other for other, shared in counts.items()
                          if shared >= _MIN_SHARED and related(prints[key], prints[other])}
        return links[key]

    groups: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(focus & prints.keys()):
        if start in seen:
            continue
        linked, pending = {start}, [start]
        while pending:
            for other in copies_of(pending.pop()):
                if other not in linked:
                    linked.add(other)
                    pending.append(other)
        seen |= linked
        members: dict[str, list[str]] = {}
        for key in sorted(linked, key=lambda k: (-prints[k].words, k)):
            canonical = next((c for c in members if c in copies_of(key)), None)
            members.setdefault(canonical or key, []).append(key)
        groups += [sorted(group) for group in members.values() if len(group) > 1]
    return groups


def richest(keys: list[str], prints: dict[str, Fingerprint]) -> str:
    """The canonical copy: most words, then the first source in sort order."""
    return min(keys, key=lambda k: (-prints[k].words, k))


def canonical_groups(prints: dict[str, Fingerprint], focus: Iterable[str]
                     ) -> list[tuple[list[str], str]]:
    """The groups of copies among the documents linked to ``focus`` (:func:`clusters`), each
    with its canonical member (:func:`richest`)."""
    return [(group, richest(group, prints)) for group in clusters(prints, focus)]


def canonical_of(groups: list[tuple[list[str], str]]) -> dict[str, str]:
    """Each copy's canonical member, for every group of :func:`canonical_groups`."""
    return {member: canonical for group, canonical in groups for member in group
            if member != canonical}


def assign_duplicates(group: list[str], canonical: str, documents: Mapping[str, Document]
                      ) -> Document:
    """Make the document of ``canonical`` stand for its ``group``: its ``duplicates`` are the
    other members, and what the copies among ``documents`` (by source) say that it does not is
    kept in it (:func:`ingest.copies.absorb`). A copy not among ``documents`` (one ingested
    before and not read again) is listed, with nothing of it to keep."""
    document = documents[canonical]
    document.duplicates = [member for member in group if member != canonical]
    absorb(document, [documents[m] for m in document.duplicates if m in documents])
    return document
