"""A passage's paragraphs and their words, tokenised once for every enricher that reads them.

Language detection (each paragraph), topics (the passage and its opening sentence), the test
for a passage opening on a session (its first paragraph) and key phrases (the document's body)
all read the same lower-cased words; each used to split and tokenise the text on its own.

Only ASCII paragraphs are tokenised here. There lower-casing keeps every character where it
is and changes no character's class, so the words of the text and of its lower case are the
same runs, and each enricher's own rule agrees with these words (its module says when).
Elsewhere each enricher keeps its own rule: Unicode lower-casing can change a word ("İ" is
"i" and a combining dot).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from ..textutil import words as text_words

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class Paragraph:
    text: str
    #: The lower-cased words (:func:`ingest.textutil.words`) of an ASCII paragraph; None
    #: elsewhere.
    words: list[str] | None
    #: Every word is letters only (no digit, no "_"); False for a paragraph without words.
    letters: bool


@dataclass(frozen=True)
class PassageWords:
    """A passage's paragraphs (its text split at blank lines) and, for an ASCII passage, all
    its words in order (those of its paragraphs one after the other: a paragraph break is no
    word character, so no word runs across one)."""

    paragraphs: list[Paragraph]
    words: list[str] | None


def paragraph_words(text: str) -> Paragraph:
    """One paragraph and its words (tokenised only for ASCII text)."""
    if not text.isascii():
        return Paragraph(text, None, False)
    words = text_words(text)
    return Paragraph(text, words, "".join(words).isalpha())


def passage_words(text: str) -> PassageWords:
    """``text`` split into paragraphs, each with its words."""
    paragraphs = [paragraph_words(part) for part in text.split(PARAGRAPH_BREAK)]
    if any(p.words is None for p in paragraphs):
        return PassageWords(paragraphs, None)
    if len(paragraphs) == 1:
        return PassageWords(paragraphs, paragraphs[0].words)
    return PassageWords(paragraphs, list(chain.from_iterable(
        p.words for p in paragraphs if p.words is not None)))
