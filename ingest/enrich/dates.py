"""Dates written the ways pages write them, parsed without guessing a locale.

Used twice: to find a page's own date (a dateline near the top) and to recognise a session by
its dates ("March 13 and 14, 2024", "7-9 July 2020", "2024-03-13").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?" \
         r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_RANGE = r"(?:\s*(?:-|–|—|to|and|&)\s*(?P<{g}>\d{{1,2}}))?"
DATE_PATTERN = re.compile(
    r"\b(?:"
    + _MONTH.format(g="m1") + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?"
    + _RANGE.format(g="e1") + r",?\s+(?P<y1>(?:19|20)\d\d)"
    + r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?" + _RANGE.format(g="e2") + r"\s+(?:of\s+)?"
    + _MONTH.format(g="m2") + r",?\s+(?P<y2>(?:19|20)\d\d)"
    + r"|(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d)"
    + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateSpan:
    first: dt.date
    last: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.first <= end and self.last >= start


def find_dates(text: str) -> list[DateSpan]:
    """Every date or day range written in ``text``, in order; impossible dates are skipped."""
    spans: list[DateSpan] = []
    for match in DATE_PATTERN.finditer(text):
        span = _span(match)
        if span is not None:
            spans.append(span)
    return spans


def _span(match: re.Match[str]) -> DateSpan | None:
    g = match.groupdict()
    try:
        if g["y3"]:
            day = dt.date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
            return DateSpan(day, day)
        if g["y1"]:
            year, month, first, last = g["y1"], g["m1"], g["d1"], g["e1"]
        else:
            year, month, first, last = g["y2"], g["m2"], g["d2"], g["e2"]
        number = MONTHS[month.lower().rstrip(".")]
        start = dt.date(int(year), number, int(first))
        end = dt.date(int(year), number, int(last)) if last else start
    except (ValueError, KeyError):
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
