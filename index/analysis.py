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

Before folding, :func:`word_spans` reads the written forms every language shares, so that the
index and the query agree on them: Chinese runs are segmented into words with jieba (loaded on
the first Chinese text, so other searches never pay for its dictionary); French elisions lose
their article ("l'OMPI" is indexed as "ompi"); possessives lose their "'s" ("LLM's"); an
acronym's plural is its singular ("NFTs" is "nft"); and a WIPO document symbol, however it is
written ("WIPO/IP/AI/2/GE/20/1 Rev.", "wipo_ip_ai_2_ge_20_1_rev"), is also one unit term, so
that it is searched as a whole. :func:`fold` drops the Arabic definite article and vowel marks,
so that an Arabic word and its stem start alike (query-time stemming scans by the stem's
first letters).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

#: Word pattern shared by every analyzer (keeps "U.S." and "3.5" whole).
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_WORD = re.compile(WORD_PATTERN)
#: :data:`WORD_PATTERN`'s words in ASCII text, found faster: its optional dot can only start
#: a match after a greedy run of word characters, and ASCII's word characters are the same.
_ASCII_WORD = re.compile(r"\w+(?:\.\w+)*", re.ASCII)
#: Every ASCII character but a word character (a letter, a digit, ``_``) made a space, as a
#: table of bytes for ``bytes.translate``.
_ASCII_GAP_BYTES = bytes(code if code > 127 or _WORD.match(chr(code)) else ord(" ")
                         for code in range(256))
#: A dot between two word characters: the one a word can hold ("U.S", "3.5").
_INNER_DOT = re.compile(r"\.(?<=\w\.)\w", re.ASCII)

#: Languages with a Snowball stemmer here. Others are analysed as English ("und") or, for
#: Chinese, folded only (analysis key "xx").
_STEMMED = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}

_MARK_START, _MARK_END = "\x02", "\x03"

#: A few function words Whoosh's lists lack (Arabic has none there at all).
_EXTRA_STOPS = {
    "ar": {"في", "من", "على", "إلى", "عن", "أن", "إن", "التي", "الذي", "هذا", "هذه", "و", "ما",
           "لا"},
    "xx": {"的", "了", "和", "是", "在", "与", "及", "之"},
}


def analysis_key(language: str) -> str:
    """The analysis key for a document language code (see the module docstring)."""
    if language in _STEMMED:
        return language
    return "xx" if language == "zh" else "en"


#: Arabic vowel marks (harakat, tanwin, shadda, sukun, dagger alif) and the tatweel.
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
#: The Arabic definite article and the particles written joined to it ("wal-", "bil-", "lil-").
_ARABIC_ARTICLE = re.compile("^(?:[\u0648\u0641\u0628\u0643]?\u0627\u0644|\u0644\u0644)(?=..)")


def fold(word: str) -> str:
    """Case and accent folding, the part of analysis every field shares."""
    folded = word.lower().translate(accent_map)
    if folded and "\u0600" <= folded[0] <= "\u06ff":
        folded = _ARABIC_ARTICLE.sub("", _ARABIC_MARKS.sub("", folded))
    return folded


@lru_cache(maxsize=16)
def _stopwords(key: str) -> frozenset[str]:
    words = set(stoplists.get(key, ())) | _EXTRA_STOPS.get(key, set())
    return frozenset(words | {fold(w) for w in words})


#: One PyStemmer object per thread and language: a Stemmer keeps its working buffer in the
#: object, so two threads must not share one.
_STEMMERS = threading.local()


def _stemmer(key: str) -> Stemmer.Stemmer | None:
    if key not in _STEMMED:
        return None
    mine: dict[str, Stemmer.Stemmer] = _STEMMERS.__dict__.setdefault("by_key", {})
    if key not in mine:
        mine[key] = Stemmer.Stemmer(_STEMMED[key])
    return mine[key]


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
    if stemmer is None:
        return word
    if key in _LATIN_KEYS and _VOWELLESS_PLURAL.fullmatch(word):
        return word[:-1]  # "nfts", "llms": an acronym's plural typed in lower case
    if key == "ar" and len(word) >= _ARABIC_PLURAL_MIN and word.endswith(_ARABIC_PLURAL):
        word = word[:-2]  # "اجتماعات" -> "اجتماع": see _ARABIC_PLURAL
    return str(stemmer.stemWord(word))


_LATIN_KEYS = frozenset({"en", "fr", "es"})
#: The sound feminine plural, "-at" (ات). Snowball's Arabic stemmer removes it only from a word
#: that had the article, which :func:`fold` has already dropped: on the folded word it takes
#: off the "t" alone ("اجتماعات" -> "اجتماعا", where "اجتماع" and "مناقشة" stem to "اجتماع" and
#: "مناقش"), so a plural never shared its singular's stem. kb takes the suffix off first; what
#: is left stems as the singular does, whether the singular ends in "-a" (ة, which the stemmer
#: removes) or not. Words of fewer than five letters keep it ("ذات", "نبات", "بنات": the "t"
#: is often the root's).
_ARABIC_PLURAL = "\u0627\u062a"
_ARABIC_PLURAL_MIN = 5
_VOWELLESS_PLURAL = re.compile(r"[b-df-hj-np-tv-xz0-9]{2,}s")


def is_stop(lowered: str, key: str) -> bool:
    return lowered in _stopwords(key)


#: Articles and pronouns elided before a vowel in French ("l'", "d'", "qu'", "jusqu'").
_ELIDED = frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
                     "quoiqu", "presqu"})
_APOSTROPHES = "'’"
#: An acronym written with a plural "s" ("NFTs", "SMEs", "LLMs").
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")
#: A WIPO document symbol in any written form: slashes, underscores or spaces between its
#: parts, "Rev." / "REV" / "_rev" at the end.
SYMBOL_PATTERN = (r"(?<!\w)WIPO(?:[/_](?:[A-Z0-9]+))+"
                  r"(?:(?:[ _/]|\s*)REV(?:\.|\b)(?:\s?\d+\b)?)?")
_SYMBOL = re.compile(SYMBOL_PATTERN, re.IGNORECASE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def symbol_terms(symbol: str) -> tuple[str, ...]:
    """The unit terms of one written symbol: the symbol itself ("wipo_ip_ai_2_ge_20_1_rev")
    and, for a revision, its base ("wipo_ip_ai_2_ge_20_1"), which the revision answers too."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", symbol.lower()) if p]
    full = "_".join(parts)
    if "rev" in parts[1:]:
        base = "_".join(parts[:parts.index("rev", 1)])
        return (full, base) if base != full else (full,)
    return (full,)


def symbol_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, unit terms) of every document symbol written in ``text``."""
    if "wipo" not in text.lower():
        return []
    return [(m.start(), m.end(), symbol_terms(m.group())) for m in _SYMBOL.finditer(text)]


def symbols_in(text: str) -> list[str]:
    """Every document symbol written in ``text``, as unit terms (see :func:`symbol_terms`)."""
    return [term for _, _, terms in symbol_spans(text) for term in terms]


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) for every word of ``text``.

    Elided articles and possessive "'s" yield no word; an acronym's plural yields its
    singular; a Chinese run yields its words (see the module docstring).
    """
    # The checks below run per word on every indexed text: each is skipped when the text
    # cannot need it (no apostrophe, no Chinese), which keeps analysis near a plain regex scan.
    apostrophes = "'" in text or "’" in text
    chinese = _HAN.search(text) is not None
    size = len(text)
    for match in _WORD.finditer(text):
        start, end, word = match.start(), match.end(), match.group()
        if apostrophes and len(word) <= 6:
            if end + 1 < size and text[end] in _APOSTROPHES and word.lower() in _ELIDED \
                    and text[end + 1].isalpha():
                continue  # "l'OMPI", "qu'il": the article is not a word anyone searches
            if (word == "s" or word == "S") and start > 1 and text[start - 1] in _APOSTROPHES \
                    and text[start - 2].isalnum():
                continue  # "LLM's": the possessive of LLM
        if chinese and _HAN.search(word):
            yield from _segmented(word, start)
        elif word[-1] == "s" and word[:2].isupper():
            yield start, end, written_word(word)
        else:
            yield start, end, word.lower()


def written_word(word: str) -> str:
    """One word as analysis reads it before folding: lower-cased, an acronym's plural made
    singular ("NFTs" -> "nft")."""
    if word[-1] == "s" and word[:2].isupper() and _ACRONYM_PLURAL.fullmatch(word):
        return word[:-1].lower()
    return word.lower()


def _segmented(word: str, start: int) -> Iterator[tuple[int, int, str]]:
    """The words of a token holding Chinese characters: Han runs cut by jieba, the rest kept."""
    cursor = 0
    for run in _HAN.finditer(word):
        if run.start() > cursor:
            yield start + cursor, start + run.start(), word[cursor:run.start()].lower()
        offset = run.start()
        for piece in chinese_words(run.group()):
            yield start + offset, start + offset + len(piece), piece
            offset += len(piece)
        cursor = run.end()
    if cursor < len(word):
        yield start + cursor, start + len(word), word[cursor:].lower()


_JIEBA: list[Any] = []
_JIEBA_LOCK = threading.Lock()


def _jieba() -> Any:
    """jieba's tokenizer, imported and its bundled dictionary loaded on first use only (the
    dictionary is large), quietly: jieba reports loading on the root logger by default."""
    if not _JIEBA:
        with _JIEBA_LOCK:
            if not _JIEBA:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _JIEBA.append(tokenizer)
    return _JIEBA[0]


@lru_cache(maxsize=50_000)
def chinese_words(run: str) -> tuple[str, ...]:
    """The words of a run of Chinese characters, by jieba's dictionary alone (no HMM guesses
    at unknown words, so that a run cuts the same way in a page and in a query)."""
    return tuple(w for w in _jieba().cut(run, HMM=False) if w.strip())


def query_words(text: str) -> list[str]:
    """The words of one typed query token, read as the index reads text but keeping the case
    typed ("NFTs" gives "NFT", "l'OMPI" gives "OMPI"): the speller leaves acronyms alone."""
    words = []
    for start, end, word in word_spans(text):
        written = text[start:end]
        words.append(written[:len(word)] if written.lower().startswith(word) else word)
    return words


def has_chinese(text: str) -> bool:
    return bool(_HAN.search(text))


def with_symbol_units(text: str) -> str:
    """``text`` with each document symbol written as its unit term, one word for the query
    parser (whose slashes and spaces would otherwise split it)."""
    if "wipo" not in text.lower():
        return text
    return _SYMBOL.sub(lambda match: symbol_terms(match.group())[0], text)


def analyze(text: str, key: str) -> list[str]:
    """Indexed words of ``text`` in the language ``key`` (stop words dropped)."""
    words = (index_word(word, key) for _, _, word in word_spans(text))
    return [w for w in words if w]


def mark_language(text: str, language: str) -> str:
    """The value to index in a language-aware field (stored separately, unmarked)."""
    return f"{_MARK_START}{analysis_key(language)}{_MARK_END}{text}"


def split_marker(value: str) -> tuple[str, str, int]:
    """(analysis key, text, offset of the text in ``value``) of a value :func:`mark_language`
    marked; an unmarked value is English."""
    if value.startswith(_MARK_START):
        end = value.find(_MARK_END)
        if end > 0:
            return value[1:end], value[end + 1:], end + 1
    return "en", value, 0


def term_positions(value: str) -> dict[str, list[int]]:
    """Each term :class:`LanguageTokenizer` yields for ``value``, with its positions, in the
    order it first yields them: what the index writer stores, without a token object per
    word (see :func:`index.internals.unlocked_writer`).

    A word never spans a line break, so the words are read a line at a time, and a line
    seen in this value or the one before is not read again: a passage's body repeats its
    document's title and its heading (see :mod:`index.records`), and the next passage of
    the document repeats them once more (a sixth of the characters an ingest indexes).
    """
    key, text, _ = split_marker(value)
    found: dict[str, list[int]] = {}
    for unit in symbols_in(text):
        found.setdefault(unit, []).append(0)
    recent_key, recent = _recent_lines[0]
    if recent_key != key:
        recent = {}
    lines: dict[str, list[str]] = {}
    terms: list[str] = []
    for line in text.split("\n"):
        got = lines.get(line)
        if got is None:
            got = recent.get(line)
            if got is None:
                got = _line_terms(line, key)
            lines[line] = got
        terms += got
    _recent_lines[0] = (key, lines)
    for pos, term in enumerate(terms):
        places = found.get(term)
        if places is None:
            found[term] = [pos]
        else:
            places.append(pos)
    return found


#: The analysis key and the lines (with their terms) of the last value
#: :func:`term_positions` read; one slot, replaced whole, so threads never see half of it.
_recent_lines: list[tuple[str, dict[str, list[str]]]] = [("", {})]
#: Per analysis key: each word as written -> its indexed form ("" for none), so that a word
#: costs one look-up, not a lower-casing and :func:`index_word`'s calls; emptied when full.
_WRITTEN_TERMS: dict[str, dict[str, str]] = {}
_MAX_WRITTEN_TERMS = 400_000


def _line_terms(line: str, key: str) -> list[str]:
    """The indexed terms of one line in language ``key``, in order (stop words dropped)."""
    ascii_only = line.isascii()  # a flag CPython keeps: no scan for "’" or Chinese
    if ascii_only:
        special = "'" in line
    else:
        special = "'" in line or "’" in line or _HAN.search(line) is not None
    if special:
        indexed = (index_word(word, key) for _, _, word in word_spans(line))
        return [term for term in indexed if term]
    # No elision, possessive or Chinese run: word_spans is the words, lower-cased.
    written = _ascii_words(line) if ascii_only else _WORD.findall(line)
    table = _WRITTEN_TERMS.get(key)
    if table is None:
        table = _WRITTEN_TERMS[key] = {}
    terms = list(map(table.get, written))
    if None in terms:
        if len(table) >= _MAX_WRITTEN_TERMS:
            table.clear()
        for i, term in enumerate(terms):
            if term is None:
                word = written[i]
                lowered = written_word(word) if word[-1] == "s" and word[:2].isupper() \
                    else word.lower()
                term = terms[i] = index_word(lowered, key) or ""
                if len(word) <= MAX_WORD_CHARS:
                    table[word] = term
    return list(filter(None, terms))


def _ascii_words(line: str) -> list[str]:
    """``_ASCII_WORD.findall(line)`` for an ASCII line. Without a dot between two word
    characters, a word is a run of word characters: every other character becomes a space
    and the line is split there, in a few C calls (0.7 x the pattern's time on bench/ingest.py's
    passage lines, whose sentences end in dots, so a dot alone does not send a line to the
    pattern). The characters are replaced as bytes, by a 256-byte table: ``str.translate``
    looks each character up in a dictionary (term_positions over bench/ingest.py's passage
    bodies, callgrind: 0.88 x the instructions)."""
    if "." in line and _INNER_DOT.search(line) is not None:
        return _ASCII_WORD.findall(line)
    return line.encode("ascii").translate(_ASCII_GAP_BYTES).decode("ascii").split()


class _StatelessTokenizer(Tokenizer):
    """A tokenizer without settings: any two of one class are equal (Whoosh compares a
    schema's analyzers to tell whether two schemas are the same)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class LanguageTokenizer(_StatelessTokenizer):
    """Tokenizes, folds and drops the stop words of a marked value's language.

    It is pickled into the index schema, so its module path and name are part of the on-disk
    format: renaming it means rebuilding indexes.
    """

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: object) -> Iterator[Token]:
        key, text, offset = split_marker(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for unit in symbols_in(text):
            # Symbol units sit at the first position, outside the word positions phrases use.
            token.text, token.boost, token.stopped = unit, 1.0, False
            if keeporiginal:
                token.original = unit
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = token.endchar = start_char
            yield token
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


class FoldingTokenizer(_StatelessTokenizer):
    """Words, case- and accent-folded, stop words kept: one pass instead of a filter chain.

    Pickled into the schema like :class:`LanguageTokenizer`.
    """

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
