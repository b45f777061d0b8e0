"""Which session(s) of the Conversation a text names, in six languages, from the registry.

A session is named by its ordinal ("ninth session", "9th WIPO Conversation", "deuxième
session", "segunda sesión", "вторая сессия", "第二届会议", "الدورة الثانية", "the first three
sessions"), by number ("session 9"), by its document symbol or one of its documents' symbols
(also in file names: ``wipo_ip_conv_ge_2_23_op05.pdf``), by a paper the registry lists for it
("Revised Issues Paper"), by its dates, and by its title or other names. The words of each
language are data (:mod:`ingest.enrich.lang`); this module only compiles them.

Recognition is kept apart from the registry where it can be: ordinals and numbers are read
whatever the registry holds, so a session the registry lacks ("the thirteenth session") is
seen and reported (:mod:`ingest.enrich.gaps`), and :meth:`SessionMatcher.lead` (which decides
where an overview page's passages start) never depends on the registry: editing it must not
re-split a document or change a passage id.

The series' own names ("WIPO Conversation on Intellectual Property and Artificial
Intelligence") name no session, even where a session's registry title equals one of them.
A session named just after a word like "following" or "since" is marked ``passing``; one
followed by another body ("the ninth session of the Standing Committee") is not a session of
the Conversation at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import compress, islice

from kb.registry import Registry

from ..textutil import WORD
from ..textutil import words as text_words
from .dates import find_dates
from .lang import Language, alternation, languages, word_pattern
from .registry_cache import per_registry, remembered
from .starts import Starts, ascii_partner
from .words import PassageWords

#: Letters and digits only ("_" and "/" separate the parts of a symbol in file names); each Han
#: character is a word of its own, since Chinese writes no spaces.
_PHRASE_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|[^\W_\u3400-\u4dbf\u4e00-\u9fff]+")
#: WIPO document symbols of the series: WIPO/IP/AI/2/GE/20, WIPO/IP/CONV/GE/2/23 (and the
#: file-name forms with "_").
_SYMBOL = re.compile(r"(?<![^\W_])wipo[/_ ]ip[/_ ](?:ai|conv)[/_ ](?:(?P<a>\d)[/_ ])?ge[/_ ]"
                     r"(?:(?P<b>\d)[/_ ])?(?P<yy>\d\d)(?!\d)", re.IGNORECASE)
_SERIES = 0
_DIGIT = re.compile(r"\d")
_CACHE_SIZE = 2048
_CLAUSE_END = re.compile(r"[.!?:;。！？：；؟]\s|\n|[。！？：；]")
#: Evidence weights per kind of mention (see :mod:`ingest.enrich.about`).
WEIGHTS = {"ordinal": 3, "number": 3, "symbol": 3, "name": 2, "date": 2, "paper": 1,
           "after-date": 1}
#: Highest ordinal a paragraph's opening is read as (for splitting, whatever the registry).
MAX_SESSION = 40
#: How many sessions beyond the registry's last an ordinal may name (unregistered sessions).
NEW_SESSIONS_AHEAD = 3


@dataclass(frozen=True)
class Mention:
    """One place a text names a session."""

    number: int
    #: ordinal, number, symbol, name, paper, date, or after-date (a dateline in the week after)
    kind: str
    #: The words seen, for reports ("the thirteenth session").
    text: str
    start: int = 0
    #: Named in passing ("following the first session"): a fact of the passage only.
    passing: bool = False

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


@dataclass(frozen=True)
class _LangPatterns:
    lang: Language
    #: Cheap substrings, one of which must occur for the patterns to be worth running.
    cues: tuple[str, ...]
    #: The cues that can occur in ASCII text (the others need not be looked for there).
    ascii_cues: tuple[str, ...]
    ordinal: re.Pattern[str]
    lead: re.Pattern[str]
    first_n: re.Pattern[str] | None
    number: re.Pattern[str] | None
    passing: re.Pattern[str]
    others: re.Pattern[str]
    #: The words one of which a match of :attr:`passing` (:attr:`others`) in ASCII text holds
    #: as a whole word, or None when that cannot be said (see :func:`_search`).
    passing_words: frozenset[str] | None
    other_words: frozenset[str] | None
    #: For each of first_n, ordinal and number: lower-cased words one of which the pattern's
    #: match must contain, and whether a digit may stand in for them, or a pattern such a
    #: digit is found by (see :func:`_may_match`).
    needles: tuple[tuple[tuple[str, ...] | None, bool | re.Pattern[str]], ...] = ()
    #: For each of first_n, ordinal and number (None where the language has no such pattern):
    #: where in ASCII text a match can begin, so the pattern is tried there only.
    starts: tuple[Starts | None, ...] = ()
    #: For ASCII text: (kind, needles, digit, starts) of each of first_n, ordinal and number
    #: that the language has (see :meth:`SessionMatcher._ordinals`), laid out once.
    ascii_rows: tuple[tuple[str, tuple[str, ...] | None, bool | re.Pattern[str], Starts], ...] = ()


def _sp(lang: Language) -> str:
    return r"\s+" if lang.spaced else r"\s*"


def _compile(lang: Language) -> _LangPatterns:
    sp = _sp(lang)
    b, e = (r"(?<!\w)", r"(?!\w)") if lang.spaced else ("", "")
    numeric = (r"|\d{1,2}" + alternation(lang.ordinal_suffixes)) if lang.ordinal_suffixes else ""
    one = rf"(?:{alternation(lang.ordinals)}{numeric})"
    joiner = alternation(lang.list_joiners)
    article = rf"(?:{alternation(lang.articles)}\s*)?" if lang.articles else ""
    noun = alternation(lang.session_words)
    between = rf"(?:{alternation(lang.between)}\s+)?" if lang.between else ""
    if lang.ordinal_after:
        core = rf"(?:{noun}){sp}(?P<ords>{one}(?:\s*{joiner}\s*{one})*){e}"
    else:
        core = (rf"(?P<ords>{one}(?:\s*{joiner}\s*{article}{one})*){sp}{between}"
                rf"(?:{noun}){e}")
    first_n = None
    if lang.first_n:
        counts = rf"(?P<n>{alternation(lang.counts)}|\d)"
        template = lang.first_n.replace(" ", sp).replace("{count}", counts)
        first_n = re.compile(b + template + e, re.IGNORECASE)
    number = None
    if lang.number_prefixes:
        one_number = r"\d{1,2}(?![\d/.,]\d)"
        number = re.compile(rf"{b}{alternation(lang.number_prefixes)}\s*(?P<num>{one_number}"
                            rf"(?:\s*{joiner}\s*{one_number})*)(?!\s*:)", re.IGNORECASE)
    cues = tuple(w.split("*")[0].lower() for w in lang.session_words) + \
        tuple(w.split("*")[0].lower() for w in lang.number_prefixes)
    lead = rf"^\W*{article}(?:{core}" + (f"|{first_n.pattern}" if first_n else "") + ")"
    # A numeric ordinal is a digit with its suffix ("9th", "2e"): English text full of years
    # need not run the French ordinals, whose noun "session" it shares. It is also the only
    # way an ordinal match opens on a digit (the ordinal words are words): where the cue
    # finds no digit with a suffix, the digits need not be tried as starts.
    numeric_cue = re.compile(rf"\d{alternation(lang.ordinal_suffixes)}", re.IGNORECASE) \
        if numeric else False
    ordinal = re.compile(b + core, re.IGNORECASE)
    starts = tuple(None if p is None else Starts(p) for p in (first_n, ordinal, number))
    needles = tuple(_needles(words, found) for words, found in zip(
        (_ascii(_literals(lang.counts)), _ascii(_literals(lang.ordinals)), ()), starts,
        strict=True))
    cues = _minimal(c for c in cues if c)
    digit_cues = (True, numeric_cue, True)
    return _LangPatterns(
        lang=lang, cues=cues, ascii_cues=_ascii(cues),
        needles=tuple(zip(needles, digit_cues, strict=True)),
        ascii_rows=tuple((kind, words, digit, found) for kind, pattern, words, digit, found in zip(
            ("ordinal", "ordinal", "number"), (first_n, ordinal, number), needles, digit_cues,
            starts, strict=True) if pattern is not None and found is not None),
        ordinal=ordinal,
        lead=re.compile(lead, re.IGNORECASE), first_n=first_n, number=number,
        passing=re.compile(_words(lang.passing, lang), re.IGNORECASE),
        others=re.compile(_words(lang.other_bodies, lang), re.IGNORECASE),
        passing_words=_first_words(lang.passing, lang),
        other_words=_first_words(lang.other_bodies, lang),
        starts=starts,
    )


def _needles(words: tuple[str, ...], starts: Starts | None) -> tuple[str, ...] | None:
    """``words`` as a pattern's needles (see :func:`_may_match`), or None where they are the
    pattern's starts but digits: an ordinal pattern opening on the ordinal words is looked
    for once, by the scan for its starts, not first by its needles and then again."""
    if words and starts is not None and starts.literals is not None and \
            set(starts.letter_probes) == set(words):
        return None
    return words


def _literals(words: Iterable[str]) -> tuple[str, ...]:
    """Each table word's literal start, lower-cased (``сесси*`` gives ``сесси``)."""
    return tuple(sorted({w.split("*")[0].lower() for w in words}))


def _minimal(words: Iterable[str]) -> tuple[str, ...]:
    """``words`` without those that hold another of them: for "does the text hold one of
    them", "sessions" is answered by "session"."""
    kept: list[str] = []
    for word in sorted(set(words), key=lambda w: (len(w), w)):
        if not any(other in word for other in kept):
            kept.append(word)
    return tuple(kept)


def _ascii(words: Iterable[str]) -> tuple[str, ...]:
    """The ``words`` that can occur in ASCII text; needles are only used on ASCII text."""
    return _minimal(w for w in words if w.isascii())


def _may_match(low: str, needles: tuple[str, ...] | None, digit: bool | re.Pattern[str],
               has_digit: bool) -> tuple[bool, bool]:
    """Can a pattern whose every match holds one of ``needles`` (or a digit, where ``digit``;
    where ``digit`` is a pattern, a digit it finds) match the ASCII text whose lower case is
    ``low``? A few substring tests instead of the pattern's own scan: English text naming a
    "session" need not run French ordinals.

    Only for ASCII text, where a case-blind regex match and a substring of the lower-cased text
    agree exactly (elsewhere Unicode case folding has exceptions, "ſ" matching "s"), so the
    answer never differs from running the pattern.

    :param needles: None where they are the pattern's own starts but digits
        (:attr:`.Starts.letter_probes`): looking for them is then the scan for where the
        pattern can begin, done once there.
    :returns: that answer, and whether a match may begin with a digit: not where the text has
        none, nor where ``digit`` is a pattern and finds none (the numeric ordinal is then
        the only way a match opens on a digit, see :func:`_compile`).
    """
    if has_digit and digit is not False:
        if digit is True or digit.search(low) is not None:
            return True, True
        digits = False
    else:
        digits = has_digit
    return needles is None or any(map(low.__contains__, needles)), digits


def _words(words: tuple[str, ...], lang: Language) -> str:
    """Whole words where words are spaced; anywhere in Chinese, which has no spaces."""
    if lang.spaced:
        return rf"(?:^|\W){alternation(words)}(?:\W|$)"
    return alternation(words)


def _first_words(words: tuple[str, ...], lang: Language) -> frozenset[str] | None:
    """The first word of each of ``words`` that can occur in ASCII text, lower-cased: a match
    of :func:`_words`' pattern in ASCII text holds one of them as a whole word (the pattern
    puts a non-word character or an end on either side of each alternative, and each word
    runs to a space or to the alternative's end). None where that does not hold: in Chinese
    (words are matched anywhere), for a word ending in ``*`` or opening on a non-word
    character, or for a non-ASCII word with a letter some ASCII letter matches case-blind."""
    if not lang.spaced:
        return None
    firsts = set()
    for word in words:
        if not word.isascii():
            if any(ascii_partner(char, re.IGNORECASE) for char in word if not char.isascii()):
                return None
            continue  # never in ASCII text
        first = WORD.match(word.lower())
        if "*" in word or first is None:
            return None
        firsts.add(first.group(0))
    return frozenset(firsts)


def _search(pattern: re.Pattern[str], words: frozenset[str] | None,
            text: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern of :func:`_words` whose :func:`_first_words`
    are ``words``: ASCII text without any of them as a word has no match, found by a set
    test on its words instead of trying the alternatives at every character (what a
    session's few words before and after cost most)."""
    if words is not None and text.isascii() and words.isdisjoint(text_words(text)):
        return None
    return pattern.search(text)


@cache
def _all_patterns() -> tuple[_LangPatterns, ...]:
    return tuple(_compile(lang) for lang in languages().values())


@cache
def _ascii_patterns() -> tuple[_LangPatterns, ...]:
    """The languages whose patterns can match ASCII text (a session word of theirs can occur
    there): the others' cue test always fails on it."""
    return tuple(patterns for patterns in _all_patterns() if patterns.ascii_cues)


@cache
def _series_words() -> re.Pattern[str]:
    """Words that name the series itself in any language (WIPO Conversation, 对话会, ...)."""
    words = [w for lang in languages().values() for w in lang.series_words]
    return re.compile(alternation(words + ["conversation", "dialogue", "diálogo"]), re.IGNORECASE)


def names_series(text: str) -> bool:
    """Does ``text`` name the Conversation itself (in any language)?"""
    return bool(_series_words().search(text))


def _ordinal_table(lang: Language
                   ) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], int], ...]]:
    """One ordinal finder and, longest first, each ordinal word's pattern with its value."""
    return _ordinal_tables(lang.code)


@cache
def _ordinal_tables(code: str
                    ) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], int], ...]]:
    lang = languages()[code]
    one = re.compile(rf"{alternation(lang.ordinals)}|\d{{1,2}}", re.IGNORECASE)
    table = tuple((re.compile(word_pattern(key.lower())), value) for key, value in
                  sorted(lang.ordinals.items(), key=lambda kv: -len(kv[0])))
    return one, table


def _ordinal_value(word: str, lang: Language) -> int | None:
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group(0))
    low = word.lower().strip()
    if low in lang.ordinals:
        return lang.ordinals[low]
    for pattern, value in _ordinal_table(lang)[1]:
        if pattern.fullmatch(low):
            return value
    return None


def _ordinal_numbers(ords: str, lang: Language) -> list[int]:
    found = []
    for match in _ordinal_table(lang)[0].finditer(ords):
        value = _ordinal_value(match.group(0), lang)
        if value is not None:
            found.append(value)
    return found


def _count_numbers(word: str, lang: Language) -> list[int]:
    count = int(word) if word.isdigit() else next(
        (v for k, v in lang.counts.items() if k.lower() == word.lower()), 0)
    return list(range(1, count + 1))


class SessionMatcher:
    """Built once per registry: every symbol, title, name and paper as a word sequence.

    Symbols are matched as words ("WIPO/IP/CONV/GE/24" and the file-name form
    "wipo_ip_conv_ge_24" are both the words wipo ip conv ge 24), so one pass over a text's
    words finds all of them, longest first; "WIPO/IP/CONV/GE/2/24" is not session 9's symbol.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.known = set(registry.sessions)
        self._cache: dict[str, tuple[Mention, ...]] = {}
        #: :meth:`lead` of the paragraphs of the last few documents: passages are split on it
        #: paragraph by paragraph, and each passage's opening is asked again.
        self._leads: dict[str, frozenset[int] | None] = {}
        phrases: dict[tuple[str, ...], set[tuple[int, str]]] = {}

        def add(text: str, number: int, kind: str, min_words: int = 2) -> None:
            key = _phrase_key(text)
            if len(key) >= min_words:
                phrases.setdefault(key, set()).add((number, kind))

        for session in registry.sessions.values():
            add(session.symbol, session.number, "symbol", 1)
            for suffix in session.documents:
                add(session.symbol + suffix, session.number, "symbol", 1)
            for name in (session.title, *session.names, *session.all_titles()):
                add(name, session.number, "name")
            for paper in session.papers:
                add(paper, session.number, "paper")
        # A title or name shared by two sessions says nothing about either.
        table = {key: next(iter(found)) for key, found in phrases.items() if len(found) == 1}
        for lang in languages().values():  # the series' names name no session
            for name in lang.series:
                table[_phrase_key(name)] = (_SERIES, "series")
        self._phrases = table
        self._starts = {key[:k] for key in table for k in range(1, len(key) + 1)}
        #: First words of the phrases, for the scan's quick test of each word.
        self._first_words = frozenset(key[0] for key in table if key)
        #: The words that are a whole phrase by themselves (a phrase of one word).
        self._one_word = frozenset(key[0] for key in table if len(key) == 1)
        self._longest = max((len(key) for key in table), default=0)
        #: Session numbers read from ordinals are kept up to a few beyond the registry's last
        #: (a new session not registered yet); higher ones are other bodies' sessions.
        self.plausible = max(self.known, default=0) + NEW_SESSIONS_AHEAD
        self._symbol_slots = sorted(
            (slot, s.number) for s in registry.sessions.values()
            if (slot := symbol_slot(s.symbol)) is not None)

    # -- recognition -------------------------------------------------------------------------
    def find(self, text: str, words: list[str] | None = None) -> list[Mention]:
        """Every session ``text`` names, known to the registry or not (ordinals, numbers and
        symbols of later sessions are kept: they are how a missing session is noticed).

        :param words: ``text``'s words as names are matched on them (:func:`phrase_words`),
            when the caller has them.
        """
        return list(self._find(text, words))

    def _find(self, text: str, words: list[str] | None = None) -> tuple[Mention, ...]:
        """:meth:`find`, remembered for the texts of the last few documents (the decision
        about a document reads each passage several times)."""
        return remembered(self._cache, text, lambda key: tuple(self._scan(key, words)),
                          _CACHE_SIZE)

    def _scan(self, text: str, words: list[str] | None = None) -> list[Mention]:
        found = self._ordinals(text)
        found += self._named(text, words)
        for span in find_dates(text):
            found += [Mention(n, "date", "", 0) for n, s in self.registry.sessions.items()
                      if span.overlaps(s.start, s.end)]
        return found

    def mentions(self, text: str) -> list[int]:
        """The registry's sessions ``text`` names, once per mention."""
        return [m.number for m in self.find(text) if m.number in self.known]

    def lead(self, paragraph: str) -> frozenset[int] | None:
        """The sessions a paragraph's opening names as its subject, or None.

        Independent of the registry on purpose: passages are split where this changes, and a
        registry edit must never move a passage boundary.
        """
        try:
            return self._leads[paragraph]
        except KeyError:
            if len(self._leads) >= _CACHE_SIZE:
                self._leads.clear()
            found = self._leads[paragraph] = self._lead(paragraph)
            return found

    def _lead(self, paragraph: str) -> frozenset[int] | None:
        low = paragraph[:200].lower()
        ascii_low = low.isascii()
        for patterns in _ascii_patterns() if ascii_low else _all_patterns():
            cues = patterns.ascii_cues if ascii_low else patterns.cues
            if not any(map(low.__contains__, cues)):
                continue
            match = patterns.lead.match(paragraph)
            if match and not self._other_body(paragraph, match.end(), patterns):
                numbers = _match_numbers(match, patterns.lang)
                if numbers:
                    return frozenset(n for n in numbers if 0 < n <= MAX_SESSION) or None
        return None

    def _ordinals(self, text: str) -> list[Mention]:
        low = text.lower()
        found: list[Mention] = []
        taken: list[tuple[int, int]] = []
        ascii_text = text.isascii()
        has_digit: bool | None = None
        for patterns in _ascii_patterns() if ascii_text else _all_patterns():
            cues = patterns.ascii_cues if ascii_text else patterns.cues
            if not any(map(low.__contains__, cues)):
                continue
            if ascii_text:
                if has_digit is None:
                    has_digit = _DIGIT.search(text) is not None
                found += self._ascii_matches(text, low, patterns, has_digit, taken)
                continue
            for kind, pattern in zip(("ordinal", "ordinal", "number"),
                                     (patterns.first_n, patterns.ordinal, patterns.number),
                                     strict=True):
                if pattern is not None:
                    found += self._mentions(text, kind, pattern.finditer(text), patterns, taken)
        return found

    def _ascii_matches(self, text: str, low: str, patterns: _LangPatterns, has_digit: bool,
                       taken: list[tuple[int, int]]) -> list[Mention]:
        """:meth:`_ordinals` of one language in ASCII text, whose lower case is ``low``: each
        pattern is tried only where it can begin (:class:`.Starts`), if at all."""
        found: list[Mention] = []
        for kind, needles, digit, starts in patterns.ascii_rows:
            may, digits = _may_match(low, needles, digit, has_digit)
            if may:
                matches = starts.finditer(text, low, digits)
                if matches:
                    found += self._mentions(text, kind, matches, patterns, taken)
        return found

    def _mentions(self, text: str, kind: str, matches: Iterable[re.Match[str]],
                  patterns: _LangPatterns, taken: list[tuple[int, int]]) -> list[Mention]:
        """The mentions of ``matches`` of one pattern, outside the spans ``taken`` by those of
        the patterns tried before (each new span is added) and not another body's."""
        found: list[Mention] = []
        for match in matches:
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if self._other_body(text, match.end(), patterns) or \
                    self._owned_by_other_body(text, match.start(), patterns):
                continue
            taken.append((match.start(), match.end()))
            passing = self._passing(text, match.start(), patterns)
            for number in _match_numbers(match, patterns.lang):
                if 0 < number <= self.plausible:
                    found.append(Mention(number, kind, match.group(0), match.start(),
                                         passing))
        return found

    @staticmethod
    def _passing(text: str, start: int, patterns: _LangPatterns) -> bool:
        """A passing word among the few words just before, in the same sentence."""
        before = _CLAUSE_END.split(text[max(0, start - 40):start])[-1]
        if patterns.lang.spaced:
            before = " ".join(before.split()[-4:])
        else:
            before = before[-6:] + text[start:start + 12]
        return _search(patterns.passing, patterns.passing_words, before) is not None

    @staticmethod
    def _owned_by_other_body(text: str, start: int, patterns: _LangPatterns) -> bool:
        """"the Committee's 31st session", "SCCR 45th session": another body's session."""
        before = text[max(0, start - 40):start]
        before = " ".join(before.split()[-3:]) if patterns.lang.spaced else before[-6:]
        return _search(patterns.others, patterns.other_words, before) is not None

    @staticmethod
    def _other_body(text: str, end: int, patterns: _LangPatterns) -> bool:
        """Is the session just named another body's ("ninth session of the SCP")?"""
        after = text[end:end + 80]
        if patterns.lang.spaced:
            after = " ".join(after.split()[:8])
        body = _search(patterns.others, patterns.other_words, after)
        if body is None:
            return False
        series = _series_words().search(after)
        return series is None or series.start() > body.start()

    def _named(self, text: str, words: list[str] | None = None) -> list[Mention]:
        """Sessions named by symbol, title, name or paper, longest phrase first.

        :param words: ``_PHRASE_WORD``'s words of the lower-cased text, when known."""
        low = text.lower()
        if words is not None:
            tokens = words
        elif low.isascii() and "_" not in low:
            # There the runs of letters and digits are the runs of word characters: the text's
            # words, split without the pattern (as :func:`phrase_words` says).
            tokens = text_words(low)
        else:
            tokens = _PHRASE_WORD.findall(low)
        first = self._first_words
        if first.isdisjoint(tokens):
            return self._new_symbols(text, low)  # most texts: no phrase can start anywhere
        #: Where each token is, found only once a phrase matches (most texts have none).
        matches: list[re.Match[str]] | None = None
        found = []
        count = len(tokens)
        after = 0  # the first token not inside a phrase found already
        for i in self._phrase_starts(tokens):
            if i < after:
                continue
            best = 0
            for n in range(1, min(self._longest, count - i) + 1):
                gram = tuple(tokens[i:i + n])
                if gram in self._phrases:
                    best = n
                if gram not in self._starts:
                    break
            if best:
                number, kind = self._phrases[tuple(tokens[i:i + best])]
                if number != _SERIES:
                    if matches is None:
                        matches = list(_PHRASE_WORD.finditer(low))
                    start = matches[i].start()
                    found.append(Mention(number, kind, text[start:matches[i + best - 1].end()],
                                         start))
                after = i + best
        found += self._new_symbols(text, low)
        return found

    def _phrase_starts(self, tokens: list[str]) -> list[int]:
        """Where in ``tokens`` a phrase may start: a first word followed by a word that goes
        on with some phrase, or a phrase of one word. A first word followed by any other word
        starts no phrase, since a phrase's start is one of ``_starts`` (most first words,
        "data" and "training" of the registry's titles, are followed by other words).

        The pairs are looked up in C, every word after a first word at once: the scan in
        :meth:`_named` made a tuple in Python for each of them."""
        first = self._first_words
        if not self._one_word.isdisjoint(tokens):
            return [i for i, token in enumerate(tokens) if token in first]
        opens = list(map(first.__contains__, tokens))
        pairs = compress(zip(tokens, islice(tokens, 1, None), strict=False), opens)
        return list(compress(compress(range(len(tokens)), opens),
                             map(self._starts.__contains__, pairs)))

    def _new_symbols(self, text: str, low: str) -> list[Mention]:
        """Symbols of the series that no registry session has: a later session's, inferred
        from the symbol pattern (two sessions a year, the second with "/2/").

        ``low`` is ``text`` lower-cased. An ASCII text without "wipo" holds no symbol (see
        :func:`_may_match` for why only ASCII text is ruled out by a substring test).
        """
        if "ge" not in low or not self._symbol_slots or (text.isascii() and "wipo" not in low):
            return []
        found = []
        for match in _SYMBOL.finditer(text):
            key = _phrase_key(match.group(0))
            if key in self._phrases:
                continue
            slot = symbol_slot(match.group(0))
            last_slot, last_number = self._symbol_slots[-1]
            if slot is not None and slot > last_slot:
                number = last_number + (slot[0] - last_slot[0]) * 2 + slot[1] - last_slot[1]
                found.append(Mention(number, "symbol", match.group(0), match.start()))
        return found


def phrase_words(heading: str, passage: PassageWords) -> list[str] | None:
    """The words :meth:`SessionMatcher.find` reads in a passage's text under its heading
    (``heading + "\\n" + text``, or the text alone without a heading), from the passage's
    words (:mod:`.words`); None when they are not those.

    In ASCII without "_", the runs of letters and digits names are matched on are the runs of
    word characters, and a line break between heading and text is no word character.
    """
    if passage.words is None or "_" in heading or \
            any("_" in paragraph.text for paragraph in passage.paragraphs):
        return None
    if not heading:
        return passage.words
    if not heading.isascii():
        return None
    return WORD.findall(heading.lower()) + passage.words


def symbol_slot(symbol: str) -> tuple[int, int] | None:
    """(year, half) of a series symbol: WIPO/IP/CONV/GE/2/25 is (25, 2); None for others."""
    match = _SYMBOL.search(symbol)
    if match is None:
        return None
    half = int(match.group("a") or match.group("b") or 1)
    return int(match.group("yy")), half


def _match_numbers(match: re.Match[str], lang: Language) -> list[int]:
    groups = match.groupdict()
    if groups.get("n"):
        return _count_numbers(groups["n"], lang)
    if groups.get("num"):
        return [int(n) for n in re.findall(r"\d+", groups["num"])]
    return _ordinal_numbers(groups.get("ords") or "", lang)


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(_PHRASE_WORD.findall(text.lower()))


matcher_for = per_registry(SessionMatcher)
