"""Small text helpers shared by the stages, precompiled once because ingest runs them per block."""

from __future__ import annotations

import hashlib
import re
import unicodedata

WORD = re.compile(r"\w+", re.UNICODE)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_COUNTED = re.compile(rf"[{_HAN}]|(?:(?![{_HAN}])\w)+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_BLANKS = "\t\u00a0\u2000-\u200b\u202f\u205f\u3000"
#: Runs of spaces that clean_line changes: two or more, or any space other than " " (a single
#: " " stays as it is, so matching it too would only replace it by itself).
_SPACE = re.compile(rf"[ {_BLANKS}]{{2,}}|[{_BLANKS}]")
#: The bytes of ASCII text: every byte that is not a word character to a space, capitals to
#: lower case (a byte table translates at a fraction of a string table's cost).
_ASCII_WORD_BYTES = bytes(ord(chr(b).lower()) if b < 128 and WORD.match(chr(b)) else ord(" ")
                          for b in range(256))
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


def clean_line(line: str) -> str:
    """Collapse runs of spaces (including no-break spaces) and trim, keeping the characters.

    Readers call it on every line; most are ASCII with single spaces, which only need the trim
    (the checks are scans in C, much cheaper than running the pattern over the line).
    """
    if line.isascii() and "  " not in line and "\t" not in line:
        return line.strip()
    return _SPACE.sub(" ", line).strip()


def normalise(text: str) -> str:
    """A comparison key: NFKC, lower case, typographic quotes and dashes folded, one space.

    ASCII text is its own NFKC form and holds no typographic quote: only the case and the
    spaces change (most text; the pages of a batch pass here block by block, and every passage
    for its id). There, once line breaks are spaces, printable text has no other space than
    " ": runs of it are collapsed by a replace or two, without splitting the text into a string
    per word and joining them again.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        return " ".join(text.lower().split())
    text = text.lower().replace("\n", " ")
    if not text.isprintable():  # a tab, a carriage return or another control character
        return " ".join(text.split())
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def words(text: str) -> list[str]:
    """Lower-case word tokens, as the boilerplate and duplicate statistics count them.

    In ASCII text a word character (``\\w``) is a letter, a digit or ``_``: every other
    character becomes a space and the text is split there, the same words at a fraction of
    the pattern's cost (its bytes are lower-cased and spaced out by one byte table).
    """
    if text.isascii():
        return text.encode().translate(_ASCII_WORD_BYTES).decode().split()
    return WORD.findall(text.lower())


def normal_words(text: str) -> list[str]:
    """``words(normalise(text))``: the words of a text's comparison key (site signatures and
    page fingerprints are taken of them).

    In ASCII text the key changes only the case and the spaces, and every space is a non-word
    character to :func:`words` anyway: the key's words are the text's own.
    """
    return words(text) if text.isascii() else words(normalise(text))


def word_count(text: str) -> int:
    """Words, with each Han character counted as one: Chinese has no spaces between words,
    and passage bounds must hold for it too."""
    if text.isascii():  # no Han; the words of :func:`words`, without a pattern
        return len(text.encode().translate(_ASCII_WORD_BYTES).split())
    if _HAN_CHAR.search(text) is None:  # the same words, without a look-ahead per letter
        return len(WORD.findall(text))
    return len(_COUNTED.findall(text))


def short_hash(text: str, size: int = 16) -> str:
    """A stable hex id: identities must not depend on Python's per-process hash seed."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def wordset(text: str) -> frozenset[str]:
    """A frozenset from a space-separated word list (readable tables of stop words)."""
    return frozenset(text.split())
