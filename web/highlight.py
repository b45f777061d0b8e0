"""Safe HTML for matched words: snippets from the index and passages highlighted here.

Corpus text is hostile by default (pages copied from anywhere), so nothing from it reaches the
page as markup except the ``<mark>`` tags that kb itself adds.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from markupsafe import Markup, escape
from nltk.stem.snowball import SnowballStemmer

_MARK = re.compile(r"(</?mark>)")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*", re.UNICODE)
#: Query syntax that is not a word to look for: operators and field prefixes.
_OPERATORS = {"and", "or", "not", "to"}
_FIELD = re.compile(r"\b\w+:")
#: kb language code -> Snowball stemmer; other languages match whole words, case-folded.
_STEMMER_NAMES = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian",
                  "ar": "arabic", "und": "english"}


def safe_snippet(snippet: str) -> Markup:
    """Markup for an index snippet that should already be escaped text with ``<mark>`` tags.

    Only balanced ``<mark>``/``</mark>`` survive as tags; any other ``<`` or ``>`` (which a
    correct snippet never contains) is escaped, so a bug upstream shows as text, not script.
    """
    out: list[str] = []
    open_mark = False
    for part in _MARK.split(snippet):
        if part == "<mark>" and not open_mark:
            out.append(part)
            open_mark = True
        elif part == "</mark>" and open_mark:
            out.append(part)
            open_mark = False
        elif part in ("<mark>", "</mark>"):
            continue
        elif "<" in part or ">" in part:
            out.append(str(escape(part)))
        else:
            out.append(part)
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def query_terms(query: str, language: str = "en") -> frozenset[str]:
    """The stems of the words a query looks for in a text of ``language``, ignoring operators
    and field names. Stemming in the document's language is what lets "clones" find "cloning"
    in English and "données" find "donnée" in French."""
    words = _WORD.findall(_FIELD.sub(" ", query))
    return frozenset(_stem(w, language) for w in words if w.lower() not in _OPERATORS) - {""}


def highlight(text: str, terms: frozenset[str], language: str = "en") -> Markup:
    """Escape ``text`` and wrap the words whose stem is in ``terms`` in ``<mark>``."""
    if not terms:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if _stem(match.group(), language) in terms:
            out.append(str(escape(text[last:match.start()])))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


@lru_cache(maxsize=20_000)
def _stem(word: str, language: str) -> str:
    folded = word.casefold().replace("’", "'")
    stemmer = _stemmer(language)
    return stemmer.stem(folded) if stemmer else folded


@cache
def _stemmer(language: str) -> SnowballStemmer | None:
    name = _STEMMER_NAMES.get(language)
    return SnowballStemmer(name) if name else None
