"""Which session(s) of the Conversation a text is about, from the session registry.

A session is recognised by its ordinal ("ninth session", "Second Session", "9th WIPO
Conversation", "the first three sessions"), by number ("session 9"), by its document symbol
(also in file names: ``wipo_ip_conv_ge_2_23``), by its dates ("March 13 and 14, 2024",
"July 7-9, 2020") and by its title or other names.

Decision (documented in the README): a document's *main* sessions are those it names most
(its title and file name count three times, its own dateline twice). A passage whose opening
names a session as its subject ("The eighth session covered ...", "The first three sessions
...") carries that session; every other passage carries the document's main sessions, so a
background sentence such as "the First Session was held in 2019" on a page about the second
session does not make the page a first-session page. The document's sessions are the union of
its passages' sessions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kb.registry import Registry

from .dates import find_dates
from .registry_cache import per_registry

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20,
    # French and Spanish pages of the Conversation ("la neuvième session", "la novena sesión").
    "première": 1, "premiere": 1, "deuxième": 2, "deuxieme": 2, "troisième": 3, "troisieme": 3,
    "quatrième": 4, "quatrieme": 4, "cinquième": 5, "cinquieme": 5, "sixième": 6,
    "sixieme": 6, "septième": 7, "septieme": 7, "huitième": 8, "huitieme": 8, "neuvième": 9,
    "neuvieme": 9, "dixième": 10, "dixieme": 10, "onzième": 11, "onzieme": 11,
    "douzième": 12, "douzieme": 12, "primera": 1, "segunda": 2, "tercera": 3, "cuarta": 4,
    "quinta": 5, "sexta": 6, "séptima": 7, "septima": 7, "octava": 8, "novena": 9,
    "décima": 10, "decima": 10, "undécima": 11, "undecima": 11, "duodécima": 12,
    "duodecima": 12,
}
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10}
_ORD = r"(?:" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + \
    r"|\d{1,2}(?:st|nd|rd|th|e|ème|re|ère)(?!\w))"
_ORD_LIST = rf"{_ORD}(?:\s*(?:,|and|&|et|y)\s*(?:the\s+|la\s+)?{_ORD})*"
_SUBJECT = r"(?:WIPO\s+)?(?:sessions?|sesi[oó]n(?:es)?|conversations?|conversaci[oó]n(?:es)?)\b"
_FIRST_N = r"first\s+(?P<n>" + "|".join(_COUNTS) + r"|\d)\s+(?:sessions|conversations)\b"
_MENTION = re.compile(
    rf"\b(?:{_FIRST_N}|(?P<ords>{_ORD_LIST})\s+{_SUBJECT}"
    r"|session\s+(?:no\.?\s*|number\s+|#\s*)?(?P<num>\d{1,2})(?![\d/.,]\d))",
    re.IGNORECASE,
)
_LEAD = re.compile(
    rf"^\W*(?:(?:the|la|le|el)\s+)?(?:{_FIRST_N}|(?P<ords>{_ORD_LIST})\s+{_SUBJECT})",
    re.IGNORECASE,
)
_ONE_ORD = re.compile(_ORD, re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")
#: Letters and digits only: "_" and "/" separate the parts of a symbol in file names.
_PHRASE_WORD = re.compile(r"[^\W_]+")

TITLE_WEIGHT = 3
DATELINE_WEIGHT = 2


class SessionMatcher:
    """Built once per registry: a table of every symbol, title and name as a word sequence.

    Symbols are matched as words too ("WIPO/IP/CONV/GE/24" and the file-name form
    "wipo_ip_conv_ge_24" are both the words wipo ip conv ge 24), so one pass over a text's
    words finds all of them, longest first; "WIPO/IP/CONV/GE/2/24" is not session 9's symbol.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.known = set(registry.sessions)
        phrases: dict[tuple[str, ...], set[int]] = {}
        for session in registry.sessions.values():
            phrases.setdefault(_phrase_key(session.symbol), set()).add(session.number)
            for name in (session.title, *session.names):
                key = _phrase_key(name)
                if len(key) >= 2:
                    phrases.setdefault(key, set()).add(session.number)
        # A title or name shared by two sessions says nothing about either.
        self._phrases = {key: min(numbers) for key, numbers in phrases.items()
                         if len(numbers) == 1 and key}
        self._starts = {key[:k] for key in self._phrases for k in range(1, len(key) + 1)}
        self._longest = max((len(key) for key in self._phrases), default=0)

    def mentions(self, text: str) -> list[int]:
        """Every session ``text`` names, once per mention (ordinals, numbers, then symbols
        and names, then dates)."""
        found: list[int] = []
        low = text.lower()
        # Cheap substring tests first: most passages name no session at all.
        if "session" in low or "sesi" in low or "conversa" in low:
            for match in _MENTION.finditer(text):
                found.extend(_numbers(match))
        found.extend(self._named(low))
        if _YEAR.search(text):
            for span in find_dates(text):
                found.extend(n for n, s in self.registry.sessions.items()
                             if span.overlaps(s.start, s.end))
        return [n for n in found if n in self.known]

    def _named(self, low: str) -> list[int]:
        """Sessions named by symbol, title or name, longest phrase first, no overlaps."""
        tokens = _PHRASE_WORD.findall(low)
        found = []
        i, count = 0, len(tokens)
        while i < count:
            best = 0
            for n in range(1, min(self._longest, count - i) + 1):
                gram = tuple(tokens[i:i + n])
                if gram in self._phrases:
                    best = n
                if gram not in self._starts:
                    break
            if best:
                found.append(self._phrases[tuple(tokens[i:i + best])])
                i += best
            else:
                i += 1
        return found

    def lead(self, paragraph: str) -> frozenset[int] | None:
        """The sessions a paragraph's opening names as its subject, or None."""
        match = _LEAD.match(paragraph)
        if not match:
            return None
        numbers = frozenset(n for n in _numbers(match) if n in self.known)
        return numbers or None

    def main_sessions(self, title: str, name: str, dateline: str, texts: Iterable[str]
                      ) -> list[int]:
        """The sessions a document is mostly about (ties are all kept)."""
        score: Counter[int] = Counter()
        for number in self.mentions(title) + self.mentions(name):
            score[number] += TITLE_WEIGHT
        for number in self.mentions(dateline):
            score[number] += DATELINE_WEIGHT
        for text in texts:
            score.update(self.mentions(text))
        if not score:
            return []
        best = max(score.values())
        return sorted(n for n, s in score.items() if s == best)


def _numbers(match: re.Match[str]) -> list[int]:
    groups = match.groupdict()
    if groups.get("n"):
        count = _COUNTS.get(groups["n"].lower()) or int(groups["n"])
        return list(range(1, count + 1))
    if groups.get("num"):
        return [int(groups["num"])]
    numbers = []
    for word in _ONE_ORD.findall(groups.get("ords") or ""):
        word = word.lower()
        digits = _DIGITS.match(word)
        numbers.append(int(digits.group(0)) if digits else ORDINALS[word])
    return numbers


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(_PHRASE_WORD.findall(text.lower()))


matcher_for = per_registry(SessionMatcher)
