"""Sessions the registry lacks: noticed on the documents about them, with a stanza to paste.

A new session is held about twice a year and pages about it arrive before anyone edits
``sessions.toml``. A document is about a missing session when its sessions hold a number the
registry lacks (read from an ordinal, "session 13", or a later symbol such as
WIPO/IP/CONV/GE/26), or when it names the series and its own date, in its title, opening or
dateline, falls after the registry's last session (the number is then guessed as the next one).
The document is ingested all the same; the gap is reported with what kb saw and what it could
infer, as a ``[[session]]`` table ready to paste.
"""

from __future__ import annotations

import datetime as dt
import re

from kb.model import Document, SessionGap
from kb.registry import Registry

from .about import OPENING_WORDS
from .dates import find_dates
from .sessions import matcher_for, names_series, symbol_slot

#: Days after the last session before a dated page is taken to be about a later one.
_AFTER_LAST_DAYS = 7
_QUOTED = re.compile(r"[“\"«]([^”\"»]{6,120})[”\"»]")


def find_gaps(document: Document, registry: Registry) -> list[SessionGap]:
    """The registry's gaps that ``document`` shows, one per missing session number."""
    matcher = matcher_for(registry)
    places = [("the title", document.title), ("the file name", document.source)] + \
        [("the text", p.text) for p in document.passages]
    gaps = []
    for number in document.sessions:
        if number in registry.sessions:
            continue
        found = [(where, m.text) for where, text in places for m in matcher.find(text)
                 if m.number == number]
        seen = [f"{text!r} in {where}" for where, text in found]
        symbol = next((text for _, text in found if symbol_slot(text)), "")
        start, end = _event_dates(document, _opening(document), after=_last_end(registry))
        gaps.append(SessionGap(document.source, number, list(dict.fromkeys(seen))[:3],
                               start, end, _title(document.title), symbol))
    if gaps or any(n in registry.sessions for n in document.sessions):
        return gaps
    last = _last_end(registry)
    opening = _opening(document)
    start, end = _event_dates(document, opening, after=last)
    if start and names_series(f"{document.title}\n{opening}"):
        number = max(registry.sessions, default=0) + 1
        gaps.append(SessionGap(document.source, number, [f"a date after the last session: {start}"],
                               start, end, _title(document.title), "", guessed=True))
    return gaps


def _opening(document: Document) -> str:
    """The first words of the document's text, where it says when it took place. Taken only
    for a document whose sessions the registry lacks, or that names none it has: most name
    one it has, and this was most of the cost of looking at them (in the parent process)."""
    return " ".join(" ".join(p.text for p in document.passages[:3]).split()[:OPENING_WORDS])


def _last_end(registry: Registry) -> dt.date:
    return max((s.end for s in registry.sessions.values()), default=dt.date.min)


def _event_dates(document: Document, opening: str, after: dt.date) -> tuple[str, str]:
    """The first day range after ``after`` in the title, opening or the document's date."""
    limit = after + dt.timedelta(days=_AFTER_LAST_DAYS) if after != dt.date.min else after
    for text in (document.title, opening):
        for span in find_dates(text):
            if span.first > limit:
                return span.first.isoformat(), span.last.isoformat()
    if document.date and document.date > limit.isoformat():
        return document.date, document.date
    return "", ""


def _title(title: str) -> str:
    """A session title from a page title: its quoted theme if it has one."""
    quoted = _QUOTED.search(title)
    return (quoted.group(1) if quoted else title).strip()


def stanza(gap: SessionGap) -> str:
    """A ``[[session]]`` table for ``sessions.toml``, filled with what the page told."""
    start = gap.start or "YYYY-MM-DD"
    lines = [
        "[[session]]",
        f"number = {gap.number}" + ("  # guessed: the next number" if gap.guessed else ""),
        f"title = {_toml_string(gap.title or f'Session {gap.number}')}",
        f"start = {start}" if gap.start else f"start = {_toml_string(start)}  # fill in",
        (f"end = {gap.end or gap.start}" if gap.start else f"end = {_toml_string(start)}"
         "  # fill in"),
        'format = "hybrid"  # check',
        f"symbol = {_toml_string(gap.symbol or 'WIPO/IP/CONV/GE/YY')}"
        + ("" if gap.symbol else "  # fill in"),
    ]
    if not gap.symbol:
        lines.append("symbol_confirmed = false")
    lines.append(f"description = {_toml_string(f'Seen in {gap.source}.')}  # describe it")
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
