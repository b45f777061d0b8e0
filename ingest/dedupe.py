"""Near-duplicate documents: mirror copies, a clean and a menu-laden copy of one page.

A fingerprint is a sample of the document's word 5-shingles (those whose hash is 0 mod 4, at
most the 1,024 smallest). Two documents are copies when nearly all sampled shingles of the
shorter one occur in the longer one (containment, not Jaccard: a clean copy is *contained* in a
copy that kept extra furniture or a longer version). Comparing bottom-k samples is sound: both
sides are cut at the smaller of their two hash thresholds before counting. The fingerprint
string also records word and passage counts, so the manifest alone can say which copy is the
richer one and how many passages a replaced document had.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .textutil import normalise, words

SHINGLE = 5
_SAMPLE_MOD = 4
_MAX_HASHES = 1024
_NO_CAP = 0xFFFFFFFF
THRESHOLD = 0.8
_MIN_SHARED = 3


@dataclass(frozen=True)
class Fingerprint:
    words: int
    passages: int
    cap: int
    hashes: frozenset[int]

    def dumps(self) -> str:
        body = " ".join(f"{h:x}" for h in sorted(self.hashes))
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


def fingerprint(text: str, passages: int = 0) -> Fingerprint:
    tokens = words(normalise(text))
    sampled = set()
    for i in range(len(tokens) - SHINGLE + 1):
        h = zlib.crc32(" ".join(tokens[i:i + SHINGLE]).encode("utf-8"))
        if h % _SAMPLE_MOD == 0:
            sampled.add(h)
    cap = _NO_CAP
    if len(sampled) > _MAX_HASHES:
        kept = sorted(sampled)[:_MAX_HASHES]
        cap, sampled = kept[-1], set(kept)
    return Fingerprint(len(tokens), passages, cap, frozenset(sampled))


def containment(small: Fingerprint, large: Fingerprint) -> float:
    """Share of ``small``'s sampled shingles found in ``large`` (0 when too few to tell)."""
    cap = min(small.cap, large.cap)
    mine = [h for h in small.hashes if h <= cap]
    if len(mine) < _MIN_SHARED:
        return 0.0
    shared = sum(1 for h in mine if h in large.hashes)
    return shared / len(mine)


def are_copies(a: Fingerprint, b: Fingerprint) -> bool:
    small, large = (a, b) if a.words <= b.words else (b, a)
    return containment(small, large) >= THRESHOLD


def clusters(prints: dict[str, Fingerprint], focus: Iterable[str]) -> list[list[str]]:
    """Groups of copies (each of two or more keys) that contain at least one ``focus`` key.

    Candidates come from an inverted index of shingle hashes, so the cost grows with the
    number of shared shingles rather than with the square of the corpus.
    """
    focus = set(focus)
    postings: dict[int, list[str]] = defaultdict(list)
    for key, fp in prints.items():
        for h in fp.hashes:
            postings[h].append(key)
    parent = {key: key for key in prints}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key in sorted(focus & prints.keys()):
        counts: dict[str, int] = defaultdict(int)
        for h in prints[key].hashes:
            for other in postings[h]:
                if other != key:
                    counts[other] += 1
        for other, shared in counts.items():
            if shared >= _MIN_SHARED and are_copies(prints[key], prints[other]):
                parent[find(other)] = find(key)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in prints:
        groups[find(key)].append(key)
    return [sorted(g) for g in groups.values() if len(g) > 1 and focus.intersection(g)]


def richest(keys: list[str], prints: dict[str, Fingerprint]) -> str:
    """The canonical copy: most words, then the first source in sort order."""
    return min(keys, key=lambda k: (-prints[k].words, k))
