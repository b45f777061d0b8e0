"""Dates written the ways pages write them, in six languages, parsed without guessing a locale.

Used twice: to find a page's own date (a dateline near the top) and to recognise a session by
its dates. Forms recognised ("March 13 and 14, 2024", "13 et 14 mars 2024", "13 y 14 de marzo
de 2024", "13-14 марта 2024 г.", "2024年3月13日至14日", "13 و14 مارس 2024", "2024-03-13",
"2023/3/31", "10-07-2020", "13.03.2024", "Thu Jul 09 16:33:00 CEST 2020"); month names come
from the language tables (:mod:`ingest.enrich.lang`). Numeric day-month-year forms are read
day first, as WIPO and most of the world write them, unless the middle number cannot be a month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from .lang import alternation, languages
from .starts import Starts

#: Eastern Arabic, Persian and full-width digits, read as ASCII digits.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９",
                        "0123456789" * 3)
_YEAR = r"(?:19|20)\d\d"


@dataclass(frozen=True)
class DateSpan:
    first: dt.date
    last: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.first <= end and self.last >= start


@dataclass(frozen=True)
class _Patterns:
    pattern: re.Pattern[str]
    months: list[tuple[re.Pattern[str], int]]


@cache
def _patterns() -> _Patterns:
    langs = languages().values()
    month_words = {w: n for lang in langs for w, n in lang.months.items()}
    month = alternation(month_words)
    joiner = alternation({j for lang in langs for j in lang.day_joiners} | {"-", "–", "—"})
    day = r"\d{1,2}(?:st|nd|rd|th|er|e)?"
    def rng(group: str) -> str:
        return rf"(?:\s*{joiner}\s*(?P<{group}>\d{{1,2}}))?"

    pattern = re.compile(
        r"(?<!\w)(?:"
        # March 13 and 14, 2024 / Jul. 7-9, 2020
        + rf"(?P<m1>{month})\.?\s+(?P<d1>{day})" + rng("e1")
        + rf",?\s+(?P<y1>{_YEAR})"
        # 13 et 14 mars 2024 / 13 y 14 de marzo de 2024 / 13-14 марта 2024 / 7 to 9 July 2020
        + rf"|(?P<d2>{day})" + rng("e2") + r"\s+(?:of\s+|de\s+)?"
        + rf"(?P<m2>{month})\.?,?\s+(?:de\s+|del\s+)?(?P<y2>{_YEAR})"
        # Thu Jul 09 16:33:00 CEST 2020 (Java's Date.toString)
        + rf"|(?P<m5>{month})\s+(?P<d5>\d{{1,2}})\s+\d\d:\d\d(?::\d\d)?\s+[A-Z]{{2,5}}\s+"
        + rf"(?P<y5>{_YEAR})"
        # 2024年3月13日至14日 / 2020年7月7日至9日
        + rf"|(?P<y4>{_YEAR})\s*年\s*(?P<m4>\d{{1,2}})\s*月\s*(?P<d4>\d{{1,2}})\s*日"
        + r"(?:\s*(?:至|到|-|–|~)\s*(?:\d{1,2}\s*月\s*)?(?P<e4>\d{1,2})\s*日)?"
        # 2024-03-13 / 2023/3/31
        + rf"|(?P<y3>{_YEAR})[-/.](?P<m3>\d{{1,2}})[-/.](?P<d3>\d{{1,2}})(?![\d])"
        # 10-07-2020 / 13.03.2024 / 13/03/2024
        + rf"|(?P<d6>\d{{1,2}})[-/.](?P<m6>\d{{1,2}})[-/.](?P<y6>{_YEAR})"
        + r")(?!\w)",
        re.IGNORECASE,
    )
    months = [(re.compile(alternation([w]) + r"$", re.IGNORECASE), n)
              for w, n in sorted(month_words.items(), key=lambda kv: -len(kv[0]))]
    return _Patterns(pattern, months)


_MAYBE = re.compile(r"(?:19|20)\d\d|[٠-٩۰-۹０-９]")


@cache
def _starts() -> Starts:
    """Where in ASCII text a date can begin (a digit or a month's first letters)."""
    return Starts(_patterns().pattern)


def find_dates(text: str) -> list[DateSpan]:
    """Every date or day range written in ``text``, in order; impossible dates are skipped.

    Every date has a year. ASCII text has no other digits than ASCII ones, so one without "19"
    or "20" has none (two substring tests, where the year pattern's scan tried every offset);
    in ASCII text with a year the date pattern is tried only where a date can begin.
    """
    if text.isascii():
        if ("19" not in text and "20" not in text) or not _MAYBE.search(text):
            return []
        matches: Iterable[re.Match[str]] = _starts().finditer(text, text.lower())
    elif not _MAYBE.search(text):
        return []
    else:
        matches = _patterns().pattern.finditer(text.translate(_DIGITS))
    spans: list[DateSpan] = []
    for match in matches:
        span = _span(match.groupdict())
        if span is not None:
            spans.append(span)
    return spans


def is_date_line(text: str, spare_words: int = 2) -> bool:
    """Is ``text`` a date and little else ("Geneva, 13 mars 2024", "2024年3月13日")? Such a
    line is a dateline even where a reader took it for a heading."""
    if len(text) > 80 or not find_dates(text):
        return False
    rest = _patterns().pattern.sub(" ", text.translate(_DIGITS))
    return len(re.findall(r"\w+", rest)) <= spare_words


def _month(word: str) -> int | None:
    word = word.rstrip(".")
    for pattern, number in _patterns().months:
        if pattern.match(word):
            return number
    return None


def _int(value: str) -> int:
    """The leading digits of ``value``; ValueError (a date that is not one) when there are none."""
    digits = re.match(r"\d+", value)
    if digits is None:
        raise ValueError(f"no day number in {value!r}")
    return int(digits.group(0))


def _span(g: dict[str, str | None]) -> DateSpan | None:
    year: str | None
    try:
        if g["y3"] or g["y4"] or g["y6"]:
            if g["y3"]:
                year, month, first, last = g["y3"], g["m3"], g["d3"], None
            elif g["y4"]:
                year, month, first, last = g["y4"], g["m4"], g["d4"], g["e4"]
            else:
                year, month, first, last = g["y6"], g["m6"], g["d6"], None
                if int(month or 0) > 12 >= int(first or 0):  # 07-10-2020 read as July 10
                    month, first = first, month
            number = int(month or 0)
        else:
            key = next(k for k in ("1", "2", "5") if g[f"y{k}"])
            year, first, last = g[f"y{key}"], g[f"d{key}"], g.get(f"e{key}")
            found = _month(g[f"m{key}"] or "")
            if found is None:
                return None
            number = found
        start = dt.date(int(year or 0), number, _int(first or ""))
        end = dt.date(int(year or 0), number, int(last)) if last else start
    except (ValueError, StopIteration):
        return None
    return DateSpan(start, end) if end >= start else None


def parse_date(value: str) -> str:
    """An ISO date (YYYY-MM-DD) from metadata or a dateline, or "" when there is none."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return ""
    if re.fullmatch(r"\d{4}", value):
        return ""
    spans = find_dates(value)
    return spans[0].first.isoformat() if spans else ""
