"""The kind of document (kb.model.DOC_TYPES), from what the format says and how the text reads.

Order matters: the format's own answer (captions are transcripts) first, then words in the
title ("Summary of ...", "Issues Paper"), then the shape of a news item (a dateline near the
top, "recap"), then a page that presents a session; anything else is a web page. A document
from a site other than WIPO's that would be a report or news is a third-party report.
"""

from __future__ import annotations

import re

_SUMMARY = re.compile(r"\bsummary\b|\bsynth[eè]se\b|\bresumen\b", re.IGNORECASE)
_PAPER = re.compile(r"\b(?:issues?\s+paper|paper|study|working\s+document)\b", re.IGNORECASE)
_REPORT = re.compile(r"\b(?:report|proceedings|minutes)\b", re.IGNORECASE)
_TRANSCRIPT = re.compile(r"\b(?:transcript|verbatim|captions?)\b", re.IGNORECASE)
_NEWS = re.compile(r"\b(?:recap|highlights|press\s+release|news|opens|announces?|launch(?:es)?)\b",
                   re.IGNORECASE)
_SESSION_HEADING = re.compile(
    r"\b(?:\w+th|first|second|third|\d{1,2}(?:st|nd|rd|th))\s+session\b|"
    r"\bsession\s+\d{1,2}\b|\bWIPO\s+Conversation\b",
    re.IGNORECASE,
)


_NEWS_URL = re.compile(r"/(?:news|pressroom|press|media-centre|articles?)/", re.IGNORECASE)


def infer_type(*, format_type: str, title: str, headings: list[str], has_dateline: bool,
               site: str, has_sessions: bool, url: str = "") -> str:
    """One of kb.model.DOC_TYPES."""
    if format_type:
        kind = format_type
    elif _TRANSCRIPT.search(title):
        kind = "transcript"
    elif _SUMMARY.search(title):
        kind = "summary"
    elif _REPORT.search(title):
        kind = "report"
    elif _PAPER.search(title):
        kind = "paper"
    elif _NEWS.search(title) or has_dateline or _NEWS_URL.search(url):
        kind = "news"
    elif has_sessions and any(_SESSION_HEADING.search(h) for h in [title, *headings[:5]]):
        kind = "session-page"
    else:
        kind = "page"
    if kind in ("report", "news", "paper") and _is_external(site):
        return "third-party-report"
    return kind


def _is_external(site: str) -> bool:
    """Only a known web host says "not WIPO"; a corpus folder says nothing."""
    return "." in site and "/" not in site and not site.endswith("wipo.int")
