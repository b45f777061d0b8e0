"""Text analysis: how words become index terms, and how a query word finds its forms.

The index keeps words as written, only case- and accent-folded, with the stop words of the
document's own language dropped: one positional field then serves exact phrases, spelling
suggestions and stemmed search at once, which halves the postings (and the ingest time) that a
separate stemmed field would cost. Stemming happens at query time: a query word is expanded to
the indexed words that share its Snowball stem (see :mod:`index.matching`), and BM25 sums their
frequencies, so the scores are those of a stemmed index.

Whoosh gives one analyzer per field, but each document has its own language, so an indexed
value carries its language as a short marker (``\\x02fr\\x03...``) that
:class:`LanguageTokenizer` reads. Undetermined-language documents are treated as English,
because in this corpus an undetermined text is nearly always English; languages without a
Snowball stemmer here (Chinese, others) are folded only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: Word pattern shared by every analyzer (keeps "U.S." and "3.5" whole).
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_WORD = re.compile(WORD_PATTERN)

#: Languages with a Snowball stemmer here. Others are analysed as English ("und") or, for
#: Chinese, folded only (analysis key "xx").
_STEMMED = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}

_MARK_START, _MARK_END = "\x02", "\x03"

#: A few function words Whoosh's lists lack (Arabic has none there at all).
_EXTRA_STOPS = {
    "ar": {"في", "من", "على", "إلى", "عن", "أن", "إن", "التي", "الذي", "هذا", "هذه", "و", "ما",
           "لا"},
}


def analysis_key(language: str) -> str:
    """The analysis key for a document language code (see the module docstring)."""
    if language in _STEMMED:
        return language
    return "xx" if language == "zh" else "en"


def fold(word: str) -> str:
    """Case and accent folding, the part of analysis every field shares."""
    return word.lower().translate(accent_map)


@lru_cache(maxsize=16)
def _stopwords(key: str) -> frozenset[str]:
    words = set(stoplists.get(key, ())) | _EXTRA_STOPS.get(key, set())
    return frozenset(words | {fold(w) for w in words})


@lru_cache(maxsize=16)
def _stemmer(key: str) -> SnowballStemmer | None:
    return SnowballStemmer(_STEMMED[key]) if key in _STEMMED else None


#: Longest word indexed (longer ones are not words a person searches for); the caches below
#: also skip longer keys, so their memory stays bounded whatever a query holds.
MAX_WORD_CHARS = 60


def index_word(lowered: str, key: str) -> str | None:
    """The indexed form of one lower-cased word in language ``key``; None for a stop word."""
    if len(lowered) > MAX_WORD_CHARS:
        return None
    return _index_word(lowered, key)


@lru_cache(maxsize=400_000)
def _index_word(lowered: str, key: str) -> str | None:
    return None if lowered in _stopwords(key) else fold(lowered)


def stem(word: str, key: str) -> str:
    """The Snowball stem of an indexed (folded) word in language ``key``."""
    if len(word) > MAX_WORD_CHARS:
        return word  # never indexed, so no indexed form can share its stem
    return _stem(word, key)


@lru_cache(maxsize=400_000)
def _stem(word: str, key: str) -> str:
    stemmer = _stemmer(key)
    return stemmer.stem(word) if stemmer else word


def is_stop(lowered: str, key: str) -> bool:
    return lowered in _stopwords(key)


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) for every word of ``text``."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), match.group().lower()


def analyze(text: str, key: str) -> list[str]:
    """Indexed words of ``text`` in the language ``key`` (stop words dropped)."""
    words = (index_word(word, key) for _, _, word in word_spans(text))
    return [w for w in words if w]


def mark_language(text: str, language: str) -> str:
    """The value to index in a language-aware field (stored separately, unmarked)."""
    return f"{_MARK_START}{analysis_key(language)}{_MARK_END}{text}"


class LanguageTokenizer(Tokenizer):
    """Tokenizes, folds and drops the stop words of a marked value's language.

    It is pickled into the index schema, so its module path and name are part of the on-disk
    format: renaming it means rebuilding indexes.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageTokenizer)

    def __hash__(self) -> int:
        return hash(LanguageTokenizer)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        key, text, offset = "en", value, 0
        if value.startswith(_MARK_START):
            end = value.find(_MARK_END)
            if end > 0:
                key, text, offset = value[1:end], value[end + 1:], end + 1
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for start, end_char, word in word_spans(text):
            term = index_word(word, key)
            if term is None:
                continue
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text[start:end_char]
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + offset + start
                token.endchar = start_char + offset + end_char
            yield token


def language_analyzer() -> LanguageTokenizer:
    return LanguageTokenizer()


def folding_analyzer() -> Tokenizer:
    """Folded words, stop words kept: for names (speaker search)."""
    return FoldingTokenizer()


class FoldingTokenizer(Tokenizer):
    """Words, case- and accent-folded, stop words kept: one pass instead of a filter chain.

    Pickled into the schema like :class:`LanguageTokenizer`.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldingTokenizer)

    def __hash__(self) -> int:
        return hash(FoldingTokenizer)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text = fold(value)
            token.pos, token.startchar = start_pos, start_char
            token.endchar = start_char + len(value)
            yield token
            return
        folded = _folded
        for pos, match in enumerate(_WORD.finditer(value), start=start_pos):
            token.text = folded(match.group())
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:
    return fold(word)
