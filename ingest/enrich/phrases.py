"""Key phrases of a document: word pairs that occur together more than chance.

A regex tokenizer, a small stop list, and word pairs ranked by Dunning's likelihood ratio
(Manning and Schütze 5.3.4), computed exactly as NLTK's ``BigramCollocationFinder`` scored by
``BigramAssocMeasures.likelihood_ratio`` (the same arithmetic in the same order, so the same
phrases in the same order; ``tests/ingest/test_ingest_enrich.py`` pins its scores): importing
NLTK for this one formula cost every ``kb ingest`` more time than ranking every document's
pairs.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ..textutil import wordset

_TOKEN = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)
_STOP = wordset(
    "a an the of and or to in on for with as by at from is are was were be been being this that "
    "these those it its their there here which who whom what when where how why not no but if "
    "then than so such can could would should will may might must shall do does did has have had "
    "also into over about after before between during more most other some any each all both "
    "very just only our we you he she they them his her us i me my your said says one two new "
    "le la les des de du et un une en el los las y del"
)
#: Added to an expected count and to a ratio so that an empty cell scores 0, not an error.
_SMALL = 1e-20
#: Key phrases come from the first ~4,000 words: enough to find a document's recurring terms.
_MAX_CHARS = 25_000


def _keep(word: str) -> bool:
    return len(word) >= 3 and word not in _STOP


def key_phrases(text: str, limit: int = 8, min_count: int = 2) -> list[str]:
    """Up to ``limit`` two-word phrases, strongest first; none for texts too short to tell."""
    tokens = [t.lower() for t in _TOKEN.findall(text[:_MAX_CHARS])]
    if len(tokens) < 20:
        return []
    pairs = Counter(zip(tokens, tokens[1:], strict=False))
    kept = {pair: n for pair, n in pairs.items()
            if n >= min_count and _keep(pair[0]) and _keep(pair[1])}
    if not kept:
        return []
    counts = Counter(tokens)
    total = len(tokens)
    scored = sorted(((pair, likelihood_ratio(float(n), counts[pair[0]], counts[pair[1]], total))
                     for pair, n in kept.items()), key=lambda item: (-item[1], item[0]))
    return [f"{a} {b}" for (a, b), _ in scored[:limit]]


def likelihood_ratio(n_ii: float, n_ix: int, n_xi: int, n_xx: int) -> float:
    """Dunning's log-likelihood ratio of a pair seen ``n_ii`` times, its first word ``n_ix``
    times and its second ``n_xi`` times among ``n_xx`` words: twice the sum, over the four
    cells of the pair's contingency table, of observed * ln(observed / expected)."""
    n_oi = n_xi - n_ii
    n_io = n_ix - n_ii
    cells = (n_ii, n_oi, n_io, n_xx - n_ii - n_oi - n_io)
    size = sum(cells)
    return 2 * sum(
        observed * math.log(observed / ((observed + cells[i ^ 1]) * (observed + cells[i ^ 2])
                                        / size + _SMALL) + _SMALL)
        for i, observed in enumerate(cells))
