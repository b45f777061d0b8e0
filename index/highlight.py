"""Snippets: the best ~300 characters of a passage, HTML-escaped, matched words in <mark>.

kb marks words itself instead of using Whoosh's highlighter, which re-analyses the text and
silently stops at 32,768 characters. The query's matcher knows every indexed form it matched
(all the words sharing a query word's stem, a phrase's words, a prefix's expansions), so a
snippet marks exactly the words that made the passage match, whatever the language.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from index.analysis import fold, symbol_spans, word_spans, written_word

#: Snippet length in characters, before the ellipses.
SNIPPET_CHARS = 300
#: Leading characters of a stem used to find candidate words quickly.
_PREFIX_CHARS = 4


class Highlighter:
    """Marks the words of one query; reused for every hit of a search."""

    def __init__(self, words: set[str]) -> None:
        """:param words: the indexed (folded) forms the query matched: every form of each
        word's stem, the words of phrases and the expansions of prefixes."""
        self.words = words
        self._finder = _candidate_finder(words)
        #: Whether the query searched a document symbol (its unit term, see index.analysis).
        self._symbols = any(w.startswith("wipo_") for w in words)

    def mark(self, text: str) -> str:
        """All of ``text``, escaped, with the matched words in ``<mark>``."""
        return self._marked(text, self._spans(text) if self.words else [], 0, len(text))

    def snippet(self, text: str, width: int = SNIPPET_CHARS, heading: str = "",
                title: str = "") -> str:
        """An escaped excerpt of ``text`` around its densest run of matches.

        A passage found by its heading or its document's title alone (both are searched with
        its text) would show no marked word: its snippet then opens with that heading (or
        title), marked, then " — " and the excerpt, so every snippet shows why it matched.
        """
        spans = self._spans(text) if self.words else []
        if not spans and self.words:
            for label in (heading, title):
                found = self._spans(label) if label else []
                if found:
                    shown = self._marked(label, found, 0, len(label))
                    rest = self.snippet(text, max(80, width - len(label)))
                    return f"{shown} — {rest}" if rest else shown
        begin, end = _window(text, spans, width)
        marked = self._marked(text, spans, begin, end)
        return " ".join((("…" if begin > 0 else "") + marked
                         + ("…" if end < len(text) else "")).split())

    @staticmethod
    def _marked(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> str:
        out = []
        cursor = begin
        for start, stop in spans:
            if start < begin or stop > end:
                continue
            out.append(html.escape(text[cursor:start]))
            out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
            cursor = stop
        out.append(html.escape(text[cursor:end]))
        return "".join(out)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        words = self.words
        if self._finder is not None and text.isascii():
            # Every hit of a page runs this over its whole text: one cached look-up per
            # candidate word (the same words recur from passage to passage).
            spans = [m.span() for m in self._finder.finditer(text)
                     if _indexed_form(m.group()) in words]
        else:
            spans = [(start, end) for start, end, word in word_spans(text)
                     if _folded(word) in words]
        symbols = [(start, end) for start, end, terms in symbol_spans(text)
                   if any(term in words for term in terms)] if self._symbols else []
        if not symbols:
            return spans
        # A symbol searched is marked whole ("WIPO/IP/AI/2/GE/20/1 Rev."), over its words.
        inside = [(s, e) for s, e in spans if not any(a <= s < b for a, b in symbols)]
        return sorted(inside + symbols)


def snippet(text: str, words: set[str], width: int = SNIPPET_CHARS) -> str:
    """One snippet (see :class:`Highlighter` for many)."""
    return Highlighter(words).snippet(text, width)


def mark(text: str, words: set[str] | frozenset[str]) -> str:
    """All of ``text``, HTML-escaped, with the words of ``words`` (indexed, folded forms, as
    KbIndex.match_words gives them) in ``<mark>``: the document page's highlighting."""
    return Highlighter(set(words)).mark(text)


def _candidate_finder(words: set[str]) -> re.Pattern[str] | None:
    """A regex finding, in plain-ASCII text, the words that may match (those starting like
    one): much faster than folding every word. Other text is scanned word by word, since an
    accented letter may fold to a prefix's letter.
    """
    prefixes = frozenset(w[:_PREFIX_CHARS] for w in words)
    if not prefixes or not all(p.isascii() and p.isalnum() for p in prefixes):
        return None
    return _compiled(prefixes)


@lru_cache(maxsize=512)
def _compiled(prefixes: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, prefixes)))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*(?:\.?\w+)*", re.IGNORECASE)


@lru_cache(maxsize=100_000)
def _folded(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=100_000)
def _indexed_form(token: str) -> str:
    """A word as written in the text, as the index holds it (see written_word and fold)."""
    return fold(written_word(token))


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    if len(text) <= width:
        return 0, len(text)
    if not spans:
        return 0, _word_end(text, width)
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= width:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    first = spans[best][0]
    begin = max(0, first - width // 4)
    if begin > 0:
        space = text.rfind(" ", 0, begin + 1)
        begin = space + 1 if space >= max(0, first - width // 2) else begin
    begin = min(begin, first)
    end = _word_end(text, min(len(text), begin + width))
    return begin, max(end, spans[best][1])


def _word_end(text: str, position: int) -> int:
    """Extend ``position`` to the end of the word it falls in (at most 30 characters)."""
    limit = min(len(text), position + 30)
    while position < limit and not text[position].isspace():
        position += 1
    return position
