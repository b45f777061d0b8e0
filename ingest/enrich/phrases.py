"""Key phrases of a document: word pairs that occur together more than chance (NLTK collocations).

Uses only what the NLTK wheel ships (no data download): a regex tokenizer, a small stop list,
and BigramCollocationFinder scored by likelihood ratio.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.probability import FreqDist

from ..textutil import wordset
from .words import PARAGRAPH_BREAK, Paragraph

_TOKEN = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]", re.UNICODE)
_STOP = wordset(
    "a an the of and or to in on for with as by at from is are was were be been being this that "
    "these those it its their there here which who whom what when where how why not no but if "
    "then than so such can could would should will may might must shall do does did has have had "
    "also into over about after before between during more most other some any each all both "
    "very just only our we you he she they them his her us i me my your said says one two new "
    "le la les des de du et un une en el los las y del"
)
_MEASURES = BigramAssocMeasures()
#: Key phrases come from the first ~4,000 words: enough to find a document's recurring terms.
_MAX_CHARS = 25_000


def _keep(word: str) -> bool:
    return len(word) >= 3 and word not in _STOP


def key_phrases(text: str, limit: int = 8, min_count: int = 2,
                paragraphs: Sequence[Paragraph] | None = None) -> list[str]:
    """Up to ``limit`` two-word phrases, strongest first; none for texts too short to tell.

    :param paragraphs: ``text`` split at its blank lines with their words (:mod:`.words`),
        when the caller has them: a paragraph's words are its tokens here too where they can
        be (see :func:`_tokens`).
    """
    text = text[:_MAX_CHARS]
    tokens = _tokenise(text) if paragraphs is None else _tokens(text, paragraphs)
    if len(tokens) < 20:
        return []
    # Counting with Counter and filtering before NLTK sees the pairs gives the same scores as
    # from_words + apply_*_filter, without NLTK's per-occurrence bookkeeping.
    pairs = Counter(zip(tokens, tokens[1:], strict=False))
    kept = {pair: n for pair, n in pairs.items()
            if n >= min_count and _keep(pair[0]) and _keep(pair[1])}
    if not kept:
        return []
    finder = BigramCollocationFinder(FreqDist(Counter(tokens)), FreqDist(kept))
    scored = finder.score_ngrams(_MEASURES.likelihood_ratio)
    return [f"{a} {b}" for (a, b), _ in scored[:limit]]


def _tokenise(text: str) -> list[str]:
    """The lower-cased tokens of ``text``.

    In ASCII, lower-casing first finds the same tokens (no class the tokenizer tests depends
    on case there) without lower-casing each token; elsewhere it may not ("İ" lower-cases to
    two characters)."""
    return _TOKEN.findall(text.lower()) if text.isascii() else \
        [t.lower() for t in _TOKEN.findall(text)]


def _tokens(text: str, paragraphs: Sequence[Paragraph]) -> list[str]:
    """:func:`_tokenise` of ``text``, the start of the paragraphs joined by blank lines, one
    paragraph at a time (no token runs across a line break).

    An ASCII paragraph whose words are letters only, with no apostrophe or hyphen, has its
    words as tokens: each run of letters is then one token, as it is one word."""
    tokens: list[str] = []
    start = 0  # where the paragraph starts in the joined text
    for paragraph in paragraphs:
        if start >= len(text):
            break
        part = paragraph.text
        if start + len(part) > len(text):
            tokens += _tokenise(text[start:])
        elif paragraph.letters and paragraph.words is not None and "'" not in part \
                and "-" not in part:
            tokens += paragraph.words
        else:
            tokens += _tokenise(part)
        start += len(part) + len(PARAGRAPH_BREAK)
    return tokens
