"""Scan ASCII text for a case-blind pattern only where one of its matches can begin.

Python's ``re`` tries a case-blind pattern that opens on a look-behind and an alternation of
words ("(?<!\\w)(?:first|second|...|\\d{1,2}(?:st|nd|rd|th))") at every position of the text,
and that scan was most of the cost of finding session mentions in a passage. Every match of
such a pattern begins with one of a few literal strings (its *starts*: "first", "second", a
digit); a plain, case-sensitive search of the lower-cased text finds where they occur in one
fast pass (``re`` skips positions by their first character when every alternative opens on a
literal), and the pattern is then tried at those positions only. The starts are found with
``str.find``, one start at a time: an alternation of a few dozen words ("first|second|...")
is itself a slow scan in ``re`` (its first letters are common ones), and ``str.find`` of each
word is not.

The matches are exactly those of ``pattern.finditer(text)`` (:func:`finditer` checks it is
given what it needs for that): the starts are read from the pattern's own parse tree, so every
match begins with one of them; a look-behind still sees the text before the position it is
tried at; and positions inside a match already found are skipped, as ``finditer`` skips them.
It is only for ASCII text, where the lower-cased text has the text's characters at the same
offsets and a case-blind literal matches just its two ASCII cases.
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any

try:  # CPython's own pattern parser (3.11 on); private, so a Python without it scans in full
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - every supported CPython has them
    sre = _parser = None

#: Items of a parse tree a match passes without consuming text.
_ZERO_WIDTH = () if sre is None else (sre.ASSERT, sre.ASSERT_NOT, sre.AT)
_DIGITS = frozenset(string.digits)
#: Characters a class may stand for, when the class is small enough to list.
_MAX_CLASS = 16
_ASCII = "".join(map(chr, range(128)))


class Starts:
    """Where ``pattern`` (compiled with ``re.IGNORECASE``) can match in ASCII text.

    ``possible`` is False when no match can begin anywhere in ASCII text (every start has a
    letter that only non-ASCII text holds); ``finder`` (:meth:`positions`) finds the starts in
    lower-cased text, None when they cannot be read.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        found = None if _parser is None else \
            _starts(_parser.parse(pattern.pattern, pattern.flags).data)
        usable = None if found is None else _ascii_starts(found, pattern.flags)
        #: The starts as found in lower-cased text, longest first; None when they cannot be
        #: read (the pattern is then run over the whole text).
        self.literals = None if usable is None else tuple(
            sorted(usable, key=lambda s: (-len(s), s)))
        #: The starts looked for: a start that opens with a shorter one ("sessions" with
        #: "session") occurs only where that one does, so it adds no position.
        self.probes = () if self.literals is None else _without_extensions(self.literals)
        #: The probes that do not open with a digit.
        self.letter_probes = tuple(probe for probe in self.probes if not probe[0].isdigit())
        #: :attr:`probes` (:attr:`letter_probes`) grouped by a string each of a group holds
        #: (see :func:`_grouped`): the probes of a group are looked for only where the text
        #: holds that string.
        self.groups = _grouped(self.probes)
        self.letter_groups = _grouped(self.letter_probes)
        self.finder = None if self.literals is None else self.positions
        self.possible = bool(self.literals) or self.literals is None

    def finditer(self, text: str, low: str, digits: bool = True) -> list[re.Match[str]]:
        """The matches of ``self.pattern.finditer(text)``, for ASCII ``text`` whose lower case
        is ``low``: a list, since every caller reads them all (and most texts have none, which
        a generator made and started for nothing).

        :param digits: False when the caller knows no match of the pattern begins with a digit
            in this text (an ordinal such as "9th" where no digit carries a suffix): the
            digits are then not looked for, nor the pattern tried at each of them.
        """
        if self.finder is None:
            return list(self.pattern.finditer(text))
        found: list[re.Match[str]] = []
        match = self.pattern.match
        end = 0
        for at in self.positions(low, digits):
            if at >= end:
                hit = match(text, at)
                if hit is not None:  # never empty: every start has a character
                    found.append(hit)
                    end = hit.end()
        return found

    def positions(self, low: str, digits: bool = True) -> list[int]:
        """Every offset of ``low`` where one of the starts occurs, in order, overlapping ones
        included: every offset a match can begin at (but those of digits when ``digits`` is
        False)."""
        found: list[int] = []
        find = low.find
        for key, probes in self.groups if digits else self.letter_groups:
            if key and key not in low:
                continue  # none of the group's probes can occur
            for probe in probes:
                at = find(probe)
                while at >= 0:
                    found.append(at)
                    at = find(probe, at + 1)
        if len(found) > 1:
            found = sorted(set(found))
        return found


#: The length of the ending that groups probes (see :func:`_grouped`).
_GROUP_KEY = 4


def _grouped(probes: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``probes`` grouped by their last few characters, each group with that ending as its key
    ("" for a group of one, looked for directly), in the order of their first probes.

    Most texts hold none of a pattern's starts, and each ``str.find`` reads the whole text:
    one search for the ending an ordinal's words share ("ieme" of French's "deuxieme",
    "troisieme", ...) rules out the whole group at once, where a search per word read the
    text a dozen times.
    """
    groups: dict[str, list[str]] = {}
    for probe in probes:
        key = probe[-_GROUP_KEY:] if len(probe) > _GROUP_KEY else probe
        groups.setdefault(key, []).append(probe)
    return tuple((_common_ending(group) if len(group) > 1 else "", tuple(group))
                 for group in groups.values())


def _common_ending(words: list[str]) -> str:
    """The longest ending all of ``words`` share (the rarer the string, the more texts it
    rules out)."""
    size = min(map(len, words))
    while size and len({word[-size:] for word in words}) > 1:
        size -= 1
    return words[0][-size:] if size else ""


def _without_extensions(literals: tuple[str, ...]) -> tuple[str, ...]:
    """``literals`` without those that begin with another of them."""
    kept: list[str] = []
    for literal in sorted(literals, key=lambda s: (len(s), s)):
        if not any(literal.startswith(shorter) for shorter in kept):
            kept.append(literal)
    return tuple(kept)


def _starts(items: list[Any]) -> set[str] | None:
    """Literal strings one of which every match of the sequence ``items`` opens with, or None
    when the tree holds something this does not read (the caller then scans everywhere)."""
    for index, (op, av) in enumerate(items):
        if op in _ZERO_WIDTH:
            continue
        if op is sre.LITERAL:
            prefix = ""
            for next_op, next_av in items[index:]:
                if next_op is not sre.LITERAL:
                    break
                prefix += chr(next_av)
            return {prefix}
        if op is sre.SUBPATTERN:
            return _starts(av[-1].data)
        if op is sre.BRANCH:
            union: set[str] = set()
            for branch in av[1]:
                found = _starts(branch.data)
                if found is None:
                    return None
                union |= found
            return union
        if op is sre.IN:
            chars = _class_chars(av)
            return None if chars is None else set(chars)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _, item = av
            first = _starts(item.data)
            if first is None:
                return None
            if low >= 1:
                return first
            rest = _starts(items[index + 1:])
            return None if rest is None else first | rest
        return None
    return None  # a match may be empty: it can begin anywhere


def _class_chars(items: list[Any]) -> set[str] | None:
    """The characters of a character class, for a digit class or a few literals."""
    chars: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL:
            chars.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < _MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av in (sre.CATEGORY_DIGIT, sre.CATEGORY_UNI_DIGIT):
            chars |= _DIGITS  # in ASCII text, the only digits
        else:
            return None
    return chars


def _ascii_starts(starts: set[str], flags: int) -> set[str] | None:
    """The starts as they read in lower-cased ASCII text; a start with a non-ASCII character
    that no ASCII character matches (under the pattern's case rules) can never begin a match
    there and is dropped. None when a start is empty, or when a non-ASCII character has an
    ASCII case partner ("K", the Kelvin sign, matches "k"): then no safe search exists."""
    if not flags & re.IGNORECASE:
        return None  # built for the case-blind patterns only
    usable = set()
    for start in starts:
        if not start:
            return None
        if start.isascii():
            usable.add(start.lower())
            continue
        if any(ascii_partner(char, flags) for char in start if not char.isascii()):
            return None
    return usable


@cache
def ascii_partner(char: str, flags: int) -> bool:
    """Does some ASCII character match ``char`` under ``flags`` (case folding has a few
    such pairs: "K", the Kelvin sign, and "k"; "ſ" and "s")?"""
    return re.compile(re.escape(char), flags).search(_ASCII) is not None
