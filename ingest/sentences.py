"""Sentence splitting without NLTK data: passages must never cut a sentence in the middle.

An untrained Punkt splits after "Mr." and a data download is not allowed, so this is a small
rule-based splitter: a boundary is terminal punctuation followed by space and a capital, digit
or quote, unless the word before the full stop is a known abbreviation or a single initial.
"""

from __future__ import annotations

import re

from .textutil import wordset

_ABBREVIATIONS = wordset(
    "mr mrs ms dr prof h.e st no nos art arts para paras e.g i.e vs etc inc ltd jr sr amb "
    "u.s u.k u.n p pp fig figs vol ed eds gen col lt rev hon cf ch sec approx dept est "
    "jan feb mar apr jun jul aug sep sept oct nov dec m.o"
)
_BOUNDARY = re.compile(
    r"([.!?…]+|[。！？])([\"'”’)\]]*)(\s+|(?<=[。！？])(?=\S))(?=[\"'“‘(\[]?[\w¿¡])"
)
_LAST_WORD = re.compile(r"([\w.]+)$")


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; whitespace inside a sentence is kept as it was."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        punct = match.group(1)
        end = match.end(2)
        following = text[match.end():match.end() + 1]
        if punct == "." and not _is_boundary(text[start:match.start()], following):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_boundary(before: str, following: str) -> bool:
    word = _LAST_WORD.search(before)
    if not word:
        return True
    token = word.group(1).lower().rstrip(".")
    if token in _ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "Muhammadou M. Kah"
    if "." in token and all(p.isalpha() and len(p) <= 2 for p in token.split(".")):
        return False  # "M.O" in "M.O. Kah", "U.S" in "U.S. courts"
    return not (following.islower())
